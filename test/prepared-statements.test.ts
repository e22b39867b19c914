import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import pg from 'pg';
import { createTestApp, json, stores, type TestApp } from './helpers.js';

// On PostgreSQL statements are prepared once per connection. A migration run by another node
// changes a table under them; requests must keep working, not fail with "cached plan must not
// change result type".
for (const store of stores.filter((s) => s === 'postgres')) {
  describe(`prepared statements on ${store}`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(store);
    });
    after(async () => {
      await t?.close();
    });

    /** A migration run by another node: DDL over a connection of its own. */
    const migrateElsewhere = async (ddl: string) => {
      const other = new pg.Client({ connectionString: t.databaseUrl! });
      await other.connect();
      try {
        await other.query(ddl);
      } finally {
        await other.end();
      }
    };

    it('keeps answering when another node adds a column to a table the statements read', async () => {
      const tenant = json(await t.call('POST', '/v1/tenants', { body: { name: 'Prepared Co' } }));
      // Warm every pooled connection with the statements of a read.
      const reads = () => Promise.all(Array.from({ length: 20 }, () => t.call('GET', `/v1/tenants/${tenant.id}`)));
      expect((await reads()).map((r) => r.statusCode)).toEqual(Array(20).fill(200));
      await migrateElsewhere('alter table tenants add column rollout_note text');
      const after = await reads();
      expect(after.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
      expect(json(after[0]).name).toBe('Prepared Co');
      expect((await reads()).map((r) => r.statusCode)).toEqual(Array(20).fill(200));
    });

    it('answers a write whose statement went stale inside its transaction with 503, never 500, and the retry succeeds', async () => {
      const tenant = json(await t.call('POST', '/v1/tenants', { body: { name: 'Stale Co' } }));
      const writes = (round: number) =>
        Promise.all(Array.from({ length: 20 }, (_, i) => t.call('PATCH', `/v1/tenants/${tenant.id}`, { body: { description: `round ${round} ${i}` } })));
      expect((await writes(1)).map((r) => r.statusCode)).toEqual(Array(20).fill(200));
      await migrateElsewhere('alter table tenants add column rollout_flag boolean');
      const during = (await writes(2)).map((r) => r.statusCode);
      expect(during.filter((s) => s !== 200 && s !== 503)).toEqual([]);
      // The stale connections are gone: every write succeeds again.
      expect((await writes(3)).map((r) => r.statusCode)).toEqual(Array(20).fill(200));
    });
  });
}
