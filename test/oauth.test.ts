import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import * as client from 'openid-client';
import { createOAuthService } from '../src/modules/oauth/oauth.service.js';
import { createTestApp, json, stores, type TestApp } from './helpers.js';

const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

for (const store of stores) {
  describe(`OAuth on ${store}`, () => {
    let t: TestApp;
    let base: string;
    let orgA: any;
    let orgKey: { id: string; secret: string };
    let tenantA: any;
    let tenantA2: any;
    let tenantB: any;

    /** POST a form to an OAuth endpoint, as a plain HTTP client would. */
    const form = (url: string, params: Record<string, string>, headers: Record<string, string> = {}) =>
      t.app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        payload: new URLSearchParams(params).toString(),
      });

    /** A token for an API key, with client_id/client_secret in the form body. */
    async function tokenFor(key: { id: string; secret: string }, params: Record<string, string> = {}): Promise<string> {
      const res = await form('/oauth/token', { grant_type: 'client_credentials', client_id: key.id, client_secret: key.secret, ...params });
      expect([res.statusCode, res.body]).toEqual([200, expect.any(String)]);
      return json(res).access_token;
    }

    const status = async (token: string, url = '/v1/tenants/me', method: 'GET' | 'PATCH' = 'GET', body?: object) =>
      (await t.call(method, url, { key: token, body })).statusCode;

    /** Signs with the server's own active private key, to test the checks that come after the signature. */
    async function signWithServerKey(claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
      const row = await t.deps.database.db
        .selectFrom('signing_keys')
        .selectAll()
        .where('retired_at', 'is', null)
        .orderBy('created_at', 'desc')
        .executeTakeFirstOrThrow();
      const key = await importJWK(JSON.parse(t.deps.secretBox.open(row.private_jwk_sealed)) as JWK, 'EdDSA');
      const now = Math.floor(Date.now() / 1000);
      const standard = { iss: base, aud: 'landlord', sub: tenantA.apiKey.id, jti: `jti-${Math.random()}`, iat: now, exp: now + 600 };
      return new SignJWT({ ...standard, org: tenantA.organizationId, tid: tenantA.id, role: 'owner', scope: 'tenants:read', ...claims })
        .setProtectedHeader({ alg: 'EdDSA', kid: row.kid, typ: 'at+jwt', ...header })
        .sign(key);
    }

    before(async () => {
      t = await createTestApp(store, {}, { listen: true });
      base = t.baseUrl;
      orgA = json(await t.call('POST', '/v1/organizations', { body: { name: 'Org A' } }));
      orgKey = json(await t.call('POST', `/v1/organizations/${orgA.id}/api-keys`, { body: { name: 'admin key' } }));
      tenantA = json(await t.call('POST', '/v1/tenants', { key: orgKey.secret, body: { name: 'Tenant A', apiKey: {} } }));
      tenantA2 = json(await t.call('POST', '/v1/tenants', { key: orgKey.secret, body: { name: 'Tenant A2', apiKey: {} } }));
      tenantB = json(await t.call('POST', '/v1/tenants', { body: { name: 'Tenant B', apiKey: {} } }));
    });
    after(async () => {
      await t?.close();
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

      const revoked = json(await t.call('POST', `/v1/tenants/${tenantA.id}/api-keys`, { body: { name: 'short-lived' } }));
      expect((await t.call('DELETE', `/v1/tenants/${tenantA.id}/api-keys/${revoked.id}`)).statusCode).toBe(204);
      const afterRevoke = await form('/oauth/token', { grant_type: 'client_credentials', client_id: revoked.id, client_secret: revoked.secret });
      expect([afterRevoke.statusCode, json(afterRevoke).error]).toEqual([401, 'invalid_client']);
    });

    it('refuses forged, expired and mis-addressed tokens', async () => {
      const real = await tokenFor(tenantA.apiKey);
      expect(await status(real)).toBe(200);
      const { kid } = decodeProtectedHeader(real);
      const [, payload] = real.split('.');

      const none = `${b64url({ alg: 'none', typ: 'at+jwt', kid })}.${payload}.`;
      expect(await status(none)).toBe(401);

      const jwks = json(await t.call('GET', '/.well-known/jwks.json', { key: null }));
      const publicJwk = jwks.keys.find((k: any) => k.kid === kid);
      const claims = decodeJwt(real);
      for (const secret of [Buffer.from(publicJwk.x, 'base64url'), new TextEncoder().encode(JSON.stringify(publicJwk))]) {
        const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: kid!, typ: 'at+jwt' }).sign(secret);
        expect(await status(hs)).toBe(401);
      }

      const foreign = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
      const impostor = await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid: kid!, typ: 'at+jwt' }).sign(foreign.privateKey);
      expect(await status(impostor)).toBe(401);

      // Signed with the real key: only the claim or header under test is wrong.
      expect(await status(await signWithServerKey({}))).toBe(200);
      const hourAgo = Math.floor(Date.now() / 1000) - 3600;
      expect(await status(await signWithServerKey({ iat: hourAgo - 60, exp: hourAgo }))).toBe(401);
      expect(await status(await signWithServerKey({ iss: 'https://evil.example' }))).toBe(401);
      expect(await status(await signWithServerKey({ aud: 'someone-else' }))).toBe(401);
      expect(await status(await signWithServerKey({}, { typ: 'JWT' }))).toBe(401);
      expect(await status(await signWithServerKey({ tid: undefined }))).toBe(401);
      const expired = await t.call('GET', '/v1/tenants/me', { key: await signWithServerKey({ iat: hourAgo - 60, exp: hourAgo }) });
      expect(json(expired)).toMatchObject({ code: 'UNAUTHORIZED', detail: expect.stringMatching(/expired/) });
    });

    it('revokes through /oauth/revoke, API key revocation and tenant deactivation', async () => {
      const key = json(await t.call('POST', `/v1/tenants/${tenantA2.id}/api-keys`, { body: { name: 'to revoke' } }));
      const token = await tokenFor(key);
      const other = await tokenFor(key);
      expect(await status(token)).toBe(200);

      // Another client may not revoke it; unknown tokens are a quiet 200.
      const notYours = await form('/oauth/revoke', { token, client_id: tenantA.apiKey.id, client_secret: tenantA.apiKey.secret });
      expect([notYours.statusCode, json(notYours).error]).toEqual([400, 'unauthorized_client']);
      expect(await status(token)).toBe(200);
      const garbage = await form('/oauth/revoke', { token: 'not.a.token', client_id: key.id, client_secret: key.secret });
      expect(garbage.statusCode).toBe(200);

      const revoke = await form('/oauth/revoke', { token, client_id: key.id, client_secret: key.secret });
      expect(revoke.statusCode).toBe(200);
      expect(await status(token)).toBe(401);
      expect(await status(other)).toBe(200);
      const row = await t.deps.database.db.selectFrom('revoked_tokens').selectAll().where('jti', '=', decodeJwt(token).jti!).executeTakeFirst();
      expect(row?.expires_at.getTime()).toBe(decodeJwt(token).exp! * 1000);

      // An organization key may revoke tokens within its organization.
      const third = await tokenFor(key);
      expect((await form('/oauth/revoke', { token: third }, { authorization: basic(orgKey.id, orgKey.secret) })).statusCode).toBe(200);
      expect(await status(third)).toBe(401);

      // Deactivating the tenant stops its tokens, and the organization's tokens bound to it; reactivating restores them.
      const bound = await tokenFor(orgKey, { tenant_id: tenantA2.id });
      const unbound = await tokenFor(orgKey);
      expect((await t.call('PATCH', `/v1/tenants/${tenantA2.id}`, { key: orgKey.secret, body: { isActive: false } })).statusCode).toBe(200);
      expect([await status(other), await status(bound), await status(unbound, '/v1/tenants')]).toEqual([401, 401, 200]);
      const refused = await form('/oauth/token', {
        grant_type: 'client_credentials',
        client_id: orgKey.id,
        client_secret: orgKey.secret,
        tenant_id: tenantA2.id,
      });
      expect(json(refused).error).toBe('invalid_target');
      const inactiveClient = await form('/oauth/token', {
        grant_type: 'client_credentials',
        client_id: tenantA2.apiKey.id,
        client_secret: tenantA2.apiKey.secret,
      });
      expect([inactiveClient.statusCode, json(inactiveClient).error]).toEqual([400, 'unauthorized_client']);
      expect((await t.call('PATCH', `/v1/tenants/${tenantA2.id}`, { key: orgKey.secret, body: { isActive: true } })).statusCode).toBe(200);
      expect([await status(other), await status(bound)]).toEqual([200, 200]);

      // Revoking the API key stops every token issued to it.
      expect((await t.call('DELETE', `/v1/tenants/${tenantA2.id}/api-keys/${key.id}`)).statusCode).toBe(204);
      expect(await status(other)).toBe(401);
    });

    // Only PostgreSQL is shared by several nodes; the embedded database has one process, which marks its own revocations.
    if (store === 'postgres')
      it('sees a revocation written by another node within about a second', async () => {
        const token = await tokenFor(tenantA.apiKey);
        expect(await status(token)).toBe(200);
        const { jti, exp } = decodeJwt(token);
        await t.deps.database.db
          .insertInto('revoked_tokens')
          .values({ jti: jti!, revoked_at: new Date(), expires_at: new Date(exp! * 1000) })
          .execute();
        const started = Date.now();
        while (!t.deps.revocations.isTokenRevoked(jti!) && Date.now() - started < 1500) await new Promise((r) => setTimeout(r, 50));
        expect(t.deps.revocations.isTokenRevoked(jti!)).toBe(true);
        expect(await status(token)).toBe(401);
      });

    it('introspects tokens for their own organization only', async () => {
      const token = await tokenFor(orgKey, { tenant_id: tenantA.id, scope: 'tenants:read' });
      const config = await client.discovery(new URL(base), orgKey.id, undefined, client.ClientSecretBasic(orgKey.secret), {
        algorithm: 'oauth2',
        execute: [client.allowInsecureRequests],
      });
      const viaLibrary = await client.tokenIntrospection(config, token);
      expect(viaLibrary).toMatchObject({
        active: true,
        scope: 'tenants:read',
        client_id: orgKey.id,
        sub: orgKey.id,
        iss: base,
        aud: 'landlord',
        token_type: 'Bearer',
        org: orgA.id,
        tid: tenantA.id,
        role: 'owner',
        jti: decodeJwt(token).jti,
      });
      const asRoot = await form('/oauth/introspect', { token }, { authorization: `Bearer ${t.rootKey}` });
      expect([asRoot.headers['cache-control'], json(asRoot).active]).toEqual(['no-store', true]);
      const asTenant = await form('/oauth/introspect', { token, client_id: tenantA.apiKey.id, client_secret: tenantA.apiKey.secret });
      expect(json(asTenant).active).toBe(true);
      const asSibling = await form('/oauth/introspect', { token, client_id: tenantA2.apiKey.id, client_secret: tenantA2.apiKey.secret });
      expect(json(asSibling)).toEqual({ active: false });
      const asStranger = await form('/oauth/introspect', { token, client_id: tenantB.apiKey.id, client_secret: tenantB.apiKey.secret });
      expect(json(asStranger)).toEqual({ active: false });
      const anonymous = await form('/oauth/introspect', { token });
      expect([anonymous.statusCode, json(anonymous).error]).toEqual([401, 'invalid_client']);
      const noToken = await form('/oauth/introspect', {}, { authorization: basic(orgKey.id, orgKey.secret) });
      expect([noToken.statusCode, json(noToken).error]).toEqual([400, 'invalid_request']);
      expect((await client.tokenIntrospection(config, 'a.b.c')).active).toBe(false);

      await client.tokenRevocation(config, token);
      expect((await client.tokenIntrospection(config, token)).active).toBe(false);
    });

    it('rotates signing keys without breaking unexpired tokens, and other nodes learn the new key', async () => {
      // A second node on the same database, as a separate process would be.
      const nodeB = createOAuthService({
        db: t.deps.database.db,
        clock: t.deps.clock,
        secretBox: t.deps.secretBox,
        revocations: t.deps.revocations,
        issuer: base,
        tokenTtlSeconds: 3600,
      });
      await nodeB.start();
      const before = await tokenFor(tenantA.apiKey);
      const oldKid = decodeProtectedHeader(before).kid;
      expect((await nodeB.verifier.verify(before)).sub).toBe(tenantA.apiKey.id);

      const newKid = await t.deps.oauth.rotateSigningKey();
      expect(newKid).not.toBe(oldKid);
      expect(await status(before)).toBe(200);
      const afterwards = await tokenFor(tenantA.apiKey);
      expect(decodeProtectedHeader(afterwards).kid).toBe(newKid);
      expect(await status(afterwards)).toBe(200);
      expect((await nodeB.verifier.verify(afterwards)).sub).toBe(tenantA.apiKey.id);

      const res = await t.call('GET', '/.well-known/jwks.json', { key: null });
      expect(res.headers['cache-control']).toBe('public, max-age=300');
      const kids = json(res).keys.map((k: any) => k.kid);
      expect(kids).toEqual(expect.arrayContaining([oldKid, newKid]));
      for (const k of json(res).keys) expect(Object.keys(k).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x']);
      expect(res.body).not.toMatch(/"d"/);
      const jwks = createRemoteJWKSet(new URL(`${base}/.well-known/jwks.json`));
      for (const token of [before, afterwards]) {
        expect((await jwtVerify(token, jwks, { issuer: base, audience: 'landlord' })).payload.sub).toBe(tenantA.apiKey.id);
      }
      const stored = await t.deps.database.db.selectFrom('signing_keys').selectAll().execute();
      for (const row of stored) expect(row.private_jwk_sealed).not.toContain('"d"');
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
