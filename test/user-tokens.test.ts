import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'expect';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { createRevocations } from '../src/modules/credentials/revocations.js';
import { createTestApp, json, stores, type TestApp } from './helpers.js';

const PASSWORD = 'VerySecurePassword1999#';

// Session tokens: a signed-in user's short-lived JWT, for the platform's backend to verify through
// the JWKS and for Landlord's own API to accept as that user's session.
for (const store of stores) {
  describe(`session tokens on ${store}`, () => {
    let t: TestApp;
    let tenant: { id: string; key: string; keyId: string };
    before(async () => {
      t = await createTestApp(store);
      await t.call('POST', '/v1/plans', { body: { key: 'pro', name: 'Pro', features: { sso: true, seats: 50 } } });
      await t.call('POST', '/v1/roles', { body: { key: 'viewer', name: 'Viewer', permissions: ['users:read', 'reports:view'] } });
      const created = json(
        await t.call('POST', '/v1/tenants', {
          body: { name: 'Token Co', plan: 'pro', owner: { name: 'Owen', email: 'owen@tokens.test', password: PASSWORD }, apiKey: { name: 'backend' } },
        }),
      );
      tenant = { id: created.id, key: created.apiKey.secret, keyId: created.apiKey.id };
    });
    after(async () => {
      await t?.close();
    });

    const member = async (email: string, roles: string[] = ['viewer']) => {
      const res = await t.call('POST', `/v1/tenants/${tenant.id}/users`, { body: { email, name: email.split('@')[0], password: PASSWORD, roles } });
      expect(res.statusCode).toBe(201);
      return json(res);
    };
    const signIn = async (email: string) => {
      const res = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password: PASSWORD } });
      expect(res.statusCode).toBe(200);
      return { cookie: String(res.headers['set-cookie']).split(';')[0]!, csrf: json(res).csrfToken as string };
    };
    const tokenFor = async (email: string) => {
      const s = await signIn(email);
      const res = await t.app.inject({ method: 'POST', url: '/v1/auth/token', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
      expect(res.statusCode).toBe(200);
      return json(res).access_token as string;
    };
    const bearer = (token: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
      t.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
    const introspect = async (token: string) =>
      json(
        await t.app.inject({
          method: 'POST',
          url: '/oauth/introspect',
          payload: { token, client_id: tenant.keyId, client_secret: tenant.key },
        }),
      );

    it('issues a token only to a signed-in browser that sends its CSRF token', async () => {
      await member('csrf@tokens.test');
      const s = await signIn('csrf@tokens.test');
      expect((await t.app.inject({ method: 'POST', url: '/v1/auth/token', headers: { cookie: s.cookie } })).statusCode).toBe(403);
      expect((await t.app.inject({ method: 'POST', url: '/v1/auth/token', headers: { cookie: s.cookie, 'x-csrf-token': 'wrong' } })).statusCode).toBe(403);
      expect((await t.app.inject({ method: 'POST', url: '/v1/auth/token' })).statusCode).toBe(401);
      // An API key is no session.
      expect((await t.app.inject({ method: 'POST', url: '/v1/auth/token', headers: { authorization: `Bearer ${tenant.key}` } })).statusCode).toBe(401);
      const res = await t.app.inject({ method: 'POST', url: '/v1/auth/token', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(json(res)).toMatchObject({ token_type: 'Bearer' });
      expect(json(res).expires_in).toBeGreaterThan(250);
      expect(json(res).expires_in).toBeLessThanOrEqual(300);
    });

    it('signs the user, its roles, permissions, plan and features with the keys of the JWKS', async () => {
      const user = await member('vera@tokens.test');
      const token = await tokenFor('vera@tokens.test');
      const jwks = createLocalJWKSet(json(await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })));
      const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: 'http://landlord.test', audience: 'landlord' });
      expect(protectedHeader.alg).toBe('EdDSA');
      expect(payload).toMatchObject({
        sub: user.id,
        token_use: 'user',
        org: t.deps.defaultOrganizationId,
        tid: tenant.id,
        role: 'member',
        roles: ['viewer'],
        permissions: ['tenants:read', 'reports:view', 'users:read'],
        plan: 'pro',
        features: { sso: true, seats: 50 },
      });
      expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(300);
      expect(payload).not.toHaveProperty('client_id');
      // An API key's token names its key and carries no token_use: the two cannot pass for each other.
      const keyToken = json(
        await t.app.inject({
          method: 'POST',
          url: '/oauth/token',
          payload: { grant_type: 'client_credentials', client_id: tenant.keyId, client_secret: tenant.key },
        }),
      ).access_token;
      expect(decodeJwt(keyToken)).not.toHaveProperty('token_use');
      expect(decodeJwt(keyToken).sub).toBe(tenant.keyId);

      expect(await introspect(token)).toMatchObject({ active: true, sub: user.id, token_use: 'user', roles: ['viewer'], plan: 'pro' });
      expect(await introspect(token)).not.toHaveProperty('client_id');
    });

    it("acts on Landlord's API as the user's session would, with its permissions", async () => {
      const member1 = await member('tia@tokens.test');
      const token = await tokenFor('tia@tokens.test');
      for (const url of ['/v1/tenants/me', `/v1/tenants/${tenant.id}/users`, `/v1/tenants/${tenant.id}/users/${member1.id}`, '/v1/tenants/me/entitlements']) {
        const res = await bearer(token, 'GET', url);
        expect([url, res.statusCode]).toEqual([url, 200]);
      }
      for (const [method, url, payload] of [
        ['POST', `/v1/tenants/${tenant.id}/users`, { email: 'no@tokens.test', name: 'No' }],
        ['GET', `/v1/tenants/${tenant.id}/api-keys`],
        ['PATCH', `/v1/tenants/${tenant.id}`, { description: 'by token' }],
        ['GET', '/v1/tenants'],
        ['GET', '/v1/roles'],
      ] as const) {
        const res = await bearer(token, method, url, payload);
        expect([method, url, res.statusCode]).toEqual([method, url, 403]);
      }
      // The owner's token manages the tenant, and its changes are audited as the user's.
      const ownerToken = await tokenFor('owen@tokens.test');
      expect(decodeJwt(ownerToken)).toMatchObject({ role: 'owner', roles: [] });
      const patched = await bearer(ownerToken, 'PATCH', `/v1/tenants/${tenant.id}`, { description: 'by the owner token' });
      expect(patched.statusCode).toBe(200);
      const audit = json(await t.call('GET', `/v1/audit-logs?tenantId=${tenant.id}&action=tenant.update`)).results[0];
      expect(audit.actor).toMatchObject({ type: 'user', id: decodeJwt(ownerToken).sub });
    });

    it('stops a deactivated or deleted user at once, on this node and on others within a poll', async () => {
      const other = createRevocations({ db: t.deps.database.db, clock: t.deps.clock, maxTokenTtlSeconds: 3600, pollMs: 0 });
      await other.start();
      const user = await member('dana@tokens.test');
      const token = await tokenFor('dana@tokens.test');
      const { iat } = decodeJwt(token);
      expect((await bearer(token, 'GET', '/v1/tenants/me')).statusCode).toBe(200);
      expect((await t.call('PATCH', `/v1/tenants/${tenant.id}/users/${user.id}`, { body: { isActive: false } })).statusCode).toBe(200);
      expect((await bearer(token, 'GET', '/v1/tenants/me')).statusCode).toBe(401);
      expect(await introspect(token)).toEqual({ active: false });
      await other.refresh();
      expect(other.isUserRevoked(user.id, iat!)).toBe(true);

      // Reactivated, the user signs in again and gets a token that works (issued after the revocation).
      await t.call('PATCH', `/v1/tenants/${tenant.id}/users/${user.id}`, { body: { isActive: true } });
      await sleep(1100);
      const fresh = await tokenFor('dana@tokens.test');
      expect((await bearer(fresh, 'GET', '/v1/tenants/me')).statusCode).toBe(200);
      expect((await introspect(fresh)).active).toBe(true);

      expect((await t.call('DELETE', `/v1/tenants/${tenant.id}/users/${user.id}`)).statusCode).toBe(204);
      expect((await bearer(fresh, 'GET', '/v1/tenants/me')).statusCode).toBe(401);
      expect(await introspect(fresh)).toEqual({ active: false });
      await other.refresh();
      expect(other.isUserRevoked(user.id, decodeJwt(fresh).iat!)).toBe(true);
    });

    it("stops tokens that carry permissions the user no longer holds, and the suspended tenant's", async () => {
      await t.call('POST', '/v1/roles', { body: { key: 'temp', name: 'Temp', permissions: ['users:read'] } });
      await member('rita@tokens.test', ['temp']);
      const token = await tokenFor('rita@tokens.test');
      expect((await bearer(token, 'GET', `/v1/tenants/${tenant.id}/users`)).statusCode).toBe(200);
      expect((await t.call('DELETE', '/v1/roles/temp')).statusCode).toBe(204);
      expect((await bearer(token, 'GET', `/v1/tenants/${tenant.id}/users`)).statusCode).toBe(401);
      expect(await introspect(token)).toEqual({ active: false });

      await sleep(1100);
      const owner = await tokenFor('owen@tokens.test');
      expect((await bearer(owner, 'GET', '/v1/tenants/me')).statusCode).toBe(200);
      await t.call('PATCH', `/v1/tenants/${tenant.id}`, { body: { status: 'suspended', suspendedReason: 'test' } });
      expect((await bearer(owner, 'GET', '/v1/tenants/me')).statusCode).toBe(401);
      await t.call('PATCH', `/v1/tenants/${tenant.id}`, { body: { status: 'active' } });
      expect((await bearer(owner, 'GET', '/v1/tenants/me')).statusCode).toBe(200);
    });
  });
}
