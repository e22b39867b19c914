import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'expect';
import { SignJWT } from 'jose';
import { createSigningKeys } from '../src/modules/oauth/signing-keys.js';
import { createTestApp, json, stores, type TestApp } from './helpers.js';

// An access token lives no longer than the API key secret it was minted with.

for (const store of stores) {
  describe(`access tokens die with their key on ${store}`, () => {
    let t: TestApp;
    let tenant: any;
    before(async () => {
      t = await createTestApp(store);
      tenant = json(await t.call('POST', '/v1/tenants', { body: { name: 'Token Life Co' } }));
    });
    after(async () => {
      await t?.close();
    });

    const newKey = async (body: object = {}) => json(await t.call('POST', `/v1/tenants/${tenant.id}/api-keys`, { body }));
    const mint = async (key: { id: string }, secret: string) => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/oauth/token',
        payload: { grant_type: 'client_credentials', client_id: key.id, client_secret: secret },
      });
      expect(res.statusCode).toBe(200);
      return json(res).access_token as string;
    };
    const me = async (token: string) => (await t.call('GET', '/v1/tenants/me', { key: token })).statusCode;
    const introspect = async (token: string) =>
      json(await t.app.inject({ method: 'POST', url: '/oauth/introspect', headers: { authorization: `Bearer ${t.rootKey}` }, payload: { token } })).active;

    it('ends tokens of the old secret at once when a key is rotated without a grace period', async () => {
      const key = await newKey();
      const token = await mint(key, key.secret);
      expect(await me(token)).toBe(200);
      const rotated = json(await t.call('POST', `/v1/tenants/${tenant.id}/api-keys/${key.id}/rotate`, { body: { gracePeriodSeconds: 0 } }));
      expect(await me(token)).toBe(401);
      expect(await introspect(token)).toBe(false);
      // Tokens of the new secret, minted in the same second, work.
      const fresh = await mint(key, rotated.secret);
      expect(await me(fresh)).toBe(200);
      expect(await introspect(fresh)).toBe(true);
    });

    it('keeps tokens of the old secret for the grace period only', async () => {
      const key = await newKey();
      const token = await mint(key, key.secret);
      const rotated = json(await t.call('POST', `/v1/tenants/${tenant.id}/api-keys/${key.id}/rotate`, { body: { gracePeriodSeconds: 2 } }));
      expect(await me(token)).toBe(200);
      const duringGrace = await mint(key, key.secret);
      expect(await me(duringGrace)).toBe(200);
      const fresh = await mint(key, rotated.secret);
      await sleep(2200);
      expect(await me(token)).toBe(401);
      expect(await me(duringGrace)).toBe(401);
      expect(await me(fresh)).toBe(200);
    });

    it('ends a token exactly when its key expires, without a leeway', async () => {
      const key = await newKey({ expiresAt: new Date(Date.now() + 2500).toISOString() });
      const token = await mint(key, key.secret);
      expect(await me(token)).toBe(200);
      await sleep(2700);
      expect(await me(token)).toBe(401);
    });

    it('refuses a token whose iat lies in the future beyond clock skew', async () => {
      const key = await newKey();
      const keys = createSigningKeys({ db: t.deps.database.db, clock: t.deps.clock, secretBox: t.deps.secretBox, tokenTtlSeconds: 3600 });
      const signer = await keys.signer();
      const forge = (iatOffset: number) =>
        new SignJWT({ client_id: key.id, org: tenant.organizationId, tid: tenant.id, role: 'owner', scope: 'tenants:read' })
          .setProtectedHeader({ alg: 'EdDSA', kid: signer.kid, typ: 'at+jwt' })
          .setIssuer(t.baseUrl)
          .setSubject(key.id)
          .setAudience('landlord')
          .setIssuedAt(Math.floor(Date.now() / 1000) + iatOffset)
          .setExpirationTime(Math.floor(Date.now() / 1000) + 3600)
          .setJti(`jti-${iatOffset}`)
          .sign(signer.key);
      // The same token, honestly dated, is accepted: only the date differs.
      expect(await me(await forge(0))).toBe(200);
      expect(await me(await forge(10))).toBe(200);
      expect(await me(await forge(600))).toBe(401);
    });
  });
}
