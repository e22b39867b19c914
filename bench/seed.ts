// The tenants a store is measured with: generated names, loaded through the API and, when that
// would take too long, the rest inserted with SQL.
import { BATCH_CONCURRENCY, BATCH_SIZE, fmt, LOAD_BUDGET_S, LOAD_MODE, LOAD_SAMPLE, PROGRESS_EVERY, type Store } from './settings.js';
import { call } from './service.js';

// Data: names from word lists so `search` has realistic selectivity. The word choice is a hash of
// the tenant's index, computed the same way in JavaScript (API load) and SQL (bulk load), so
// "Northwind Traders" (first word 0 and second word 0, 1 in 300) matches about 0.33% of tenants.

const FIRST = [
  'Northwind',
  'Contoso',
  'Fabrikam',
  'Globex',
  'Initech',
  'Umbrella',
  'Stark',
  'Wayne',
  'Wonka',
  'Hooli',
  'Vandelay',
  'Soylent',
  'Cyberdyne',
  'Tyrell',
  'Dunder',
  'Aperture',
  'Monarch',
  'Oscorp',
  'Gringotts',
  'Pendant',
  'Sterling',
  'Bluth',
  'Krusty',
  'Nakatomi',
  'Zorg',
];
const SECOND = ['Traders', 'Widgets', 'Logistics', 'Analytics', 'Foods', 'Robotics', 'Media', 'Health', 'Energy', 'Labs', 'Capital', 'Motors'];
const THIRD = ['LLC', 'Inc', 'GmbH', 'Ltd', 'Holdings', 'Group', 'SA', 'BV'];
const PLANS = ['free', 'team', 'pro'];
export const SEARCH_TERM = `${FIRST[0]} ${SECOND[0]}`.toLowerCase();
/** A common term: "ics" is in three of the twelve second words (Logistics, Analytics, Robotics) and nowhere else, so ~25% of tenants. */
export const COMMON_TERM = 'ics';

function mix(i: number): number {
  return (i * 2654435761) % 4294967296; // exact: i * 2654435761 < 2^53 for i < 3.3 million
}

function tenantItem(i: number): Record<string, unknown> {
  const h = mix(i);
  const name = `${FIRST[h % 25]} ${SECOND[Math.floor(h / 25) % 12]} ${THIRD[Math.floor(h / 300) % 8]} ${i}`;
  return {
    name,
    ...(i % 2 === 0 ? { email: `billing${i}@example.com` } : {}),
    isActive: i % 20 !== 0,
    metadata: { plan: PLANS[i % 3] },
  };
}

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';
const sqlArray = (words: string[]) => `array[${words.map((w) => `'${w}'`).join(',')}]`;

/** One INSERT … SELECT generate_series producing rows [from, to) like the service would, created_at spread over two years. */
function bulkInsertSql(from: number, to: number, endMs: number): string {
  const startMs = endMs - 730 * 86_400_000;
  const stepMs = Math.max(1, Math.floor((endMs - startMs) / Math.max(1, to - from)));
  return `
insert into tenants (id, organization_id, name, slug, display_name, email, is_active, legal_entities, settings, metadata, created_at, updated_at)
select 'tnt_' || tp.s || rp.s, o.id, n.name, lower(regexp_replace(n.name, '[^A-Za-z0-9_]+', '-', 'g')), n.name,
       case when g % 2 = 0 then 'billing' || g || '@example.com' end,
       g % 20 <> 0, '[]'::jsonb, '{"timezone": "UTC", "weekStart": 1, "locale": "en"}'::jsonb,
       jsonb_build_object('plan', (${sqlArray(PLANS)})[g % 3 + 1]),
       c.at, c.at
from generate_series(${from}, ${to - 1}) as g
cross join (select id from organizations where slug = 'default') as o
cross join lateral (select (g * 2654435761::bigint) % 4294967296 as h) as x
cross join lateral (
  select (${sqlArray(FIRST)})[x.h % 25 + 1] || ' ' || (${sqlArray(SECOND)})[(x.h / 25) % 12 + 1] || ' ' ||
         (${sqlArray(THIRD)})[(x.h / 300) % 8 + 1] || ' ' || g as name
) as n
cross join lateral (select ${startMs}::bigint + (g - ${from})::bigint * ${stepMs} as ms) as m
cross join lateral (select timestamptz 'epoch' + m.ms * interval '1 millisecond' as at) as c
-- ULID layout: 10 characters of millisecond time (unique here: one row per ms step) + 16 pseudo-random ones.
cross join lateral (
  select string_agg(substr('${CROCKFORD}', ((m.ms >> (5 * k)) & 31)::int + 1, 1), '' order by k desc) as s
  from generate_series(0, 9) as k
) as tp
cross join lateral (
  select string_agg(substr('${CROCKFORD}', get_byte(decode(md5(g::text || '-${startMs}'), 'hex'), j) % 32 + 1, 1), '' order by j) as s
  from generate_series(0, 15) as j
) as rp`;
}

