import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { sql } from 'kysely';
import { createTestApp, json, stores, type TestApp } from './helpers.js';

// The first page of a listing counts its matches exactly up to 1,000 and estimates beyond, so
// it does not grow with the table.
const ROWS = 1_060;

for (const store of stores) {
  describe(`tenant counts on ${store}`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(store);
      const db = t.deps.database.db;
      await sql`
        insert into tenants (id, organization_id, name, slug, display_name, settings, metadata, created_at, updated_at)
        select 'tnt_count' || lpad(g::text, 17, '0'), o.id, 'Counted ' || g, 'counted-' || g, 'Counted ' || g, '{"timezone": "UTC", "weekStart": 1, "locale": "en"}'::jsonb,
               jsonb_build_object('batch', case when g <= 40 then 'small' else 'large' end), now(), now()
        from generate_series(1, ${ROWS}) as g cross join (select id from organizations where slug = 'default') as o`.execute(db);
      await sql`analyze tenants`.execute(db);
    });
    after(async () => {
      await t?.close();
    });

    const count = async (qs: string) => {
      const res = await t.call('GET', `/v1/tenants${qs}`);
      expect([qs, res.statusCode, res.statusCode === 200 ? '' : res.body]).toEqual([qs, 200, '']);
      return json(res).count as number;
    };

    it('counts up to 1,000 matches exactly', async () => {
      expect(await count('?metadata[batch]=small')).toBe(40);
      expect(await count('?search=counted%20100')).toBe(11); // 100 and 1000-1009
      expect(await count('?search=counted%201')).toBe(172); // 1, 10-19, 100-199 and 1000-1060
    });

    it('estimates beyond 1,000, never below the cap, close to the truth', async () => {
      const estimate = await count('?limit=20');
      expect(estimate).toBeGreaterThan(1_000);
      expect(Math.abs(estimate - ROWS)).toBeLessThan(ROWS * 0.2);
    });

    // Last: it deletes most of the rows, and leaves the planner's statistics as they were.
    it('stays exact for a listing that ends on its page, however stale the statistics', async () => {
      await sql`delete from tenants where id like 'tnt_count%' and id > ${'tnt_count' + String(12).padStart(17, '0')}`.execute(t.deps.database.db);
      const res = await t.call('GET', '/v1/tenants?limit=100');
      expect([json(res).results.length, json(res).next, json(res).count]).toEqual([12, null, 12]);
      const paged = await t.call('GET', '/v1/tenants?limit=5&page=3&count=true');
      expect([json(paged).results.length, json(paged).next, json(paged).count]).toEqual([2, null, 12]);
      const past = json(await t.call('GET', '/v1/tenants?limit=5&page=9'));
      expect(past.results).toEqual([]);
    });
  });
}
