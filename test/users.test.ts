import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { createTestApp, json, stores, type TestApp } from './helpers.js';

const PASSWORD = 'VerySecurePassword1999#';

function cookieOf(res: { headers: Record<string, unknown> }): string {
  const raw = String(res.headers['set-cookie']);
  return raw.split(';')[0];
}

for (const store of stores) {
  describe(`users and sign-in on ${store}`, () => {
    let t: TestApp;
    let tenant: any;
    before(async () => {
      t = await createTestApp(store);
      const res = await t.call('POST', '/v1/tenants', {
        body: { name: 'Contoso Tenant Ltd', owner: { name: 'Rene Brandel', email: 'rene@contoso.com', password: PASSWORD }, apiKey: {} },
      });
      expect(res.statusCode).toBe(201);
      tenant = json(res);
    });
    after(async () => {
      await t?.close();
    });

    const login = (email: string, password: string, ip = '203.0.113.7') =>
      t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password }, remoteAddress: ip });

    it('creates the owner with the tenant and returns a one-time sign-in link', async () => {
      expect(tenant.owner).toMatchObject({ name: 'Rene Brandel', email: 'rene@contoso.com' });
      expect(tenant.userCount).toBe(1);
      expect(tenant.signInUrl).toMatch(/^http:\/\/landlord\.test\/dashboard\/sign-in\?token=/);
      const token = new URL(tenant.signInUrl).searchParams.get('token');
      const first = await t.app.inject({ method: 'POST', url: '/v1/auth/sign-in-links/consume', payload: { token } });
      expect(first.statusCode).toBe(200);
      expect(json(first).user.email).toBe('rene@contoso.com');
      expect(String(first.headers['set-cookie'])).toMatch(/HttpOnly/);
      expect(String(first.headers['set-cookie'])).toMatch(/SameSite=Lax/);
      const again = await t.app.inject({ method: 'POST', url: '/v1/auth/sign-in-links/consume', payload: { token } });
      expect(again.statusCode).toBe(401);
      const me = await t.app.inject({ method: 'GET', url: '/v1/tenants/me', headers: { cookie: cookieOf(first) } });
      expect(json(me).id).toBe(tenant.id);
    });

    it('keeps emails unique in the deployment and passwords strong', async () => {
      const other = json(await t.call('POST', '/v1/tenants', { body: { name: 'Other Co' } }));
      const dup = await t.call('POST', `/v1/tenants/${other.id}/users`, { body: { email: 'RENE@contoso.com', name: 'Imposter', role: 'owner' } });
      expect(dup.statusCode).toBe(409);
      expect(json(dup).code).toBe('EMAIL_OCCUPIED');
      for (const weak of ['short1A', 'alllowercase1', 'ALLUPPERCASE1', 'NoDigitsHere']) {
        const res = await t.call('POST', `/v1/tenants/${other.id}/users`, {
          body: { email: `w${weak}@other.example`, name: 'W', role: 'owner', password: weak },
        });
        expect([weak, json(res).errors?.[0]?.code]).toEqual([weak, 'WEAK_PASSWORD']);
      }
      const dupOnCreate = await t.call('POST', '/v1/tenants', { body: { name: 'Dup Owner Co', owner: { name: 'x', email: 'rene@contoso.com' } } });
      expect(json(dupOnCreate).code).toBe('EMAIL_OCCUPIED');
      // The whole create is one transaction: the tenant is not left behind.
      expect(json(await t.call('GET', '/v1/tenants?search=dup%20owner')).count).toBe(0);
    });

    it('signs in with email and password and never returns or stores the password in the clear', async () => {
      const res = await login('rene@contoso.com', PASSWORD);
      expect(res.statusCode).toBe(200);
      const body = json(res);
      expect(body.user).toMatchObject({ email: 'rene@contoso.com', role: 'owner', tenantId: tenant.id });
      expect(res.body).not.toContain(PASSWORD);
      expect(body.user.password).toBeUndefined();
      const session = await t.app.inject({ method: 'GET', url: '/v1/auth/session', headers: { cookie: cookieOf(res) } });
      expect(json(session).user.lastSignInAt).not.toBeNull();
      const rows = await t.deps.database.db.selectFrom('users').select('password_hash').execute();
      expect(rows.map((r) => r.password_hash ?? '').join()).not.toContain(PASSWORD);
      expect(rows.some((r) => r.password_hash?.startsWith('scrypt$131072$8$1$'))).toBe(true);
      const list = await t.call('GET', `/v1/tenants/${tenant.id}/users`);
      expect(list.body).not.toContain('scrypt$');
      const exported = await t.call('GET', `/v1/tenants/${tenant.id}/export`);
      expect(exported.body).not.toContain('scrypt$');
    });

    it('needs the CSRF token for writes made with a session cookie', async () => {
      const res = await login('rene@contoso.com', PASSWORD);
      const cookie = cookieOf(res);
      const without = await t.app.inject({ method: 'PATCH', url: `/v1/tenants/${tenant.id}`, headers: { cookie }, payload: { description: 'x' } });
      expect(without.statusCode).toBe(403);
      const withToken = await t.app.inject({
        method: 'PATCH',
        url: `/v1/tenants/${tenant.id}`,
        headers: { cookie, 'x-csrf-token': json(res).csrfToken },
        payload: { description: 'x' },
      });
      expect(withToken.statusCode).toBe(200);
      const out = await t.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: { cookie, 'x-csrf-token': json(res).csrfToken } });
      expect(out.statusCode).toBe(204);
      expect((await t.app.inject({ method: 'GET', url: '/v1/tenants/me', headers: { cookie } })).statusCode).toBe(401);
    });

    it('lets owners manage their users; members only read their own tenant', async () => {
      const ownerKey = tenant.apiKey.secret;
      const member = await t.call('POST', `/v1/tenants/${tenant.id}/users`, {
        key: ownerKey,
        body: { email: 'member@contoso.com', name: 'Mia', password: PASSWORD },
      });
      expect(member.statusCode).toBe(201);
      expect(json(member).role).toBe('member');
      const session = await login('member@contoso.com', PASSWORD);
      const cookie = cookieOf(session);
      const headers = { cookie, 'x-csrf-token': json(session).csrfToken };
      expect((await t.app.inject({ method: 'GET', url: '/v1/tenants/me', headers })).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: `/v1/tenants/${tenant.id}`, headers })).statusCode).toBe(200);
      for (const [method, url, payload] of [
        ['GET', '/v1/tenants'],
        ['PATCH', `/v1/tenants/${tenant.id}`, { description: 'member edit' }],
        ['GET', `/v1/tenants/${tenant.id}/users`],
        ['POST', `/v1/tenants/${tenant.id}/users`, { email: 'x@contoso.com', name: 'x' }],
        ['GET', `/v1/tenants/${tenant.id}/api-keys`],
        ['DELETE', `/v1/tenants/${tenant.id}`],
      ] as const) {
        const res = await t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
        expect([method, url, res.statusCode]).toEqual([method, url, 403]);
      }
      // Another tenant is invisible to the member.
      const other = json(await t.call('POST', '/v1/tenants', { body: { name: 'Member Cannot See' } }));
      expect((await t.app.inject({ method: 'GET', url: `/v1/tenants/${other.id}`, headers })).statusCode).toBe(404);
      expect((await t.app.inject({ method: 'GET', url: `/v1/tenants/${other.id}/users`, headers })).statusCode).toBe(404);
      expect(json(await t.call('GET', `/v1/tenants/${tenant.id}`)).userCount).toBe(2);
    });

    it('keeps an owner while the tenant has users, and ends sessions of deleted or deactivated users', async () => {
      const users = json(await t.call('GET', `/v1/tenants/${tenant.id}/users`)).results;
      const owner = users.find((u: any) => u.role === 'owner');
      const member = users.find((u: any) => u.role === 'member');
      const demote = await t.call('PATCH', `/v1/tenants/${tenant.id}/users/${owner.id}`, { body: { role: 'member' } });
      expect(demote.statusCode).toBe(409);
      expect(json(demote).code).toBe('LAST_OWNER');
      expect((await t.call('DELETE', `/v1/tenants/${tenant.id}/users/${owner.id}`)).statusCode).toBe(409);
      const session = await login('member@contoso.com', PASSWORD);
      const cookie = cookieOf(session);
      expect((await t.app.inject({ method: 'GET', url: '/v1/tenants/me', headers: { cookie } })).statusCode).toBe(200);
      expect(json(await t.call('PATCH', `/v1/tenants/${tenant.id}/users/${member.id}`, { body: { isActive: false } })).isActive).toBe(false);
      expect((await t.app.inject({ method: 'GET', url: '/v1/tenants/me', headers: { cookie } })).statusCode).toBe(401);
      expect((await login('member@contoso.com', PASSWORD)).statusCode).toBe(401);
      expect((await t.call('DELETE', `/v1/tenants/${tenant.id}/users/${member.id}`)).statusCode).toBe(204);
      const sessions = await t.deps.database.db.selectFrom('sessions').select('id').where('user_id', '=', member.id).execute();
      expect(sessions).toHaveLength(0);
      const link = json(await t.call('POST', `/v1/tenants/${tenant.id}/users/${owner.id}/sign-in-links`));
      expect(new Date(link.expiresAt).getTime() - Date.now()).toBeGreaterThan(14 * 60_000);
      expect(new Date(link.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    });

    it("signs out a deactivated tenant's users and restores them on reactivation", async () => {
      const session = await login('rene@contoso.com', PASSWORD);
      const cookie = cookieOf(session);
      await t.call('PATCH', `/v1/tenants/${tenant.id}`, { body: { isActive: false } });
      expect((await t.app.inject({ method: 'GET', url: '/v1/tenants/me', headers: { cookie } })).statusCode).toBe(401);
      expect((await login('rene@contoso.com', PASSWORD)).statusCode).toBe(401);
      await t.call('PATCH', `/v1/tenants/${tenant.id}`, { body: { isActive: true } });
      expect((await t.app.inject({ method: 'GET', url: '/v1/tenants/me', headers: { cookie } })).statusCode).toBe(200);
    });

    it("manages organization admins, and makes an existing user a new tenant's owner", async () => {
      const org = json(await t.call('POST', '/v1/organizations', { body: { name: 'Semaphor' } }));
      const admin = await t.call('POST', `/v1/organizations/${org.id}/users`, { body: { email: 'admin@semaphor.example', name: 'Ada', password: PASSWORD } });
      expect(admin.statusCode).toBe(201);
      expect(json(admin).role).toBe('admin');
      const session = await login('admin@semaphor.example', PASSWORD);
      const headers = { cookie: cookieOf(session), 'x-csrf-token': json(session).csrfToken };
      const created = await t.app.inject({ method: 'POST', url: '/v1/tenants', headers, payload: { name: 'Semaphor Customer' } });
      expect(created.statusCode).toBe(201);
      expect(json(created).organizationId).toBe(org.id);
      expect((await t.app.inject({ method: 'GET', url: `/v1/tenants/${tenant.id}`, headers })).statusCode).toBe(404);
      const superUser = await t.app.inject({
        method: 'POST',
        url: `/v1/organizations/${org.id}/users`,
        headers,
        payload: { email: 's@semaphor.example', name: 'S', role: 'superadmin' },
      });
      expect(superUser.statusCode).toBe(403);
      const spare = json(await t.call('POST', `/v1/organizations/${org.id}/users`, { body: { email: 'owner-to-be@semaphor.example', name: 'Otto' } }));
      const withOwner = await t.app.inject({ method: 'POST', url: '/v1/tenants', headers, payload: { name: 'Semaphor Second', ownerId: spare.id } });
      expect(withOwner.statusCode).toBe(201);
      expect(json(withOwner).owner).toMatchObject({ id: spare.id, email: 'owner-to-be@semaphor.example' });
      const reuse = await t.app.inject({ method: 'POST', url: '/v1/tenants', headers, payload: { name: 'Semaphor Third', ownerId: spare.id } });
      expect(json(reuse).errors[0]).toMatchObject({ field: 'ownerId' });
    });
  });
}
