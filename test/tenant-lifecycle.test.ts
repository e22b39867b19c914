import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { createTestApp, json, stores, type TestApp } from './helpers.js';
import { createTestClock } from './support/clock.js';
import { createTenantLifecycle } from '../src/modules/tenants/tenant-lifecycle.js';

const PASSWORD = 'VerySecurePassword1999#';
const DAY = 86_400_000;

const cookieOf = (res: { headers: Record<string, unknown> }) => String(res.headers['set-cookie']).split(';')[0];

// Suspension, soft delete, restore and purge: what a platform sees of a tenant's lifecycle.
for (const store of stores) {
  describe(`tenant lifecycle on ${store}`, () => {
    const clock = createTestClock();
    let t: TestApp;
    before(async () => {
      t = await createTestApp(store, {}, { clock });
    });
    after(async () => {
      await t?.close();
    });

    /** A tenant with an owner who can sign in, an API key, a webhook and an access token. */
    async function populated(name: string) {
      const email = `owner@${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.example`;
      const created = json(
        await t.call('POST', '/v1/tenants', {
          body: { name, owner: { email, password: PASSWORD }, apiKey: { name: 'backend' } },
        }),
      );
      await t.call('POST', `/v1/tenants/${created.id}/webhooks`, { body: { url: 'https://hooks.example.com/landlord', events: ['user.created'] } });
      const login = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password: PASSWORD } });
      expect(login.statusCode).toBe(200);
      const token = json(
        await t.app.inject({
          method: 'POST',
          url: '/oauth/token',
          payload: { grant_type: 'client_credentials', client_id: created.apiKey.id, client_secret: created.apiKey.secret },
        }),
      ).access_token;
      return { tenant: created, key: created.apiKey.secret as string, token: token as string, cookie: cookieOf(login) };
    }

    /** The status each credential of the tenant gets on GET /v1/tenants/me: key, token, session. */
    async function credentialStatuses(c: { key: string; token: string; cookie: string }) {
      const viaKey = await t.call('GET', '/v1/tenants/me', { key: c.key });
      const viaToken = await t.call('GET', '/v1/tenants/me', { key: c.token });
      const viaSession = await t.app.inject({ method: 'GET', url: '/v1/tenants/me', headers: { cookie: c.cookie } });
      return [viaKey.statusCode, viaToken.statusCode, viaSession.statusCode];
    }

    const eventTypes = async (tenantId: string) =>
      json(await t.call('GET', `/v1/events?tenantId=${tenantId}&limit=100`)).results.map((e: { type: string }) => e.type);

    it('suspends with a reason and reactivates, through status or isActive, locking every credential out meanwhile', async () => {
      const c = await populated('Suspendable');
      const suspended = await t.call('PATCH', `/v1/tenants/${c.tenant.id}`, { body: { status: 'suspended', suspendedReason: 'Invoice 1042 unpaid' } });
      expect(suspended.statusCode).toBe(200);
      expect(json(suspended)).toMatchObject({ status: 'suspended', isActive: false, suspendedReason: 'Invoice 1042 unpaid', deletedAt: null, purgeAt: null });
      expect(await credentialStatuses(c)).toEqual([401, 401, 401]);
      // Suspending again keeps the reason; a new one replaces it.
      expect(json(await t.call('PATCH', `/v1/tenants/${c.tenant.id}`, { body: { isActive: false } })).suspendedReason).toBe('Invoice 1042 unpaid');
      expect(json(await t.call('PATCH', `/v1/tenants/${c.tenant.id}`, { body: { suspendedReason: 'Fraud review' } })).suspendedReason).toBe('Fraud review');

      const active = json(await t.call('PATCH', `/v1/tenants/${c.tenant.id}`, { body: { status: 'active' } }));
      expect(active).toMatchObject({ status: 'active', isActive: true, suspendedReason: null });
      expect(await credentialStatuses(c)).toEqual([200, 200, 200]);
      const types = await eventTypes(c.tenant.id);
      expect(types.filter((x: string) => x === 'tenant.deactivated')).toHaveLength(1);
      expect(types.filter((x: string) => x === 'tenant.reactivated')).toHaveLength(1);
      expect(json(await t.call('GET', `/v1/tenants?status=suspended&search=suspendable`)).results).toHaveLength(0);
    });

    it('refuses contradictory or impossible status writes with a field error, and status changes by owners', async () => {
      const c = await populated('Strict Status');
      const cases: [object, string, string][] = [
        [{ status: 'active', isActive: false }, 'status', 'CONFLICTING_FIELDS'],
        [{ suspendedReason: 'why' }, 'suspendedReason', 'NOT_SUSPENDED'],
        [{ status: 'pending_deletion' }, 'status', 'BAD_STATUS'],
        [{ status: 'archived' }, 'status', 'BAD_STATUS'],
      ];
      for (const [body, field, code] of cases) {
        const res = await t.call('PATCH', `/v1/tenants/${c.tenant.id}`, { body });
        expect([res.statusCode, json(res).errors?.[0]?.field, json(res).errors?.[0]?.code]).toEqual([422, field, code]);
      }
      const byOwner = await t.call('PATCH', `/v1/tenants/${c.tenant.id}`, { key: c.key, body: { status: 'suspended' } });
      expect(byOwner.statusCode).toBe(403);
      // Sent unchanged, the admin-only fields are fine for an owner.
      expect((await t.call('PATCH', `/v1/tenants/${c.tenant.id}`, { key: c.key, body: { status: 'active', description: 'ok' } })).statusCode).toBe(200);
    });

    it('soft-deletes: gone from reads and lists, credentials refused, name and slug kept; a restore brings back exactly what was there', async () => {
      const c = await populated('Restorable');
      const before = json(await t.call('GET', `/v1/tenants/${c.tenant.id}/export`));
      expect(before.users).toHaveLength(1);
      expect(before.apiKeys).toHaveLength(1);
      expect(before.webhooks).toHaveLength(1);

      expect((await t.call('DELETE', `/v1/tenants/${c.tenant.id}`)).statusCode).toBe(409);
      const deletedAt = Date.now();
      expect((await t.call('DELETE', `/v1/tenants/${c.tenant.id}?force=true`)).statusCode).toBe(204);
      for (const path of ['', '/export', '/users', '/api-keys', '/webhooks']) {
        expect([path, (await t.call('GET', `/v1/tenants/${c.tenant.id}${path}`)).statusCode]).toEqual([path, 404]);
      }
      expect((await t.call('PATCH', `/v1/tenants/${c.tenant.id}`, { body: { description: 'x' } })).statusCode).toBe(404);
      expect((await t.call('DELETE', `/v1/tenants/${c.tenant.id}?force=true`)).statusCode).toBe(404);
      expect(await credentialStatuses(c)).toEqual([401, 401, 401]);
      expect(json(await t.call('GET', '/v1/tenants?search=restorable')).results).toHaveLength(0);

      const listed = json(await t.call('GET', '/v1/tenants?status=pending_deletion&search=restorable')).results;
      expect(listed).toHaveLength(1);
      expect(listed[0]).toMatchObject({ id: c.tenant.id, status: 'pending_deletion', isActive: false });
      const purgeIn = new Date(listed[0].purgeAt).getTime() - new Date(listed[0].deletedAt).getTime();
      expect(purgeIn).toBe(30 * DAY);
      expect(new Date(listed[0].deletedAt).getTime()).toBeGreaterThanOrEqual(deletedAt - 1000 + clock.skipped);
      // Owners never see deleted tenants.
      const other = await populated('Bystander');
      expect(json(await t.call('GET', '/v1/tenants?status=pending_deletion', { key: other.key })).results).toHaveLength(0);

      for (const body of [{ name: 'Restorable' }, { name: 'Another', slug: c.tenant.slug }]) {
        const taken = await t.call('POST', '/v1/tenants', { body });
        expect([taken.statusCode, json(taken).code]).toEqual([409, 'name' in body && body.name === 'Restorable' ? 'NAME_OCCUPIED' : 'SLUG_OCCUPIED']);
      }
      const restoreByOwner = await t.call('POST', `/v1/tenants/${c.tenant.id}/restore`, { key: other.key });
      expect(restoreByOwner.statusCode).toBe(404);

      const restored = await t.call('POST', `/v1/tenants/${c.tenant.id}/restore`);
      expect(restored.statusCode).toBe(200);
      expect(json(restored)).toEqual(before.tenant);
      const afterRestore = json(await t.call('GET', `/v1/tenants/${c.tenant.id}/export`));
      expect({ ...afterRestore, exportedAt: null }).toEqual({ ...before, exportedAt: null });
      expect(await credentialStatuses(c)).toEqual([200, 200, 200]);

      const again = await t.call('POST', `/v1/tenants/${c.tenant.id}/restore`);
      expect([again.statusCode, json(again).code]).toEqual([409, 'TENANT_NOT_DELETED']);
      const types = await eventTypes(c.tenant.id);
      expect(types.slice(-2)).toEqual(['tenant.deleted', 'tenant.restored']);
      const audit = json(await t.call('GET', `/v1/audit-logs?tenantId=${c.tenant.id}&action=tenant.delete`)).results[0];
      expect(audit.changes.status).toEqual({ from: 'active', to: 'pending_deletion' });
    });

    it('keeps a suspension through delete and restore', async () => {
      const c = await populated('Suspended Then Deleted');
      await t.call('PATCH', `/v1/tenants/${c.tenant.id}`, { body: { status: 'suspended', suspendedReason: 'Chargeback' } });
      await t.call('DELETE', `/v1/tenants/${c.tenant.id}?force=true`);
      const restored = json(await t.call('POST', `/v1/tenants/${c.tenant.id}/restore`));
      expect(restored).toMatchObject({ status: 'suspended', isActive: false, suspendedReason: 'Chargeback' });
      expect(await credentialStatuses(c)).toEqual([401, 401, 401]);
    });

    it('purges at once with ?purge=true, and honours deletion protection for it too', async () => {
      const c = await populated('Purge Now');
      await t.call('PATCH', `/v1/tenants/${c.tenant.id}`, { body: { deletionProtection: true } });
      const protectedRes = await t.call('DELETE', `/v1/tenants/${c.tenant.id}?force=true&purge=true`);
      expect([protectedRes.statusCode, json(protectedRes).code]).toEqual([409, 'DELETION_PROTECTED']);
      await t.call('PATCH', `/v1/tenants/${c.tenant.id}`, { body: { deletionProtection: false } });
      expect((await t.call('DELETE', `/v1/tenants/${c.tenant.id}?force=true&purge=true`)).statusCode).toBe(204);
      expect((await t.call('POST', `/v1/tenants/${c.tenant.id}/restore`)).statusCode).toBe(404);
      expect(json(await t.call('GET', '/v1/tenants?status=pending_deletion&search=purge%20now')).results).toHaveLength(0);
      expect(await credentialStatuses(c)).toEqual([401, 401, 401]);
      expect((await eventTypes(c.tenant.id)).slice(-2)).toEqual(['tenant.deleted', 'tenant.purged']);
      // Its name is free again.
      expect((await t.call('POST', '/v1/tenants', { body: { name: 'Purge Now' } })).statusCode).toBe(201);

      // A tenant already pending deletion can be purged early as well.
      const d = await populated('Purge Early');
      await t.call('DELETE', `/v1/tenants/${d.tenant.id}?force=true`);
      expect((await t.call('DELETE', `/v1/tenants/${d.tenant.id}?purge=true`)).statusCode).toBe(204);
      expect((await eventTypes(d.tenant.id)).slice(-2)).toEqual(['tenant.deleted', 'tenant.purged']);
      expect((await t.call('POST', `/v1/tenants/${d.tenant.id}/restore`)).statusCode).toBe(404);
    });

    it('purges each due tenant exactly once with two workers side by side, and not a tenant still within its retention', async () => {
      const due = [];
      for (let i = 0; i < 6; i++) {
        const c = await populated(`Due ${i}`);
        await t.call('DELETE', `/v1/tenants/${c.tenant.id}?force=true`);
        due.push(c);
      }
      clock.advance(30 * DAY + 60_000);
      const late = await populated('Deleted Later');
      await t.call('DELETE', `/v1/tenants/${late.tenant.id}?force=true`);
      const restoreLate = await t.call('POST', `/v1/tenants/${due[0].tenant.id}/restore`);
      expect([restoreLate.statusCode, json(restoreLate).code]).toEqual([409, 'RETENTION_OVER']);

      const { db } = t.deps.database;
      const worker = () =>
        createTenantLifecycle({ db, clock, changes: t.deps.changes, revocations: t.deps.revocations, maxTokenTtlSeconds: 3600, retentionMs: 30 * DAY });
      const counts = await Promise.all([worker().purgeDue(), worker().purgeDue()]);
      expect(counts[0] + counts[1]).toBe(6);
      for (const c of due) {
        expect((await eventTypes(c.tenant.id)).filter((x: string) => x === 'tenant.purged')).toHaveLength(1);
        expect(await credentialStatuses(c)).toEqual([401, 401, 401]);
        const rows = await db.selectFrom('users').select('id').where('tenant_id', '=', c.tenant.id).execute();
        expect(rows).toHaveLength(0);
      }
      const purgeEntry = json(await t.call('GET', `/v1/audit-logs?tenantId=${due[1].tenant.id}&action=tenant.purge`)).results[0];
      expect(purgeEntry.actor).toMatchObject({ type: 'system' });
      // The tenant deleted a moment ago is still restorable.
      expect((await t.call('POST', `/v1/tenants/${late.tenant.id}/restore`)).statusCode).toBe(200);
      expect(await worker().purgeDue()).toBe(0);
    });
  });
}
