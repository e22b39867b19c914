import { before, describe, it } from 'node:test';
import { expect } from 'expect';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import * as client from 'openid-client';
import { createOAuthService } from '../src/modules/oauth/oauth.service.js';
import { json, stores, type TestApp } from './helpers.js';
import { b64url, basic, useOAuthFixture } from './support/oauth.js';

// Checking OAuth access tokens: forged and expired ones, revocation, introspection, and signing key rotation.
for (const store of stores) {
  describe(`OAuth token verification on ${store}`, () => {
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

    it('stops the tokens and keys of an organization when it is deleted', async () => {
      const org = json(await t.call('POST', '/v1/organizations', { body: { name: 'Short Lived Org' } }));
      const key = json(await t.call('POST', `/v1/organizations/${org.id}/api-keys`, { body: { name: 'org key' } }));
      const token = await tokenFor(key);
      expect([await status(token, '/v1/tenants'), await status(key.secret, '/v1/tenants')]).toEqual([200, 200]);
      expect((await t.call('DELETE', `/v1/organizations/${org.id}`)).statusCode).toBe(204);
      expect([await status(token, '/v1/tenants'), await status(key.secret, '/v1/tenants')]).toEqual([401, 401]);
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
  });
}
