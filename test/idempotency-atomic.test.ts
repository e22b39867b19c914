import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { sql } from 'kysely';
import { createTestApp, json, stores, type TestApp } from './helpers.js';

// The stored response of an idempotent POST commits in the same transaction as the change: when
// the response cannot be stored, the change does not happen either, and a retry runs it once.

for (const store of stores) {
  describe(`idempotent requests commit with their stored response on ${store}`, () => {
    let t: TestApp;
    let tenant: any;
    before(async () => {
      t = await createTestApp(store);
      tenant = json(await t.call('POST', '/v1/tenants', { body: { name: 'Atomic Parent' } }));
    });
    after(async () => {
      await t?.close();
    });

    // A real database fault at the last moment: the row that stores the response refuses to be written.
    const refuseStoredResponses = (on: boolean) =>
      on
        ? sql`alter table idempotency_keys add constraint refuse_done check (state <> 'done') not valid`.execute(t.deps.database.db)
        : sql`alter table idempotency_keys drop constraint refuse_done`.execute(t.deps.database.db);

    it('creates nothing when the response cannot be stored, and exactly one thing on the retry', async () => {
      const headers = { 'idempotency-key': 'atomic-tenant-1' };
      await refuseStoredResponses(true);
      const failed = await t.call('POST', '/v1/tenants', { body: { name: 'Atomic Idem Co' }, headers });
      expect(failed.statusCode).toBe(503);
      expect(json(failed).code).toBe('UNAVAILABLE');
      expect(failed.headers.location).toBeUndefined();
      expect(json(await t.call('GET', '/v1/tenants?search=atomic%20idem')).count).toBe(0);
      const events = json(await t.call('GET', '/v1/events?type=tenant.created')).results;
      expect(events.some((e: any) => e.data.object.name === 'Atomic Idem Co')).toBe(false);
      await refuseStoredResponses(false);

      const retried = await t.call('POST', '/v1/tenants', { body: { name: 'Atomic Idem Co' }, headers });
      expect(retried.statusCode).toBe(201);
      const replay = await t.call('POST', '/v1/tenants', { body: { name: 'Atomic Idem Co' }, headers });
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(json(replay).id).toBe(json(retried).id);
      expect(json(await t.call('GET', '/v1/tenants?search=atomic%20idem')).count).toBe(1);
    });

    it('never issues a second API key for one idempotency key', async () => {
      const headers = { 'idempotency-key': 'atomic-key-1' };
      const path = `/v1/tenants/${tenant.id}/api-keys`;
      const count = async () => json(await t.call('GET', path)).results?.length ?? json(await t.call('GET', path)).length;
      const before = await count();
      await refuseStoredResponses(true);
      expect((await t.call('POST', path, { body: { name: 'CI' }, headers })).statusCode).toBe(503);
      expect(await count()).toBe(before);
      await refuseStoredResponses(false);
      const first = json(await t.call('POST', path, { body: { name: 'CI' }, headers }));
      const again = json(await t.call('POST', path, { body: { name: 'CI' }, headers }));
      expect(again.secret).toBe(first.secret);
      expect(await count()).toBe(before + 1);
    });

    it('keeps a request with several writes whole, and serves other requests meanwhile', async () => {
      const headers = { 'idempotency-key': 'atomic-batch-1' };
      const batch = t.call('POST', '/v1/tenants/batch', { body: { items: [{ name: 'Batch A' }, { name: 'Batch B' }, { name: 'Atomic Parent' }] }, headers });
      const other = t.call('GET', `/v1/tenants/${tenant.id}`);
      const [res, read] = await Promise.all([batch, other]);
      expect(read.statusCode).toBe(200);
      expect(json(res).results.map((r: any) => r.status)).toEqual([201, 201, 409]);
      expect(json(await t.call('GET', '/v1/tenants?search=batch%20')).count).toBe(2);
      const replay = await t.call('POST', '/v1/tenants/batch', {
        body: { items: [{ name: 'Batch A' }, { name: 'Batch B' }, { name: 'Atomic Parent' }] },
        headers,
      });
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(json(await t.call('GET', '/v1/tenants?search=batch%20')).count).toBe(2);
    });
  });
}
