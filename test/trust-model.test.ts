import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { createTestApp, json, stores, type TestApp } from './helpers.js';

// Who may write what, what the audit log says about it, and the contract's optional fields.

const PASSWORD = 'VerySecurePassword1999#';

for (const store of stores) {
  describe(`the trust model and the audit log on ${store}`, () => {
    let t: TestApp;
    let tenant: any;
    before(async () => {
      t = await createTestApp(store);
      tenant = json(await t.call('POST', '/v1/tenants', { body: { name: 'Platform Owned', metadata: { plan: 'starter' }, apiKey: {} } }));
    });
    after(async () => {
      await t?.close();
    });

    it('lets owners read metadata but not write it; admins write it', async () => {
      const owner = tenant.apiKey.secret;
      const patch = await t.call('PATCH', `/v1/tenants/${tenant.id}`, { key: owner, body: { metadata: { plan: 'enterprise' } } });
      expect(patch.statusCode).toBe(403);
      expect(json(patch).code).toBe('FORBIDDEN');
      const put = await t.call('PUT', `/v1/tenants/${tenant.id}`, { key: owner, body: { name: 'Platform Owned', metadata: { plan: 'enterprise' } } });
      expect(put.statusCode).toBe(403);
      // Sending the metadata as it is, with other changes, is fine.
      const same = await t.call('PATCH', `/v1/tenants/${tenant.id}`, { key: owner, body: { displayName: 'Platform', metadata: { plan: 'starter' } } });
      expect(same.statusCode).toBe(200);
      expect(json(await t.call('GET', `/v1/tenants/${tenant.id}`, { key: owner })).metadata).toEqual({ plan: 'starter' });
      const admin = await t.call('PATCH', `/v1/tenants/${tenant.id}`, { body: { metadata: { plan: 'enterprise' } } });
      expect(json(admin).metadata).toEqual({ plan: 'enterprise' });
    });

    it('refuses metadata keys such as __proto__ by name instead of dropping them', async () => {
      for (const key of ['__proto__', 'constructor']) {
        const res = await t.app.inject({
          method: 'PATCH',
          url: `/v1/tenants/${tenant.id}`,
          headers: { authorization: `Bearer ${t.rootKey}`, 'content-type': 'application/json' },
          payload: `{"metadata": {"${key}": "x", "kept": "y"}}`,
        });
        expect(res.statusCode).toBe(422);
        expect(json(res).errors).toEqual([expect.objectContaining({ field: expect.stringContaining('metadata'), code: 'BAD_METADATA' })]);
      }
      const top = await t.app.inject({
        method: 'POST',
        url: '/v1/tenants',
        headers: { authorization: `Bearer ${t.rootKey}`, 'content-type': 'application/json' },
        payload: '{"name": "Proto Co", "__proto__": {"isActive": false}}',
      });
      expect(top.statusCode).toBe(422);
      expect(json(top).errors[0]).toMatchObject({ code: 'UNKNOWN_FIELD' });
      expect(json(await t.call('GET', `/v1/tenants/${tenant.id}`)).metadata).toEqual({ plan: 'enterprise' });
    });

    it('lists only changed fields: a create from nothing, a purge to nothing', async () => {
      const created = json(await t.call('POST', '/v1/tenants', { body: { name: 'Short Lived' } }));
      const createEntry = json(await t.call('GET', `/v1/audit-logs?action=tenant.create&tenantId=${created.id}`)).results[0];
      expect(createEntry.changes.name).toEqual({ from: null, to: 'Short Lived' });
      // Fields that are null before and after are no change.
      expect(createEntry.changes.externalId).toBeUndefined();
      expect(createEntry.changes.email).toBeUndefined();
      expect(Object.values(createEntry.changes).every((c: any) => c.from === null && c.to !== null)).toBe(true);

      expect((await t.call('DELETE', `/v1/tenants/${created.id}?purge=true`)).statusCode).toBe(204);
      const deleteEntry = json(await t.call('GET', `/v1/audit-logs?action=tenant.delete&tenantId=${created.id}`)).results[0];
      expect(deleteEntry.changes.name).toEqual({ from: 'Short Lived', to: null });
      expect(deleteEntry.changes.email).toBeUndefined();
      expect(Object.values(deleteEntry.changes).every((c: any) => c.to === null && c.from !== null)).toBe(true);

      const key = json(await t.call('POST', `/v1/tenants/${tenant.id}/api-keys`, { body: { name: 'to revoke' } }));
      await t.call('DELETE', `/v1/tenants/${tenant.id}/api-keys/${key.id}`);
      const revoked = json(await t.call('GET', `/v1/audit-logs?action=api_key.revoke&tenantId=${tenant.id}`)).results[0];
      expect(revoked.changes.name).toEqual({ from: 'to revoke', to: null });
    });

    it('creates an owner from email and password alone, as the InsightCat seed does', async () => {
      const res = await t.call('POST', '/v1/tenants', {
        body: { name: 'InsightCat Customer', owner: { email: 'ceo@insightcat.example', password: PASSWORD } },
      });
      expect(res.statusCode).toBe(201);
      expect(json(res).owner).toMatchObject({ name: 'ceo', email: 'ceo@insightcat.example' });
      const login = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: 'ceo@insightcat.example', password: PASSWORD } });
      expect(login.statusCode).toBe(200);
    });

    it('subscribes a webhook to every event when events is left out', async () => {
      const res = await t.call('POST', `/v1/tenants/${tenant.id}/webhooks`, { body: { url: 'https://hooks.example.com/landlord' } });
      expect(res.statusCode).toBe(201);
      expect(json(res).events).toEqual(['*']);
      const org = await t.call('POST', '/v1/webhooks', { body: { url: 'https://hooks.example.com/org' } });
      expect(json(org).events).toEqual(['*']);
    });
  });
}
