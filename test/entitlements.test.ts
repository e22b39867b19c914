import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { decodeJwt } from 'jose';
import { createTestApp, json, stores, type TestApp } from './helpers.js';

const PASSWORD = 'VerySecurePassword1999#';

// Plans, per-tenant features and limits, and what tenants are entitled to: as admins set them up
// and as the tenant's credentials and downstream services see them.
for (const store of stores) {
  describe(`plans and entitlements on ${store}`, () => {
    let t: TestApp;
    let otherOrgKey: string;
    before(async () => {
      t = await createTestApp(store);
      const org = json(await t.call('POST', '/v1/organizations', { body: { name: 'Elsewhere' } }));
      otherOrgKey = json(await t.call('POST', `/v1/organizations/${org.id}/api-keys`, { body: { name: 'admin' } })).secret;
    });
    after(async () => {
      await t?.close();
    });

    const tenantWithKey = async (name: string, body: object = {}) => {
      const created = json(await t.call('POST', '/v1/tenants', { body: { name, apiKey: { name: 'backend' }, ...body } }));
      return { id: created.id as string, key: created.apiKey.secret as string, keyId: created.apiKey.id as string, created };
    };
    const eventTypes = async (query: string) =>
      json(await t.call('GET', `/v1/events?${query}&limit=100`)).results.map((e: { type: string }) => e.type) as string[];

    it('creates, lists, updates and deletes plans, with events and clear errors', async () => {
      const created = await t.call('POST', '/v1/plans', {
        body: { key: 'starter', name: 'Starter', features: { sso: false, seats: 5, tier: 'basic' }, limits: { users: 5, apiKeys: 2 } },
      });
      expect(created.statusCode).toBe(201);
      expect(created.headers.location).toBe('/v1/plans/starter');
      expect(json(created)).toMatchObject({
        key: 'starter',
        name: 'Starter',
        features: { sso: false, seats: 5, tier: 'basic' },
        limits: { users: 5, apiKeys: 2 },
        tenantCount: 0,
      });

      const again = await t.call('POST', '/v1/plans', { body: { key: 'starter', name: 'Other' } });
      expect(again.statusCode).toBe(409);
      expect(json(again).code).toBe('PLAN_KEY_OCCUPIED');
      const bad = await t.call('POST', '/v1/plans', {
        body: { key: 'Not A Key', name: 'x', limits: { users: -1, seats: 3 }, features: { ok: { nested: true } } },
      });
      expect(bad.statusCode).toBe(422);
      expect(
        json(bad)
          .errors.map((e: { field: string; code: string }) => `${e.field}:${e.code}`)
          .sort(),
      ).toEqual(expect.arrayContaining(['key:BAD_PLAN_KEY', 'limits.users:BAD_LIMITS']));
      expect(json(bad).errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['features.ok']));

      const patched = await t.call('PATCH', '/v1/plans/starter', {
        body: { name: 'Starter 2', features: { tier: null, api: true }, limits: { apiKeys: null, webhooks: 1 } },
      });
      expect(patched.statusCode).toBe(200);
      expect(json(patched)).toMatchObject({ name: 'Starter 2', features: { sso: false, seats: 5, api: true }, limits: { users: 5, webhooks: 1 } });
      expect(json(patched).features).not.toHaveProperty('tier');
      expect(json(patched).limits).not.toHaveProperty('apiKeys');

      expect(json(await t.call('GET', '/v1/plans')).results.map((p: { key: string }) => p.key)).toContain('starter');
      expect((await t.call('GET', '/v1/plans/nope')).statusCode).toBe(404);
      expect((await t.call('DELETE', '/v1/plans/starter')).statusCode).toBe(204);
      expect((await t.call('GET', '/v1/plans/starter')).statusCode).toBe(404);

      const types = await eventTypes(`organizationId=${t.deps.defaultOrganizationId}`);
      expect(types).toEqual(expect.arrayContaining(['plan.created', 'plan.updated', 'plan.deleted']));
      const audit = json(await t.call('GET', '/v1/audit-logs?limit=100')).results.map((e: { action: string }) => e.action);
      expect(audit).toEqual(expect.arrayContaining(['plan.create', 'plan.update', 'plan.delete']));
    });

    it("keeps plans to administrators of their organization: tenant callers get 403, other organizations' admins 404", async () => {
      await t.call('POST', '/v1/plans', { body: { key: 'private', name: 'Private' } });
      const tenant = await tenantWithKey('Plan Snoop');
      for (const [method, url] of [
        ['GET', '/v1/plans'],
        ['GET', '/v1/plans/private'],
        ['PATCH', '/v1/plans/private'],
        ['DELETE', '/v1/plans/private'],
      ] as const) {
        const res = await t.call(method, url, { key: tenant.key, ...(method === 'PATCH' ? { body: { name: 'Mine' } } : {}) });
        expect([method, url, res.statusCode]).toEqual([method, url, 403]);
      }
      expect((await t.call('POST', '/v1/plans', { key: tenant.key, body: { key: 'mine', name: 'Mine' } })).statusCode).toBe(403);
      // Another organization has its own plans: this one's do not exist for it.
      expect((await t.call('GET', '/v1/plans/private', { key: otherOrgKey })).statusCode).toBe(404);
      expect((await t.call('PATCH', '/v1/plans/private', { key: otherOrgKey, body: { name: 'Stolen' } })).statusCode).toBe(404);
      expect((await t.call('DELETE', '/v1/plans/private', { key: otherOrgKey })).statusCode).toBe(404);
      expect(json(await t.call('GET', '/v1/plans', { key: otherOrgKey })).results).toEqual([]);
      expect((await t.call('GET', `/v1/plans/private?organizationId=${t.deps.defaultOrganizationId}`, { key: otherOrgKey })).statusCode).toBe(404);
      expect(json(await t.call('GET', '/v1/plans/private')).name).toBe('Private');
    });

    it("merges the plan's features and limits with the tenant's own, key by key, and follows plan changes at once", async () => {
      await t.call('POST', '/v1/plans', {
        body: { key: 'pro', name: 'Pro', features: { sso: true, seats: 50, region: 'eu' }, limits: { users: 50, webhooks: 10 } },
      });
      const tenant = await tenantWithKey('Entitled', { plan: 'pro', features: { seats: 75 }, limits: { users: 80 } });
      expect(tenant.created).toMatchObject({
        plan: 'pro',
        features: { seats: 75 },
        limits: { users: 80 },
        entitlements: { plan: 'pro', features: { sso: true, seats: 75, region: 'eu' }, limits: { users: 80, webhooks: 10 } },
      });
      expect(json(await t.call('GET', '/v1/plans/pro')).tenantCount).toBe(1);
      expect(json(await t.call('GET', '/v1/tenants?plan=pro')).results.map((r: { id: string }) => r.id)).toEqual([tenant.id]);

      await t.call('PATCH', '/v1/plans/pro', { body: { features: { audit: true }, limits: { webhooks: 20 } } });
      const me = await t.call('GET', '/v1/tenants/me/entitlements', { key: tenant.key });
      expect(me.statusCode).toBe(200);
      expect(json(me)).toEqual({ plan: 'pro', features: { sso: true, seats: 75, region: 'eu', audit: true }, limits: { users: 80, webhooks: 20 } });

      // A tenant's own value set to null falls back to the plan's.
      const patched = json(await t.call('PATCH', `/v1/tenants/${tenant.id}`, { body: { features: { seats: null, beta: 'on' } } }));
      expect(patched.features).toEqual({ beta: 'on' });
      expect(patched.entitlements.features).toEqual({ sso: true, seats: 50, region: 'eu', audit: true, beta: 'on' });
      const off = json(await t.call('PATCH', `/v1/tenants/${tenant.id}`, { body: { plan: null } }));
      expect(off.entitlements).toEqual({ plan: null, features: { beta: 'on' }, limits: { users: 80 } });

      const types = await eventTypes(`tenantId=${tenant.id}`);
      expect(types.filter((x) => x === 'tenant.entitlements_updated')).toHaveLength(2);
      // A change that leaves the entitlements as they were is no entitlements event.
      await t.call('PATCH', `/v1/tenants/${tenant.id}`, { body: { displayName: 'Entitled Inc.' } });
      expect((await eventTypes(`tenantId=${tenant.id}`)).filter((x) => x === 'tenant.entitlements_updated')).toHaveLength(2);
    });

    it("refuses a plan that does not exist in the tenant's organization, a plan in use, and entitlement changes by owners", async () => {
      const unknown = await t.call('POST', '/v1/tenants', { body: { name: 'No Such Plan', plan: 'platinum' } });
      expect(unknown.statusCode).toBe(422);
      expect(json(unknown).errors).toEqual([expect.objectContaining({ field: 'plan', code: 'PLAN_NOT_FOUND' })]);
      // Another organization's plan of the same key is not this tenant's to use.
      await t.call('POST', '/v1/plans', { key: otherOrgKey, body: { key: 'theirs', name: 'Theirs' } });
      const foreign = await t.call('POST', '/v1/tenants', { body: { name: 'Foreign Plan', plan: 'theirs' } });
      expect(json(foreign).errors?.[0]).toMatchObject({ field: 'plan', code: 'PLAN_NOT_FOUND' });

      await t.call('POST', '/v1/plans', { body: { key: 'team', name: 'Team', limits: { users: 3 } } });
      const tenant = await tenantWithKey('Owner Wants More', { plan: 'team' });
      const inUse = await t.call('DELETE', '/v1/plans/team');
      expect(inUse.statusCode).toBe(409);
      expect(json(inUse).code).toBe('PLAN_IN_USE');

      for (const body of [{ plan: null }, { limits: { users: 1000 } }, { features: { sso: true } }]) {
        const res = await t.call('PATCH', `/v1/tenants/${tenant.id}`, { key: tenant.key, body });
        expect([body, res.statusCode]).toEqual([body, 403]);
      }
      // Owners read them, and may send them back unchanged.
      const own = await t.call('GET', `/v1/tenants/${tenant.id}`, { key: tenant.key });
      expect(json(own).entitlements).toEqual({ plan: 'team', features: {}, limits: { users: 3 } });
      expect((await t.call('PATCH', `/v1/tenants/${tenant.id}`, { key: tenant.key, body: { plan: 'team', displayName: 'Still Team' } })).statusCode).toBe(200);
      const orgLevel = await t.call('GET', '/v1/tenants/me/entitlements');
      expect(orgLevel.statusCode).toBe(404);
    });

    it('puts plan and features into tenant tokens, introspection and sessions', async () => {
      await t.call('POST', '/v1/plans', { body: { key: 'gold', name: 'Gold', features: { sso: true, seats: 20 } } });
      const email = 'owner@gold.example';
      const tenant = await tenantWithKey('Gold Tenant', { plan: 'gold', features: { color: 'gold' }, owner: { email, password: PASSWORD } });
      const token = json(
        await t.app.inject({
          method: 'POST',
          url: '/oauth/token',
          payload: { grant_type: 'client_credentials', client_id: tenant.keyId, client_secret: tenant.key },
        }),
      ).access_token as string;
      expect(decodeJwt(token)).toMatchObject({ tid: tenant.id, plan: 'gold', features: { sso: true, seats: 20, color: 'gold' } });
      expect(json(await t.call('GET', '/v1/tenants/me/entitlements', { key: token })).plan).toBe('gold');

      // Introspection tells a resource server what the tenant has now, not only what the token says.
      await t.call('PATCH', `/v1/tenants/${tenant.id}`, { body: { features: { color: 'silver' } } });
      const introspected = json(
        await t.app.inject({ method: 'POST', url: '/oauth/introspect', headers: { authorization: `Bearer ${t.rootKey}` }, payload: { token } }),
      );
      expect(introspected).toMatchObject({ active: true, tid: tenant.id, plan: 'gold', features: { sso: true, seats: 20, color: 'silver' } });

      const login = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password: PASSWORD } });
      expect(json(login)).toMatchObject({ plan: 'gold', features: { color: 'silver' } });
      const cookie = String(login.headers['set-cookie']).split(';')[0];
      const session = json(await t.app.inject({ method: 'GET', url: '/v1/auth/session', headers: { cookie } }));
      expect(session).toMatchObject({ plan: 'gold', features: { sso: true, seats: 20, color: 'silver' } });
    });

    it('refuses users, API keys and webhooks beyond their limit with 409 QUOTA_EXCEEDED, counting what is in force', async () => {
      await t.call('POST', '/v1/plans', { body: { key: 'tiny', name: 'Tiny', limits: { users: 2, apiKeys: 2, webhooks: 1 } } });
      const tenant = await tenantWithKey('Tiny Tenant', { plan: 'tiny', owner: { email: 'owner@tiny.example' } });
      const user = await t.call('POST', `/v1/tenants/${tenant.id}/users`, { body: { email: 'second@tiny.example', name: 'Second' } });
      expect(user.statusCode).toBe(201);
      const third = await t.call('POST', `/v1/tenants/${tenant.id}/users`, { body: { email: 'third@tiny.example', name: 'Third' } });
      expect(third.statusCode).toBe(409);
      expect(json(third)).toMatchObject({ code: 'QUOTA_EXCEEDED' });
      expect(json(third).detail).toContain('2 users');

      const key2 = await t.call('POST', `/v1/tenants/${tenant.id}/api-keys`, { body: { name: 'second' } });
      expect(key2.statusCode).toBe(201);
      expect(json(await t.call('POST', `/v1/tenants/${tenant.id}/api-keys`, { body: { name: 'third' } })).code).toBe('QUOTA_EXCEEDED');
      // A revoked key no longer counts.
      expect((await t.call('DELETE', `/v1/tenants/${tenant.id}/api-keys/${json(key2).id}`)).statusCode).toBe(204);
      expect((await t.call('POST', `/v1/tenants/${tenant.id}/api-keys`, { body: { name: 'third' } })).statusCode).toBe(201);

      expect((await t.call('POST', `/v1/tenants/${tenant.id}/webhooks`, { body: { url: 'https://hooks.example.com/a' } })).statusCode).toBe(201);
      const hook2 = await t.call('POST', `/v1/tenants/${tenant.id}/webhooks`, { key: tenant.key, body: { url: 'https://hooks.example.com/b' } });
      expect(hook2.statusCode).toBe(409);
      expect(json(hook2).code).toBe('QUOTA_EXCEEDED');

      // The tenant's own limit overrides the plan's; raising it makes room.
      await t.call('PATCH', `/v1/tenants/${tenant.id}`, { body: { limits: { webhooks: 2 } } });
      expect((await t.call('POST', `/v1/tenants/${tenant.id}/webhooks`, { body: { url: 'https://hooks.example.com/b' } })).statusCode).toBe(201);
      // Nothing over the limit was made along the way.
      expect(json(await t.call('GET', `/v1/tenants/${tenant.id}/users`)).results).toHaveLength(2);
    });

    it('makes exactly the limit under 20 parallel creates of each kind', async () => {
      const tenant = await tenantWithKey('Racing Tenant', { owner: { email: 'owner@race.example' }, limits: { users: 5, apiKeys: 5, webhooks: 5 } });
      const race = async (create: (i: number) => Promise<{ statusCode: number }>) => {
        const statuses = (await Promise.all(Array.from({ length: 20 }, (_, i) => create(i)))).map((r) => r.statusCode);
        return { made: statuses.filter((s) => s === 201).length, refused: statuses.filter((s) => s === 409).length };
      };
      // One user (the owner) and one key (the tenant's) exist already.
      expect(await race((i) => t.call('POST', `/v1/tenants/${tenant.id}/users`, { body: { email: `u${i}@race.example`, name: `U${i}` } }))).toEqual({
        made: 4,
        refused: 16,
      });
      expect(await race((i) => t.call('POST', `/v1/tenants/${tenant.id}/api-keys`, { body: { name: `k${i}` } }))).toEqual({ made: 4, refused: 16 });
      expect(await race((i) => t.call('POST', `/v1/tenants/${tenant.id}/webhooks`, { body: { url: `https://hooks.example.com/${i}` } }))).toEqual({
        made: 5,
        refused: 15,
      });
      expect(json(await t.call('GET', `/v1/tenants/${tenant.id}/users`)).results).toHaveLength(5);
      expect(json(await t.call('GET', `/v1/tenants/${tenant.id}/api-keys`)).results).toHaveLength(5);
      expect(json(await t.call('GET', `/v1/tenants/${tenant.id}/webhooks?limit=100`)).results).toHaveLength(5);
    });
  });
}
