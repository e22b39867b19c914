import { before, describe, it } from 'node:test';
import { expect } from 'expect';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { json, stores, type TestApp } from './helpers.js';
import { basic, useOAuthFixture } from './support/oauth.js';

// The OAuth token endpoint: clients and their credentials, tenant binding, scopes, errors, and the metadata.
for (const store of stores) {
  describe(`OAuth token endpoint on ${store}`, () => {
    const fx = useOAuthFixture(store);
    const { form, tokenFor, status } = fx;
    let t: TestApp;
    let base: string;
    let orgA: any;
    let orgKey: { id: string; secret: string };
    let tenantA: any;
    let tenantA2: any;
    let tenantB: any;
    before(() => {
      ({ t, base, orgA, orgKey, tenantA, tenantA2, tenantB } = fx);
    });

    it('issues a token to a standard OAuth client (HTTP Basic) that verifies against the published JWKS', async () => {
      const config = await client.discovery(new URL(base), orgKey.id, undefined, client.ClientSecretBasic(orgKey.secret), {
        algorithm: 'oauth2',
        execute: [client.allowInsecureRequests],
      });
      expect(config.serverMetadata().token_endpoint).toBe(`${base}/oauth/token`);
      const tokens = await client.clientCredentialsGrant(config, { scope: 'tenants:read tenants:write' });
      expect(tokens.token_type.toLowerCase()).toBe('bearer');
      expect(tokens.expires_in).toBe(3600);
      expect(tokens.scope).toBe('tenants:read tenants:write');

      const jwks = createRemoteJWKSet(new URL(`${base}/.well-known/jwks.json`));
      const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, { issuer: base, audience: 'landlord', algorithms: ['EdDSA'] });
      expect(protectedHeader).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt', kid: expect.any(String) });
      expect(payload).toMatchObject({ iss: base, sub: orgKey.id, aud: 'landlord', org: orgA.id, role: 'admin', scope: 'tenants:read tenants:write' });
      expect(payload.tid).toBeUndefined();
      expect(payload.jti).toEqual(expect.any(String));
      expect(payload.exp! - payload.iat!).toBe(3600);

      const list = await t.call('GET', '/v1/tenants', { key: tokens.access_token });
      expect(list.statusCode).toBe(200);
      expect(
        json(list)
          .results.map((r: any) => r.id)
          .sort(),
      ).toEqual([tenantA.id, tenantA2.id].sort());
    });

    it('takes body credentials as a form and as JSON, and never lets the answer be cached', async () => {
      const key = tenantA.apiKey;
      const viaForm = await form('/oauth/token', { grant_type: 'client_credentials', client_id: key.id, client_secret: key.secret });
      expect(viaForm.statusCode).toBe(200);
      expect(viaForm.headers['cache-control']).toBe('no-store');
      expect(json(viaForm)).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600, scope: key.scopes.join(' ') });
      const viaJson = await t.app.inject({
        method: 'POST',
        url: '/oauth/token',
        payload: { grant_type: 'client_credentials', client_id: key.id, client_secret: key.secret },
      });
      expect(viaJson.statusCode).toBe(200);
      for (const res of [viaForm, viaJson]) {
        const me = await t.call('GET', '/v1/tenants/me', { key: json(res).access_token });
        expect([me.statusCode, json(me).id]).toEqual([200, tenantA.id]);
        expect(decodeJwt(json(res).access_token)).toMatchObject({ role: 'owner', tid: tenantA.id, org: orgA.id, sub: key.id });
      }
      // The form parser lives only in the OAuth context: the API still refuses forms.
      const v1 = await t.app.inject({
        method: 'POST',
        url: '/v1/tenants',
        headers: { authorization: `Bearer ${t.rootKey}`, 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'name=Formed',
      });
      expect([v1.statusCode, json(v1).code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    });

    it('binds an organization token to one of its tenants with tenant_id or the tenant:<id> scope', async () => {
      const bound = await tokenFor(orgKey, { tenant_id: tenantA.id });
      expect(decodeJwt(bound)).toMatchObject({ tid: tenantA.id, role: 'owner', org: orgA.id });
      const me = await t.call('GET', '/v1/tenants/me', { key: bound });
      expect(json(me).id).toBe(tenantA.id);
      expect(await status(bound, `/v1/tenants/${tenantA2.id}`)).toBe(404);
      expect(json(await t.call('GET', '/v1/tenants', { key: bound })).results.map((r: any) => r.id)).toEqual([tenantA.id]);

      const res = await form(
        '/oauth/token',
        { grant_type: 'client_credentials', scope: `tenants:read tenant:${tenantA2.id}` },
        { authorization: basic(orgKey.id, orgKey.secret) },
      );
      expect(json(res).scope).toBe('tenants:read');
      const viaScope = json(res).access_token;
      expect(json(await t.call('GET', '/v1/tenants/me', { key: viaScope })).id).toBe(tenantA2.id);
      expect(await status(viaScope, `/v1/tenants/${tenantA.id}`)).toBe(404);

      // Another organization's tenant and a tenant that does not exist get the same answer.
      const foreign = await form('/oauth/token', {
        grant_type: 'client_credentials',
        client_id: orgKey.id,
        client_secret: orgKey.secret,
        tenant_id: tenantB.id,
      });
      const missing = await form('/oauth/token', {
        grant_type: 'client_credentials',
        client_id: orgKey.id,
        client_secret: orgKey.secret,
        tenant_id: 'tnt_00000000000000000000000000',
      });
      expect(foreign.statusCode).toBe(400);
      expect(json(foreign)).toEqual({ error: 'invalid_target', error_description: expect.any(String) });
      expect(json(missing)).toEqual(json(foreign));
      const sibling = await form('/oauth/token', {
        grant_type: 'client_credentials',
        client_id: tenantA.apiKey.id,
        client_secret: tenantA.apiKey.secret,
        tenant_id: tenantA2.id,
      });
      expect(json(sibling).error).toBe('invalid_target');
    });

    it("grants a subset of the key's scopes and refuses a superset", async () => {
      const readOnly = json(await t.call('POST', `/v1/organizations/${orgA.id}/api-keys`, { body: { scopes: ['tenants:read'] } }));
      const token = await tokenFor(readOnly);
      expect(decodeJwt(token).scope).toBe('tenants:read');
      expect(await status(token, `/v1/tenants/${tenantA.id}`)).toBe(200);
      expect(await status(token, `/v1/tenants/${tenantA.id}`, 'PATCH', { description: 'x' })).toBe(403);
      const superset = await form('/oauth/token', {
        grant_type: 'client_credentials',
        client_id: readOnly.id,
        client_secret: readOnly.secret,
        scope: 'tenants:read tenants:write',
      });
      expect([superset.statusCode, json(superset).error]).toEqual([400, 'invalid_scope']);
      const narrowed = await tokenFor(orgKey, { scope: 'tenants:read' });
      expect(await status(narrowed, `/v1/tenants/${tenantA.id}`, 'PATCH', { description: 'x' })).toBe(403);
      expect(await status(narrowed, '/v1/tenants')).toBe(200);
    });

    it('answers bad clients and unsupported grants with RFC 6749 errors', async () => {
      const wrong = await form('/oauth/token', { grant_type: 'client_credentials' }, { authorization: basic(orgKey.id, `${orgKey.secret}x`) });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.headers['www-authenticate']).toMatch(/^Basic /);
      expect(wrong.headers['content-type']).toMatch(/^application\/json/);
      expect(json(wrong)).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
      const unknown = await form('/oauth/token', {
        grant_type: 'client_credentials',
        client_id: 'key_00000000000000000000000000',
        client_secret: orgKey.secret,
      });
      expect([unknown.statusCode, json(unknown).error]).toEqual([401, 'invalid_client']);
      const anonymous = await form('/oauth/token', { grant_type: 'client_credentials' });
      expect([anonymous.statusCode, json(anonymous).error]).toEqual([401, 'invalid_client']);
      const grant = await form('/oauth/token', { grant_type: 'password', username: 'a', password: 'b' }, { authorization: basic(orgKey.id, orgKey.secret) });
      expect([grant.statusCode, json(grant).error]).toEqual([400, 'unsupported_grant_type']);
      const noGrant = await form('/oauth/token', {}, { authorization: basic(orgKey.id, orgKey.secret) });
      expect([noGrant.statusCode, json(noGrant).error]).toEqual([400, 'invalid_request']);
      const twice = await t.app.inject({
        method: 'POST',
        url: '/oauth/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `grant_type=client_credentials&client_id=${orgKey.id}&client_secret=${orgKey.secret}&scope=a&scope=b`,
      });
      expect([twice.statusCode, json(twice).error]).toEqual([400, 'invalid_request']);
      const malformed = await t.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/json' }, payload: '{"grant_type":' });
      expect([malformed.statusCode, json(malformed).error]).toEqual([400, 'invalid_request']);

      // A valid secret names its own key only: with another key's id it is no client at all.
      const swapped = await form('/oauth/token', { grant_type: 'client_credentials' }, { authorization: basic(orgKey.id, tenantA.apiKey.secret) });
      expect([swapped.statusCode, json(swapped).error]).toEqual([401, 'invalid_client']);

      // Revoked after use (its lookup remembered): refused at the next request.
      const revoked = json(await t.call('POST', `/v1/tenants/${tenantA.id}/api-keys`, { body: { name: 'short-lived' } }));
      const grantFor = (key: { id: string; secret: string }) =>
        form('/oauth/token', { grant_type: 'client_credentials', client_id: key.id, client_secret: key.secret });
      expect((await grantFor(revoked)).statusCode).toBe(200);
      expect((await t.call('DELETE', `/v1/tenants/${tenantA.id}/api-keys/${revoked.id}`)).statusCode).toBe(204);
      const afterRevoke = await grantFor(revoked);
      expect([afterRevoke.statusCode, json(afterRevoke).error]).toEqual([401, 'invalid_client']);
    });

    it('never issues a token, nor accepts the key, of a tenant created inactive, however often asked', async () => {
      const created = json(await t.call('POST', '/v1/tenants', { body: { name: 'Created Inactive', isActive: false, apiKey: {} } }));
      const key = created.apiKey as { id: string; secret: string };
      for (let i = 0; i < 3; i++) {
        const grant = await form('/oauth/token', { grant_type: 'client_credentials', client_id: key.id, client_secret: key.secret });
        expect([grant.statusCode, json(grant).error]).toEqual([400, 'unauthorized_client']);
        expect((await t.call('GET', '/v1/tenants/me', { key: key.secret })).statusCode).toBe(401);
      }
      expect((await t.call('PATCH', `/v1/tenants/${created.id}`, { body: { isActive: true } })).statusCode).toBe(200);
      expect((await t.call('GET', '/v1/tenants/me', { key: key.secret })).statusCode).toBe(200);
    });

    it('publishes RFC 8414 metadata and documents the OAuth routes', async () => {
      const meta = await t.call('GET', '/.well-known/oauth-authorization-server', { key: null });
      expect(json(meta)).toMatchObject({
        issuer: base,
        token_endpoint: `${base}/oauth/token`,
        jwks_uri: `${base}/.well-known/jwks.json`,
        introspection_endpoint: `${base}/oauth/introspect`,
        revocation_endpoint: `${base}/oauth/revoke`,
        grant_types_supported: ['client_credentials'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        scopes_supported: expect.arrayContaining(['tenants:read', 'tenants:write']),
      });
      const doc = json(await t.call('GET', '/openapi.json', { key: null }));
      for (const path of ['/oauth/token', '/oauth/introspect', '/oauth/revoke']) {
        const op = doc.paths[path].post;
        expect(op.tags).toEqual(['OAuth']);
        expect(Object.keys(op.requestBody.content).sort()).toEqual(['application/json', 'application/x-www-form-urlencoded']);
        for (const code of ['200', '400', '401', '500', '503']) expect([path, code, op.responses[code] !== undefined]).toEqual([path, code, true]);
        expect(JSON.stringify(op.responses['401'])).toContain('error_description');
      }
      expect(doc.paths['/.well-known/jwks.json'].get.tags).toEqual(['OAuth']);
    });
  });
}
