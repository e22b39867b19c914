import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { createTestApp, json, stores, type TestApp } from './helpers.js';

const PASSWORD = 'VerySecurePassword1999#';

// Custom roles: administrators define them per organization, admins and owners grant them to
// users, and what a user holds decides what its session may do in Landlord's own API.
for (const store of stores) {
  describe(`custom roles on ${store}`, () => {
    let t: TestApp;
    let tenant: { id: string; key: string; ownerId: string };
    let otherOrgKey: string;
    before(async () => {
      t = await createTestApp(store);
      const created = json(
        await t.call('POST', '/v1/tenants', {
          body: { name: 'Roles Co', owner: { name: 'Olga Owner', email: 'olga@roles.test', password: PASSWORD }, apiKey: { name: 'backend' } },
        }),
      );
      tenant = { id: created.id, key: created.apiKey.secret, ownerId: created.owner.id };
      const org = json(await t.call('POST', '/v1/organizations', { body: { name: 'Roles Elsewhere' } }));
      otherOrgKey = json(await t.call('POST', `/v1/organizations/${org.id}/api-keys`, { body: { name: 'admin' } })).secret;
    });
    after(async () => {
      await t?.close();
    });

    const signIn = async (email: string) => {
      const res = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password: PASSWORD } });
      expect(res.statusCode).toBe(200);
      const cookie = String(res.headers['set-cookie']).split(';')[0]!;
      return { body: json(res), headers: { cookie, 'x-csrf-token': json(res).csrfToken as string } };
    };
    const as = (headers: Record<string, string>, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
      t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
    const createRole = async (key: string, permissions: string[]) => {
      const res = await t.call('POST', '/v1/roles', { body: { key, name: key, permissions } });
      expect(res.statusCode).toBe(201);
      return json(res);
    };
    const member = async (email: string, roles: string[] = []) => {
      const res = await t.call('POST', `/v1/tenants/${tenant.id}/users`, { body: { email, name: email.split('@')[0], password: PASSWORD, roles } });
      expect(res.statusCode).toBe(201);
      return json(res);
    };

    it('creates, lists, updates and deletes roles, with events, audit entries and clear errors', async () => {
      const created = await t.call('POST', '/v1/roles', {
        body: { key: 'support', name: 'Support', description: 'Answers tickets', permissions: ['users:read', 'tickets:read', 'users:read'] },
      });
      expect(created.statusCode).toBe(201);
      expect(created.headers.location).toBe('/v1/roles/support');
      expect(json(created)).toMatchObject({
        key: 'support',
        organizationId: t.deps.defaultOrganizationId,
        name: 'Support',
        description: 'Answers tickets',
        permissions: ['tickets:read', 'users:read'],
        userCount: 0,
      });

      const again = await t.call('POST', '/v1/roles', { body: { key: 'support', name: 'Other', permissions: [] } });
      expect([again.statusCode, json(again).code]).toEqual([409, 'ROLE_KEY_OCCUPIED']);
      const bad = await t.call('POST', '/v1/roles', { body: { key: '9lives', name: 'x', permissions: ['users:fly', 'Not A Permission', 'content:post'] } });
      expect(bad.statusCode).toBe(422);
      expect(json(bad).errors.map((e: { field: string; code: string }) => `${e.field}:${e.code}`)).toEqual(expect.arrayContaining(['key:BAD_ROLE_KEY']));
      const badScope = await t.call('POST', '/v1/roles', { body: { key: 'flyer', name: 'x', permissions: ['content:post', 'users:fly'] } });
      expect(json(badScope).errors).toEqual([expect.objectContaining({ field: 'permissions.1', code: 'BAD_SCOPE' })]);
      expect((await t.call('POST', '/v1/roles', { body: { key: 'x', name: 'x', permissions: [], userCount: 3 } })).statusCode).toBe(422);

      const patched = await t.call('PATCH', '/v1/roles/support', { body: { name: 'Support desk', description: null, permissions: ['tickets:write'] } });
      expect(patched.statusCode).toBe(200);
      expect(json(patched)).toMatchObject({ name: 'Support desk', description: null, permissions: ['tickets:write'] });
      expect(json(await t.call('GET', '/v1/roles')).results.map((r: { key: string }) => r.key)).toContain('support');
      expect(json(await t.call('GET', '/v1/roles/support')).name).toBe('Support desk');
      expect((await t.call('GET', '/v1/roles/nope')).statusCode).toBe(404);
      expect((await t.call('DELETE', '/v1/roles/support')).statusCode).toBe(204);
      expect((await t.call('GET', '/v1/roles/support')).statusCode).toBe(404);

      const events = json(await t.call('GET', `/v1/events?organizationId=${t.deps.defaultOrganizationId}&limit=100`)).results;
      expect(events.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['role.created', 'role.updated', 'role.deleted']));
      const audit = json(await t.call('GET', '/v1/audit-logs?limit=100')).results.map((e: { action: string }) => e.action);
      expect(audit).toEqual(expect.arrayContaining(['role.create', 'role.update', 'role.delete']));
    });

    it("keeps roles to administrators of their organization: tenant callers get 403, other organizations' admins 404", async () => {
      await createRole('private', ['users:read']);
      const owner = await signIn('olga@roles.test');
      for (const [method, url, payload] of [
        ['GET', '/v1/roles'],
        ['POST', '/v1/roles', { key: 'mine', name: 'Mine', permissions: [] }],
        ['GET', '/v1/roles/private'],
        ['PATCH', '/v1/roles/private', { name: 'Mine' }],
        ['DELETE', '/v1/roles/private'],
      ] as const) {
        const byKey = await t.call(method, url, { key: tenant.key, ...(payload ? { body: payload } : {}) });
        const bySession = await as(owner.headers, method, url, payload);
        expect([method, url, byKey.statusCode, bySession.statusCode]).toEqual([method, url, 403, 403]);
      }
      expect((await t.call('GET', '/v1/roles/private', { key: otherOrgKey })).statusCode).toBe(404);
      expect((await t.call('PATCH', '/v1/roles/private', { key: otherOrgKey, body: { name: 'Stolen' } })).statusCode).toBe(404);
      expect((await t.call('DELETE', '/v1/roles/private', { key: otherOrgKey })).statusCode).toBe(404);
      expect(json(await t.call('GET', '/v1/roles', { key: otherOrgKey })).results).toEqual([]);
      expect((await t.call('GET', `/v1/roles/private?organizationId=${t.deps.defaultOrganizationId}`, { key: otherOrgKey })).statusCode).toBe(404);
      // Nor can another organization's roles be granted here: they do not exist for this one.
      await t.call('POST', '/v1/roles', { key: otherOrgKey, body: { key: 'foreign', name: 'Foreign', permissions: ['users:read'] } });
      const foreign = await t.call('POST', `/v1/tenants/${tenant.id}/users`, { body: { email: 'foreign@roles.test', name: 'F', roles: ['foreign'] } });
      expect(json(foreign).errors).toEqual([expect.objectContaining({ field: 'roles.0', code: 'ROLE_NOT_FOUND' })]);
      expect(json(await t.call('GET', '/v1/roles/private')).name).toBe('private');
    });

    it("gives a member's session exactly what its roles add, shown as permissions on the user and the session", async () => {
      await createRole('user-reader', ['users:read']);
      await createRole('key-reader', ['api_keys:read', 'reports:view']);
      const user = await member('mia@roles.test', ['user-reader', 'key-reader']);
      expect(user).toMatchObject({ role: 'member', roles: ['user-reader', 'key-reader'] });
      expect(user.permissions).toEqual(['tenants:read', 'api_keys:read', 'reports:view', 'users:read']);
      expect(json(await t.call('GET', `/v1/tenants/${tenant.id}/users/${user.id}`)).permissions).toEqual(user.permissions);

      const mia = await signIn('mia@roles.test');
      expect(mia.body.user.permissions).toEqual(user.permissions);
      const session = await t.app.inject({ method: 'GET', url: '/v1/auth/session', headers: { cookie: mia.headers.cookie } });
      expect(json(session).user).toMatchObject({ roles: ['user-reader', 'key-reader'], permissions: user.permissions });

      for (const url of [
        `/v1/tenants/${tenant.id}/users`,
        `/v1/tenants/${tenant.id}/users/${tenant.ownerId}`,
        `/v1/tenants/${tenant.id}/api-keys`,
        '/v1/tenants/me',
      ]) {
        const res = await as(mia.headers, 'GET', url);
        expect([url, res.statusCode]).toEqual([url, 200]);
      }
      const keyId = json(await as(mia.headers, 'GET', `/v1/tenants/${tenant.id}/api-keys`)).results[0].id;
      for (const [method, url, payload] of [
        ['POST', `/v1/tenants/${tenant.id}/users`, { email: 'x@roles.test', name: 'x' }],
        ['PATCH', `/v1/tenants/${tenant.id}/users/${user.id}`, { role: 'owner' }],
        ['PATCH', `/v1/tenants/${tenant.id}`, { description: 'member edit' }],
        ['POST', `/v1/tenants/${tenant.id}/api-keys`, { name: 'mine' }],
        ['DELETE', `/v1/tenants/${tenant.id}/api-keys/${keyId}`],
        ['GET', '/v1/tenants'],
        ['GET', `/v1/tenants/${tenant.id}/export`],
        ['GET', `/v1/tenants/${tenant.id}/webhooks`],
        ['GET', '/v1/audit-logs'],
        ['GET', '/v1/events'],
      ] as const) {
        const res = await as(mia.headers, method, url, payload);
        expect([method, url, res.statusCode]).toEqual([method, url, 403]);
      }

      // A member without roles still reads only its tenant.
      await member('max@roles.test');
      const max = await signIn('max@roles.test');
      expect(max.body.user.permissions).toEqual(['tenants:read']);
      expect((await as(max.headers, 'GET', `/v1/tenants/${tenant.id}/users`)).statusCode).toBe(403);
      expect((await as(max.headers, 'GET', '/v1/tenants/me')).statusCode).toBe(200);
    });

    it('refuses unknown roles with 422 on roles, on create and on update', async () => {
      const created = await t.call('POST', `/v1/tenants/${tenant.id}/users`, {
        body: { email: 'nobody@roles.test', name: 'N', roles: ['user-reader', 'ghost'] },
      });
      expect(created.statusCode).toBe(422);
      expect(json(created).errors).toEqual([expect.objectContaining({ field: 'roles.1', code: 'ROLE_NOT_FOUND' })]);
      const user = await member('nora@roles.test');
      const patched = await t.call('PATCH', `/v1/tenants/${tenant.id}/users/${user.id}`, { body: { roles: ['ghost'] } });
      expect([patched.statusCode, json(patched).errors?.[0]?.code]).toEqual([422, 'ROLE_NOT_FOUND']);
      const badKey = await t.call('PATCH', `/v1/tenants/${tenant.id}/users/${user.id}`, { body: { roles: ['Not A Key'] } });
      expect([badKey.statusCode, json(badKey).errors?.[0]?.field]).toEqual([422, 'roles.0']);
      expect(json(await t.call('GET', `/v1/tenants/${tenant.id}/users/${user.id}`)).roles).toEqual([]);
      // Organization users carry roles too.
      const admin = await t.call('POST', `/v1/organizations/${t.deps.defaultOrganizationId}/users`, {
        body: { email: 'ada@roles.test', name: 'Ada', roles: ['key-reader'] },
      });
      expect(admin.statusCode).toBe(201);
      expect(json(admin)).toMatchObject({ role: 'admin', roles: ['key-reader'] });
      expect(json(admin).permissions).toContain('reports:view');
    });

    it('lets an owner grant only roles whose permissions it holds itself', async () => {
      await createRole('key-admin', ['api_keys:write']);
      await createRole('reporter', ['reports:view']);
      const user = await member('kim@roles.test');
      const grant = (key: string, roles: string[]) => t.call('PATCH', `/v1/tenants/${tenant.id}/users/${user.id}`, { key, body: { roles } });
      // An owner key with only the users scopes: api_keys:write and the application permission are beyond it.
      const limited = json(
        await t.call('POST', `/v1/tenants/${tenant.id}/api-keys`, { key: tenant.key, body: { name: 'users only', scopes: ['users:read', 'users:write'] } }),
      ).secret;
      const refused = await grant(limited, ['key-admin']);
      expect([refused.statusCode, json(refused).code]).toEqual([403, 'FORBIDDEN']);
      expect(json(refused).detail).toContain('api_keys:write');
      expect((await grant(limited, ['reporter'])).statusCode).toBe(403);
      expect(json(await t.call('GET', `/v1/tenants/${tenant.id}/users/${user.id}`)).roles).toEqual([]);
      const allowed = await grant(limited, ['user-reader']);
      expect(allowed.statusCode).toBe(200);
      expect(json(allowed)).toMatchObject({ roles: ['user-reader'], permissions: ['tenants:read', 'users:read'] });
      // Nor may it create a user with them.
      const createdBeyond = await t.call('POST', `/v1/tenants/${tenant.id}/users`, {
        key: limited,
        body: { email: 'kai@roles.test', name: 'Kai', roles: ['key-admin'] },
      });
      expect(createdBeyond.statusCode).toBe(403);

      // The owner's session holds every Landlord scope, but not the application permission.
      const owner = await signIn('olga@roles.test');
      const patch = (roles: string[]) => as(owner.headers, 'PATCH', `/v1/tenants/${tenant.id}/users/${user.id}`, { roles });
      expect((await patch(['user-reader', 'key-admin'])).statusCode).toBe(200);
      expect((await patch(['reporter'])).statusCode).toBe(403);
      // Administrators define roles and grant any of them.
      expect(json(await grant(t.rootKey, ['reporter', 'key-admin'])).permissions).toEqual(['tenants:read', 'api_keys:write', 'reports:view']);
      // Taking a role away needs nothing held.
      expect((await grant(limited, [])).statusCode).toBe(200);
    });

    it('takes a deleted role from every user at once, so their sessions lose what it gave', async () => {
      await createRole('auditor', ['audit:read', 'users:read']);
      const a = await member('ann@roles.test', ['auditor']);
      const b = await member('bob@roles.test', ['auditor', 'user-reader']);
      expect(json(await t.call('GET', '/v1/roles/auditor')).userCount).toBe(2);
      const ann = await signIn('ann@roles.test');
      expect((await as(ann.headers, 'GET', '/v1/audit-logs')).statusCode).toBe(200);
      expect((await as(ann.headers, 'GET', `/v1/tenants/${tenant.id}/users`)).statusCode).toBe(200);

      expect((await t.call('DELETE', '/v1/roles/auditor')).statusCode).toBe(204);
      expect((await as(ann.headers, 'GET', '/v1/audit-logs')).statusCode).toBe(403);
      expect((await as(ann.headers, 'GET', `/v1/tenants/${tenant.id}/users`)).statusCode).toBe(403);
      expect(json(await t.call('GET', `/v1/tenants/${tenant.id}/users/${a.id}`))).toMatchObject({ roles: [], permissions: ['tenants:read'] });
      expect(json(await t.call('GET', `/v1/tenants/${tenant.id}/users/${b.id}`))).toMatchObject({
        roles: ['user-reader'],
        permissions: ['tenants:read', 'users:read'],
      });
      const session = await t.app.inject({ method: 'GET', url: '/v1/auth/session', headers: { cookie: ann.headers.cookie } });
      expect(json(session).user.permissions).toEqual(['tenants:read']);
      const deleted = json(await t.call('GET', '/v1/events?type=role.deleted&limit=100')).results;
      expect(deleted.map((e: { data: { object: { key: string } } }) => e.data.object.key)).toContain('auditor');
      // The key is free again, and a new role of that name grants nothing to the former holders.
      await createRole('auditor', ['audit:read']);
      expect(json(await t.call('GET', `/v1/tenants/${tenant.id}/users/${a.id}`)).roles).toEqual([]);
    });
  });
}