export interface LoadSummary {
  method: 'api' | 'sql' | 'api+sql';
  viaApi: number;
  viaSql: number;
  seconds: number;
  apiPerSecond: number | null;
}

/** POST /v1/tenants/batch, 100 items per call, a few calls at a time; stops early when over budget (auto mode). */
export async function loadViaApi(store: Store, base: string, rootKey: string, total: number, ids: string[]): Promise<{ loaded: number; seconds: number }> {
  const started = Date.now();
  let next = 0;
  let loaded = 0;
  let nextReport = PROGRESS_EVERY;
  let stop = false;
  const worker = async () => {
    while (!stop && next < total) {
      const from = next;
      const to = Math.min(total, from + BATCH_SIZE);
      next = to;
      const items = [];
      for (let i = from; i < to; i++) items.push(tenantItem(i));
      const body = (await call(base, rootKey, 'POST', '/v1/tenants/batch', { items })) as {
        results: { status: number; tenant?: { id: string }; error?: { code: string; detail: string } }[];
      };
      body.results.forEach((r, k) => {
        if (r.status !== 201 || !r.tenant) throw new Error(`batch item ${from + k}: ${r.status} ${r.error?.code} ${r.error?.detail}`);
        ids.push(r.tenant.id);
      });
      loaded += body.results.length;
      const seconds = (Date.now() - started) / 1000;
      while (loaded >= nextReport) {
        console.log(`  ${store}: ${fmt(nextReport)} / ${fmt(total)} tenants via the API (${fmt(loaded / seconds)}/s, ${seconds.toFixed(0)} s)`);
        nextReport += PROGRESS_EVERY;
      }
      // Decide early (after a first sample of the rate) so a slow machine does not spend minutes finding out.
      const projected = (seconds / loaded) * total;
      if (LOAD_MODE === 'auto' && !stop && loaded >= LOAD_SAMPLE && loaded < total && projected > LOAD_BUDGET_S) {
        console.log(
          `  ${store}: ${fmt(loaded)} tenants via the API at ${fmt(loaded / seconds)}/s; all ${fmt(total)} would take ~${projected.toFixed(0)} s (budget ${LOAD_BUDGET_S} s): inserting the rest with SQL`,
        );
        stop = true;
      }
    }
  };
  await Promise.all(Array.from({ length: BATCH_CONCURRENCY }, worker));
  return { loaded, seconds: (Date.now() - started) / 1000 };
}

export type Query = (text: string) => Promise<Record<string, unknown>[]>;

/** Inserts rows [from, to) with one INSERT … SELECT and returns a sample of ids. */
export async function insertWithSql(store: Store, query: Query, from: number, to: number, before: number): Promise<string[]> {
  const started = Date.now();
  console.log(`  ${store}: inserting ${fmt(to - from)} tenants with one INSERT … SELECT generate_series`);
  const [had] = await query(`select count(*)::int as n from tenants`);
  // Spread over the two years before the load started, so they are older than those created through the API.
  await query(bulkInsertSql(from, to, before - 60_000));
  const [row] = await query(`select count(*)::int as n from tenants`);
  const [bad] = await query(`select count(*)::int as n from tenants where id !~ '^tnt_[0-9a-hjkmnp-tv-z]{26}$'`);
  if (Number(bad.n) !== 0) throw new Error(`${bad.n} inserted ids do not look like tnt_ + 26 Crockford base32 characters`);
  if (Number(row.n) - Number(had.n) !== to - from)
    throw new Error(`expected ${fmt(to - from)} more tenants after the insert, found ${fmt(Number(row.n) - Number(had.n))}`);
  console.log(`  ${store}: ${fmt(Number(row.n))} tenants in the table (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  const sample = await query(`select id from tenants order by random() limit 2000`);
  return sample.map((r) => String(r.id));
}

/**
 * A tenant tree for the subtree listing: the oldest tenant becomes the parent of about 1% of the
 * others (chosen by a hash of their id, so a second call after more rows adds their share).
 */
export async function growTree(query: Query): Promise<void> {
  await query(`
with root as (select id from tenants order by created_at, id limit 1)
update tenants t set parent_id = root.id, depth = 1, ancestor_ids = array[root.id]
from root
where t.id <> root.id and t.parent_id is null and abs(hashtext(t.id)) % 100 = 0`);
}
