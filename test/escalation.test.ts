import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { createTestApp, json, stores, type TestApp } from './helpers.js';

// No credential may hand out more than its caller holds: not by rotating a stronger key, not by
// minting a sign-in link for a stronger user.

for (const store of stores) {
  describe(`credentials never grant more than their caller holds on ${store}`, () => {
    let t: TestApp;
    let tenant: any;
    before(async () => {
      t = await createTestApp(store);
      tenant = json(
        await t.call('POST', '/v1/tenants', {
          body: { name: 'Escalation Co', owner: { name: 'Olive Owner', email: 'olive@escalation.test' }, apiKey: { name: 'full' } },
        }),
      );
    });
    after(async () => {
      await t?.close();
    });

    const keyWith = async (scopes: string[]) => json(await t.call('POST', `/v1/tenants/${tenant.id}/api-keys`, { body: { name: scopes.join(' '), scopes } }));

    it('refuses to rotate a key holding scopes the caller lacks, by API key or by a downscoped token', async () => {
      const writer = await keyWith(['api_keys:write']);
      const rotate = (keyId: string, key: string) => t.call('POST', `/v1/tenants/${tenant.id}/api-keys/${keyId}/rotate`, { key });

      const refused = await rotate(tenant.apiKey.id, writer.secret);
      expect(refused.statusCode).toBe(403);
      expect(json(refused)).toMatchObject({ code: 'FORBIDDEN' });
      expect(JSON.stringify(json(refused))).not.toContain('lk_');
      // The full key was not rotated: its secret still works.
      expect((await t.call('GET', '/v1/tenants/me', { key: tenant.apiKey.secret })).statusCode).toBe(200);

      const token = await t.app.inject({
        method: 'POST',
        url: '/oauth/token',
        payload: { grant_type: 'client_credentials', client_id: tenant.apiKey.id, client_secret: tenant.apiKey.secret, scope: 'api_keys:write' },
      });
      expect(token.statusCode).toBe(200);
      expect((await rotate(tenant.apiKey.id, json(token).access_token)).statusCode).toBe(403);
      expect((await t.call('GET', '/v1/tenants/me', { key: tenant.apiKey.secret })).statusCode).toBe(200);

      // A key may rotate one that holds no more than it does, itself included.
      const own = await rotate(writer.id, writer.secret);
      expect(own.statusCode).toBe(200);
      expect(json(own).scopes).toEqual(['api_keys:write']);
      const peer = await keyWith(['api_keys:write']);
      expect((await rotate(peer.id, json(own).secret)).statusCode).toBe(200);
      // The full key rotates anything in its tenant.
      expect((await rotate(peer.id, tenant.apiKey.secret)).statusCode).toBe(200);
    });

    it('refuses a sign-in link for a user whose session would carry more than the caller holds, and audits the ones it mints', async () => {
      const ownerId = tenant.owner.id;
      const link = (key: string) => t.call('POST', `/v1/tenants/${tenant.id}/users/${ownerId}/sign-in-links`, { key });
      const usersWriter = await keyWith(['users:write']);
      const refused = await link(usersWriter.secret);
      expect(refused.statusCode).toBe(403);
      expect(JSON.stringify(json(refused))).not.toContain('token=');

      const minted = await link(tenant.apiKey.secret);
      expect(minted.statusCode).toBe(201);
      const audit = json(await t.call('GET', `/v1/audit-logs?tenantId=${tenant.id}&action=user.sign_in_link`));
      expect(audit.results).toHaveLength(1);
      expect(audit.results[0]).toMatchObject({ actor: { type: 'api_key', id: tenant.apiKey.id }, target: { type: 'user', id: ownerId } });
      const token = new URL(json(minted).url).searchParams.get('token')!;
      expect(JSON.stringify(audit.results[0])).not.toContain(token);
    });

    it('refuses an organization key a sign-in link for a superadmin of its organization', async () => {
      const org = json(await t.call('POST', '/v1/organizations', { body: { name: 'Escalation Org' } }));
      const orgKey = json(await t.call('POST', `/v1/organizations/${org.id}/api-keys`, { body: { name: 'admin key' } }));
      const superUser = json(
        await t.call('POST', `/v1/organizations/${org.id}/users`, { body: { name: 'Sam Super', email: 'sam@escalation.test', role: 'superadmin' } }),
      );
      const admin = json(
        await t.call('POST', `/v1/organizations/${org.id}/users`, { body: { name: 'Ada Admin', email: 'ada@escalation.test', role: 'admin' } }),
      );
      const mint = (userId: string) => t.call('POST', `/v1/organizations/${org.id}/users/${userId}/sign-in-links`, { key: orgKey.secret });
      expect((await mint(superUser.id)).statusCode).toBe(403);
      expect((await mint(admin.id)).statusCode).toBe(201);
    });
  });
}
