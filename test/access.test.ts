import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { createTestApp, json, stores, type TestApp } from './helpers.js';

for (const store of stores) {
  describe(`access control on ${store}`, () => {
    let t: TestApp;
    let orgA: any;
    let orgKeyA: string;
    let tenantA: any;
    let tenantA2: any;
    let tenantB: any;
    before(async () => {
      t = await createTestApp(store);
      orgA = json(await t.call('POST', '/v1/organizations', { body: { name: 'Org A' } }));
      orgKeyA = json(await t.call('POST', `/v1/organizations/${orgA.id}/api-keys`, { body: { name: 'admin key' } })).secret;
      tenantA = json(await t.call('POST', '/v1/tenants', { key: orgKeyA, body: { name: 'Tenant A', apiKey: {} } }));
      tenantA2 = json(await t.call('POST', '/v1/tenants', { key: orgKeyA, body: { name: 'Tenant A2', apiKey: {} } }));
      tenantB = json(await t.call('POST', '/v1/tenants', { body: { name: 'Tenant B', apiKey: {} } }));
    });
    after(async () => {
      await t?.close();
    });

    /** Every endpoint that takes a tenant id, with a body where it needs one. */
    const tenantCalls = (id: string) =>
      [
        ['GET', `/v1/tenants/${id}`],
        ['PATCH', `/v1/tenants/${id}`, { description: 'hijacked' }],
        ['PUT', `/v1/tenants/${id}`, { name: 'Hijacked' }],
        ['DELETE', `/v1/tenants/${id}?force=true`],
        ['GET', `/v1/tenants/${id}/export`],
        ['GET', `/v1/tenants/${id}/api-keys`],
        ['POST', `/v1/tenants/${id}/api-keys`, {}],
      ] as const;

    async function expectInvisible(key: string, id: string) {
      const before = json(await t.call('GET', `/v1/tenants/${id}`));
      for (const [method, url, body] of tenantCalls(id)) {
        const res = await t.call(method, url, { key, body });
        expect([method, url, res.statusCode, json(res).code]).toEqual([method, url, 404, 'NOT_FOUND']);
      }
      const afterwards = json(await t.call('GET', `/v1/tenants/${id}`));
      expect(afterwards).toEqual(before);
      expect(json(await t.call('GET', `/v1/tenants/${id}/api-keys`)).results).toHaveLength(1);
    }

    it("hides other organizations' tenants from an organization key (404, nothing changed)", async () => {
      await expectInvisible(orgKeyA, tenantB.id);
      const list = json(await t.call('GET', '/v1/tenants', { key: orgKeyA }));
      expect(list.results.map((r: any) => r.id).sort()).toEqual([tenantA.id, tenantA2.id].sort());
      const elsewhere = await t.call('POST', '/v1/tenants', { key: orgKeyA, body: { name: 'Sneaky', organizationId: t.deps.defaultOrganizationId } });
      expect(elsewhere.statusCode).toBe(404);
      const foreignRevoke = await t.call('DELETE', `/v1/tenants/${tenantB.id}/api-keys/${tenantB.apiKey.id}`, { key: orgKeyA });
      expect(foreignRevoke.statusCode).toBe(404);
    });

    it('hides sibling tenants from a tenant key (404, nothing changed)', async () => {
      await expectInvisible(tenantA.apiKey.secret, tenantA2.id);
      await expectInvisible(tenantA.apiKey.secret, tenantB.id);
      const wrongParent = await t.call('DELETE', `/v1/tenants/${tenantA.id}/api-keys/${tenantA2.apiKey.id}`, { key: tenantA.apiKey.secret });
      expect(wrongParent.statusCode).toBe(404);
    });

    it('hides organizations from everyone but their admins and superadmins', async () => {
      for (const [method, url] of [
        ['GET', `/v1/organizations/${t.deps.defaultOrganizationId}`],
        ['PATCH', `/v1/organizations/${t.deps.defaultOrganizationId}`],
        ['DELETE', `/v1/organizations/${t.deps.defaultOrganizationId}`],
        ['GET', `/v1/organizations/${t.deps.defaultOrganizationId}/api-keys`],
        ['POST', `/v1/organizations/${t.deps.defaultOrganizationId}/api-keys`],
      ] as const) {
        const body = method === 'GET' || method === 'DELETE' ? undefined : {};
        const res = await t.call(method, url, { key: orgKeyA, body });
        expect([method, url, res.statusCode]).toEqual([method, url, 404]);
        const owner = await t.call(method, url, { key: tenantA.apiKey.secret, body });
        expect([method, url, owner.statusCode]).toEqual([method, url, 404]);
      }
      expect(json(await t.call('GET', '/v1/organizations/me', { key: orgKeyA })).id).toBe(orgA.id);
      expect((await t.call('GET', `/v1/organizations/${orgA.id}`, { key: tenantA.apiKey.secret })).statusCode).toBe(404);
      expect((await t.call('GET', '/v1/organizations', { key: orgKeyA })).statusCode).toBe(403);
    });

    it('applies the tenant permission matrix to owners', async () => {
      const key = tenantA.apiKey.secret;
      expect((await t.call('POST', '/v1/tenants', { key, body: { name: 'Owner made' } })).statusCode).toBe(403);
      expect((await t.call('DELETE', `/v1/tenants/${tenantA.id}`, { key })).statusCode).toBe(403);
      const own = await t.call('PATCH', `/v1/tenants/${tenantA.id}`, { key, body: { description: 'we sell widgets', displayName: 'Tenant A!' } });
      expect(own.statusCode).toBe(200);
      expect(json(own).displayName).toBe('Tenant A!');
      const deactivate = await t.call('PATCH', `/v1/tenants/${tenantA.id}`, { key, body: { isActive: false } });
      expect(deactivate.statusCode).toBe(403);
      expect(json(await t.call('GET', '/v1/tenants', { key })).results.map((r: any) => r.id)).toEqual([tenantA.id]);
    });

    it('lets a superadmin see every organization and list across them', async () => {
      const orgs = json(await t.call('GET', '/v1/organizations')).results;
      expect(orgs.map((o: any) => o.slug).sort()).toEqual(['default', 'org-a']);
      expect(orgs.find((o: any) => o.id === orgA.id).tenantCount).toBe(2);
      expect(json(await t.call('GET', '/v1/tenants')).count).toBe(3);
      expect(json(await t.call('GET', `/v1/tenants?organizationId=${orgA.id}`)).count).toBe(2);
      expect((await t.call('GET', `/v1/organizations/${orgA.id}`)).statusCode).toBe(200);
    });

    it('needs the scope as well as the role', async () => {
      const readOnly = json(await t.call('POST', `/v1/organizations/${orgA.id}/api-keys`, { body: { scopes: ['tenants:read'] } }));
      expect(readOnly.scopes).toEqual(['tenants:read']);
      expect((await t.call('GET', `/v1/tenants/${tenantA.id}`, { key: readOnly.secret })).statusCode).toBe(200);
      const denied = await t.call('PATCH', `/v1/tenants/${tenantA.id}`, { key: readOnly.secret, body: { description: 'x' } });
      expect(denied.statusCode).toBe(403);
      expect(json(denied).code).toBe('FORBIDDEN');
      const badScope = await t.call('POST', `/v1/organizations/${orgA.id}/api-keys`, { body: { scopes: ['Not A Scope'] } });
      expect(json(badScope).errors[0]).toMatchObject({ field: 'scopes.0', code: 'BAD_SCOPE' });
      const appScope = await t.call('POST', `/v1/tenants/${tenantA.id}/api-keys`, { body: { scopes: ['content:post'] } });
      expect(json(appScope).scopes).toEqual(['content:post']);
      const escalate = await t.call('POST', `/v1/organizations/${orgA.id}/api-keys`, { key: readOnly.secret, body: {} });
      expect(escalate.statusCode).toBe(403);
    });

    it('revokes a key at once and never shows a secret after creation', async () => {
      const created = json(await t.call('POST', `/v1/tenants/${tenantA.id}/api-keys`, { body: { name: 'temp' } }));
      expect(created.secret).toMatch(/^lk_/);
      expect(created.prefix).toBe(created.secret.slice(0, 11));
      expect((await t.call('GET', '/v1/tenants/me', { key: created.secret })).statusCode).toBe(200);
      // The last use is written beside the answer, not before it: give it a moment to land.
      let listed = await t.call('GET', `/v1/tenants/${tenantA.id}/api-keys`);
      for (let i = 0; i < 100 && !json(listed).results.find((k: any) => k.id === created.id).lastUsedAt; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        listed = await t.call('GET', `/v1/tenants/${tenantA.id}/api-keys`);
      }
      expect(listed.body).not.toContain(created.secret);
      const listedKey = json(listed).results.find((k: any) => k.id === created.id);
      expect(listedKey.secret).toBeUndefined();
      expect(listedKey.lastUsedAt).not.toBeNull();
      expect((await t.call('DELETE', `/v1/tenants/${tenantA.id}/api-keys/${created.id}`)).statusCode).toBe(204);
      expect((await t.call('GET', '/v1/tenants/me', { key: created.secret })).statusCode).toBe(401);
      const past = await t.call('POST', `/v1/tenants/${tenantA.id}/api-keys`, { body: { expiresAt: '2001-01-01T00:00:00Z' } });
      expect(json(past).errors[0]).toMatchObject({ field: 'expiresAt' });
    });
  });
}
