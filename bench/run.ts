// Landlord benchmark: `npm run bench` (PGlite), and PostgreSQL too when DATABASE_URL is set.
//
// For each store it starts the real service as a child process (node bin/landlord.js serve --no-worker)
// on a free port with a fresh data directory (and, on PostgreSQL, a fresh database that is dropped at
// the end), loads BENCH_TENANTS tenants, then measures with autocannon:
//   bare      GET / on a bare Fastify JSON route in a child process: the ceiling on this machine
//   get       GET /v1/tenants/{id} with the root key
//   create    POST /v1/tenants, a unique name per request
//   search    GET /v1/tenants?search=<term matching a few hundred tenants>
//   cursor    GET of a `next` link deep in the set (ordering=createdAt, createdAfter=<median createdAt>)
// It prints a table, checks the issue's targets and writes bench/results.json. With DATABASE_URL it then
// runs the webhook delivery bench (bench/webhooks.ts; BENCH_WEBHOOKS=0 skips it), which adds "webhooks".
//
// Environment: DATABASE_URL (also bench PostgreSQL), BENCH_TENANTS (100000), BENCH_DURATION (10 s),
// BENCH_WARMUP (2 s), BENCH_CONNECTIONS (10), BENCH_LOAD (auto | api | sql), BENCH_LOAD_BUDGET (180 s:
// in auto mode, when loading through the API is projected to take longer, the rest is inserted with
// SQL), BENCH_STORES (pglite,postgres), BENCH_STRICT=1 (exit 1 when a target is missed).
// The service runs with LANDLORD_LOG_LEVEL=silent and LANDLORD_RATE_LIMIT at its maximum (the default
// per-credential budget of 6,000 requests a minute would answer most benchmark requests with 429).
import { randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import autocannon from 'autocannon';
import pg from 'pg';
import { BIN, childEnv, freePort, HOST, killAll, ROOT, spawnNode, stop, stopAll, waitForHttp, type Child } from '../test/support/processes.js';

const RESULTS_FILE = join(ROOT, 'bench', 'results.json');

function intEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be a whole number >= ${min}, got "${raw}"`);
  return value;
}

const TENANTS = intEnv('BENCH_TENANTS', 100_000, 1_000);
const DURATION = intEnv('BENCH_DURATION', 10, 1);
const WARMUP = intEnv('BENCH_WARMUP', 2, 0);
const CONNECTIONS = intEnv('BENCH_CONNECTIONS', 10, 1);
const LOAD_BUDGET_S = intEnv('BENCH_LOAD_BUDGET', 180, 1);
const LOAD_MODE = (process.env.BENCH_LOAD || 'auto') as 'auto' | 'api' | 'sql';
if (!['auto', 'api', 'sql'].includes(LOAD_MODE)) throw new Error('BENCH_LOAD must be auto, api or sql');
const STRICT = process.env.BENCH_STRICT === '1';
const DATABASE_URL = process.env.DATABASE_URL || null;
const STORES = (process.env.BENCH_STORES || 'pglite,postgres')
  .split(',')
  .map((s) => s.trim())
  .filter((s): s is Store => s === 'pglite' || (s === 'postgres' && DATABASE_URL !== null));

const BATCH_SIZE = 100; // the API's maximum
const BATCH_CONCURRENCY = 4;
const PROGRESS_EVERY = 10_000;
const LOAD_SAMPLE = 5_000; // tenants loaded through the API before projecting the total load time
const MAX_BAD_RATIO = 0.01;
const REQUEST_TIMEOUT_S = 30;

type Store = 'pglite' | 'postgres';
type Name = 'bare' | 'get' | 'create' | 'search' | 'cursor' | 'token' | 'meKey' | 'meJwt';
const LABELS: Record<Name, string> = {
  bare: 'bare Fastify route (ceiling)',
  get: 'GET /v1/tenants/{id}',
  create: 'POST /v1/tenants',
  search: 'GET /v1/tenants?search=…',
  cursor: 'GET /v1/tenants?cursor=… (deep)',
  token: 'POST /oauth/token',
  meKey: 'GET /v1/tenants/me (API key)',
  meJwt: 'GET /v1/tenants/me (JWT)',
};
const ORDER: Name[] = ['bare', 'get', 'create', 'search', 'cursor', 'token', 'meKey', 'meJwt'];

// ---------------------------------------------------------------------------------------------
// Data: names from word lists so `search` has realistic selectivity. The word choice is a hash of
// the tenant's index, computed the same way in JavaScript (API load) and SQL (bulk load), so
// "Northwind Traders" (first word 0 and second word 0, 1 in 300) matches about 0.33% of tenants.

const FIRST = [
  'Northwind', 'Contoso', 'Fabrikam', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Wonka', 'Hooli',
  'Vandelay', 'Soylent', 'Cyberdyne', 'Tyrell', 'Dunder', 'Aperture', 'Monarch', 'Oscorp', 'Gringotts', 'Pendant',
  'Sterling', 'Bluth', 'Krusty', 'Nakatomi', 'Zorg',
];
const SECOND = ['Traders', 'Widgets', 'Logistics', 'Analytics', 'Foods', 'Robotics', 'Media', 'Health', 'Energy', 'Labs', 'Capital', 'Motors'];
const THIRD = ['LLC', 'Inc', 'GmbH', 'Ltd', 'Holdings', 'Group', 'SA', 'BV'];
const PLANS = ['free', 'team', 'pro'];
const SEARCH_TERM = `${FIRST[0]} ${SECOND[0]}`.toLowerCase();

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

// ---------------------------------------------------------------------------------------------
// Child processes: every one started is tracked and stopped on success, error, or signal.

/** Grace before SIGKILL for a child asked to stop. */
const STOP_GRACE_MS = 10_000;

function base62(length: number): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(62)];
  return out;
}

// Cleanup that also runs on Ctrl-C: children first (a database in use cannot be dropped), then the rest.
const cleanups: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | null = null;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await stopAll(STOP_GRACE_MS);
    for (const fn of cleanups.splice(0).reverse()) await fn().catch((e) => console.error(`cleanup: ${e instanceof Error ? e.message : e}`));
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping child processes…`);
    void cleanup().finally(() => process.exit(130));
  });
}
process.on('exit', killAll);

// ---------------------------------------------------------------------------------------------
// The service under test.

interface Service {
  child: Child;
  base: string;
  env: NodeJS.ProcessEnv;
}

async function startService(store: Store, env: NodeJS.ProcessEnv, base: string): Promise<Service> {
  const child = spawnNode(`landlord (${store})`, [BIN, 'serve', '--no-worker'], env);
  await waitForHttp(child, `${base}/readyz`);
  return { child, base, env };
}

/** None of this process's Landlord settings (see childEnv), only these. */
function serviceEnv(port: number, dataDir: string, rootKey: string, databaseUrl: string | null): NodeJS.ProcessEnv {
  return childEnv({
    PORT: String(port),
    LANDLORD_DATA_DIR: dataDir,
    LANDLORD_ROOT_KEY: rootKey,
    LANDLORD_PUBLIC_URL: `http://${HOST}:${port}`,
    LANDLORD_LOG_LEVEL: 'silent',
    // The per-credential request budget (default 6,000/min) would turn a benchmark into one of 429s.
    // Set to the largest accepted value rather than 0, so its hook stays in the measured path.
    LANDLORD_RATE_LIMIT: '100000000',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  });
}

async function call(base: string, rootKey: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${rootKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(120_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}

// ---------------------------------------------------------------------------------------------
// Loading.

interface LoadSummary {
  method: 'api' | 'sql' | 'api+sql';
  viaApi: number;
  viaSql: number;
  seconds: number;
  apiPerSecond: number | null;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** POST /v1/tenants/batch, 100 items per call, a few calls at a time; stops early when over budget (auto mode). */
async function loadViaApi(
  store: Store,
  base: string,
  rootKey: string,
  total: number,
  ids: string[],
): Promise<{ loaded: number; seconds: number }> {
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

type Query = (text: string) => Promise<Record<string, unknown>[]>;

/** Inserts rows [from, to) with one INSERT … SELECT and returns a sample of ids. */
async function insertWithSql(store: Store, query: Query, from: number, to: number, before: number): Promise<string[]> {
  const started = Date.now();
  console.log(`  ${store}: inserting ${fmt(to - from)} tenants with one INSERT … SELECT generate_series`);
  // Spread over the two years before the load started, so they are older than those created through the API.
  await query(bulkInsertSql(from, to, before - 60_000));
  const [row] = await query(`select count(*)::int as n from tenants`);
  const [bad] = await query(`select count(*)::int as n from tenants where id !~ '^tnt_[0-9a-hjkmnp-tv-z]{26}$'`);
  if (Number(bad.n) !== 0) throw new Error(`${bad.n} inserted ids do not look like tnt_ + 26 Crockford base32 characters`);
  if (Number(row.n) !== to) throw new Error(`expected ${to} tenants after the insert, found ${row.n}`);
  console.log(`  ${store}: ${fmt(Number(row.n))} tenants in the table (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  const sample = await query(`select id from tenants order by random() limit 2000`);
  return sample.map((r) => String(r.id));
}

// ---------------------------------------------------------------------------------------------
// Measuring.

interface Measurement {
  name: Name;
  label: string;
  target: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  percentOfBare: number | null;
  requests: number;
  /** The machine's 1-minute load average just before the measurement: context for noisy figures. */
  loadAverage: number;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
}

async function measure(
  name: Name,
  base: string,
  target: string,
  options: Omit<autocannon.Options, 'url'>,
  describeFailure: () => Promise<string>,
): Promise<Measurement> {
  const url = `${base}${target}`;
  const loadAverage = Math.round(loadavg()[0] * 100) / 100;
  // A generous timeout: a slow endpoint is measured as slow, not cut off at autocannon's default 10 s.
  const common = { url, connections: CONNECTIONS, timeout: REQUEST_TIMEOUT_S, ...options };
  if (WARMUP > 0) await autocannon({ ...common, duration: WARMUP });
  const r = await autocannon({ ...common, duration: DURATION });
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = Number(count);
  const requests = r.requests.total;
  const bad = r.non2xx + r.errors;
  const m: Measurement = {
    name,
    label: LABELS[name],
    target,
    requestsPerSecond: r.requests.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    percentOfBare: null,
    requests,
    loadAverage,
    non2xx: r.non2xx,
    errors: r.errors,
    statusCodes,
  };
  const codes = Object.entries(statusCodes).map(([c, n]) => `${c}: ${fmt(n)}`).join(', ');
  console.log(
    `  ${LABELS[name].padEnd(34)} ${fmt(m.requestsPerSecond).padStart(7)} req/s  p50 ${m.p50Ms} ms  p99 ${m.p99Ms} ms  (${codes}${r.errors ? `, errors: ${r.errors}` : ''}; load average ${loadAverage})`,
  );
  if (requests + r.errors === 0 || bad / (requests + r.errors) > MAX_BAD_RATIO) {
    throw new Error(
      `${LABELS[name]}: ${fmt(bad)} of ${fmt(requests + r.errors)} requests were not 2xx (${codes}; connection errors ${r.errors}, timeouts ${r.timeouts}); a benchmark of errors is worthless.\n${await describeFailure()}`,
    );
  }
  return m;
}

/** One request like the failing ones, to show what the server said. */
async function sample(url: string, init: RequestInit): Promise<string> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
    return `sample request: ${init.method ?? 'GET'} ${url} -> ${res.status} ${(await res.text()).slice(0, 400)}`;
  } catch (error) {
    return `sample request: ${init.method ?? 'GET'} ${url} failed: ${error instanceof Error ? error.message : error}`;
  }
}

interface TargetCheck {
  target: string;
  value: number;
  unit: string;
  met: boolean;
}

interface StoreResult {
  store: Store;
  tenants: number;
  load: LoadSummary;
  searchTerm: string;
  searchMatches: number;
  cursor: { createdAfter: string; path: string; rowsAfter: number | null };
  measurements: Measurement[];
  targets: TargetCheck[];
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

async function benchStore(store: Store, bareBase: string, runTag: string): Promise<StoreResult> {
  console.log(`\n== ${store} ==`);
  const dataDir = mkdtempSync(join(tmpdir(), `landlord-bench-${store}-`));
  cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  const rootKey = `lk_root_${base62(43)}`;

  let databaseUrl: string | null = null;
  if (store === 'postgres') {
    const dbName = `landlord_bench_${Date.now()}`;
    const admin = new pg.Client({ connectionString: DATABASE_URL! });
    await admin.connect();
    try {
      await admin.query(`create database ${dbName}`);
    } finally {
      await admin.end();
    }
    cleanups.push(async () => {
      const client = new pg.Client({ connectionString: DATABASE_URL! });
      await client.connect();
      try {
        await client.query(`drop database if exists ${dbName} with (force)`);
        console.log(`  dropped database ${dbName}`);
      } finally {
        await client.end();
      }
    });
    const url = new URL(DATABASE_URL!);
    url.pathname = `/${dbName}`;
    databaseUrl = url.toString();
    console.log(`  created database ${dbName}`);
  }

  const port = await freePort();
  const base = `http://${HOST}:${port}`;
  const env = serviceEnv(port, dataDir, rootKey, databaseUrl);
  let service = await startService(store, env, base);
  try {
    // --- load
    const loadStarted = Date.now();
    const apiIds: string[] = [];
    let viaApi = 0;
    let apiSeconds = 0;
    if (LOAD_MODE !== 'sql') {
      const r = await loadViaApi(store, base, rootKey, TENANTS, apiIds);
      viaApi = r.loaded;
      apiSeconds = r.seconds;
    }
    let sqlIds: string[] = [];
    if (viaApi < TENANTS) {
      if (store === 'postgres') {
        const client = new pg.Client({ connectionString: databaseUrl! });
        await client.connect();
        try {
          sqlIds = await insertWithSql(store, async (text) => (await client.query(text)).rows, viaApi, TENANTS, loadStarted);
        } finally {
          await client.end();
        }
      } else {
        // PGlite lives inside the service process and allows one process at a time: stop the
        // service, insert into its data directory from here, start it again.
        await stop(service.child, 'SIGTERM', STOP_GRACE_MS);
        const db = new PGlite({ dataDir, extensions: { pg_trgm } });
        await db.waitReady;
        try {
          sqlIds = await insertWithSql(store, async (text) => (await db.query<Record<string, unknown>>(text)).rows, viaApi, TENANTS, loadStarted);
        } finally {
          await db.close();
        }
        service = await startService(store, env, base);
      }
    }
    if (store === 'postgres') {
      // What autovacuum does on its own shortly after a bulk load; done now so that it does not
      // land in the middle of a measurement. (PGlite has no autovacuum; it is left as a real
      // embedded deployment would be.)
      const client = new pg.Client({ connectionString: databaseUrl! });
      await client.connect();
      try {
        await client.query('vacuum analyze tenants');
      } finally {
        await client.end();
      }
    }
    const load: LoadSummary = {
      method: viaApi === TENANTS ? 'api' : viaApi === 0 ? 'sql' : 'api+sql',
      viaApi,
      viaSql: TENANTS - viaApi,
      seconds: Math.round((Date.now() - loadStarted) / 100) / 10,
      apiPerSecond: viaApi > 0 ? Math.round(viaApi / apiSeconds) : null,
    };
    console.log(`  ${store}: loaded ${fmt(TENANTS)} tenants in ${load.seconds} s (${load.method})`);

    // --- inputs for the measurements
    const ids = shuffle([...apiIds, ...sqlIds]).slice(0, 1000);
    if (ids.length === 0) throw new Error('no tenant ids to read');
    const searchPath = `/v1/tenants?search=${encodeURIComponent(SEARCH_TERM)}`;
    const searchMatches = Number((await call(base, rootKey, 'GET', searchPath)).count);
    const median = (await call(base, rootKey, 'GET', `/v1/tenants?ordering=createdAt&limit=1&page=${Math.floor(TENANTS / 2)}&count=false`))
      .results[0].createdAt as string;
    const firstPage = await call(base, rootKey, 'GET', `/v1/tenants?limit=100&ordering=createdAt&createdAfter=${encodeURIComponent(median)}`);
    if (!firstPage.next) throw new Error('the createdAfter page has no next link');
    const nextUrl = new URL(firstPage.next as string);
    const cursorPath = `${nextUrl.pathname}${nextUrl.search}`;
    console.log(`  search "${SEARCH_TERM}" matches ${fmt(searchMatches)} tenants; cursor after ${median} (${fmt(Number(firstPage.count))} rows after it)`);

    // --- measure
    const auth = { authorization: `Bearer ${rootKey}` };
    const measured: Partial<Record<Name, Measurement>> = {};
    measured.bare = await measure('bare', bareBase, '/', {}, () => sample(`${bareBase}/`, {}));
    let n = 0;
    measured.get = await measure(
      'get',
      base,
      `/v1/tenants/${ids[0]}`,
      { headers: auth, requests: [{ setupRequest: (req) => ({ ...req, path: `/v1/tenants/${ids[n++ % ids.length]}` }) }] },
      () => sample(`${base}/v1/tenants/${ids[0]}`, { headers: auth }),
    );
    measured.get.target = `/v1/tenants/{id} (${ids.length} loaded ids in turn)`;
    measured.search = await measure('search', base, searchPath, { headers: auth }, () => sample(`${base}${searchPath}`, { headers: auth }));
    measured.cursor = await measure('cursor', base, cursorPath, { headers: auth }, () => sample(`${base}${cursorPath}`, { headers: auth }));
    // Credentials of one tenant: its API key as a Bearer secret, exchanged for a token, and the token itself.
    const keyed = await call(base, rootKey, 'POST', '/v1/tenants', { name: `Bench Keyed ${runTag}`, apiKey: {} });
    const basic = `Basic ${Buffer.from(`${keyed.apiKey.id}:${keyed.apiKey.secret}`).toString('base64')}`;
    const tokenInit = { method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' };
    measured.token = await measure('token', base, '/oauth/token', tokenInit, () => sample(`${base}/oauth/token`, tokenInit));
    const jwt = ((await (await fetch(`${base}/oauth/token`, tokenInit)).json()) as { access_token: string }).access_token;
    const keyAuth = { authorization: `Bearer ${keyed.apiKey.secret}` };
    measured.meKey = await measure('meKey', base, '/v1/tenants/me', { headers: keyAuth }, () => sample(`${base}/v1/tenants/me`, { headers: keyAuth }));
    const jwtAuth = { authorization: `Bearer ${jwt}` };
    measured.meJwt = await measure('meJwt', base, '/v1/tenants/me', { headers: jwtAuth }, () => sample(`${base}/v1/tenants/me`, { headers: jwtAuth }));
    // Last, so the reads above see exactly the loaded set.
    let created = 0;
    const createBody = () => JSON.stringify({ name: `Bench Create ${runTag} ${created}`, email: `bench-${runTag}-${created++}@example.com` });
    const createMeasured = await measure(
      'create',
      base,
      '/v1/tenants',
      {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, body: createBody() }) }],
      },
      () => sample(`${base}/v1/tenants`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: createBody() }),
    );
    createMeasured.target = '/v1/tenants {"name": "Bench Create <run> <n>", "email": …}';
    measured.create = createMeasured;

    const bareRps = measured.bare.requestsPerSecond;
    const measurements = ORDER.map((name) => {
      const m = measured[name]!;
      m.percentOfBare = Math.round((m.requestsPerSecond / bareRps) * 10_000) / 100;
      return m;
    });
    const targets: TargetCheck[] = [
      { target: 'GET by id >= 40% of bare', value: measured.get.percentOfBare!, unit: '%', met: measured.get.percentOfBare! >= 40 },
      { target: 'search p99 < 20 ms', value: measured.search.p99Ms, unit: 'ms', met: measured.search.p99Ms < 20 },
      { target: 'cursor page p99 < 20 ms', value: measured.cursor.p99Ms, unit: 'ms', met: measured.cursor.p99Ms < 20 },
      { target: 'create >= 1500/s', value: Math.round(measured.create.requestsPerSecond), unit: 'req/s', met: measured.create.requestsPerSecond >= 1500 },
      { target: 'token issuance >= 25% of bare', value: measured.token.percentOfBare!, unit: '%', met: measured.token.percentOfBare! >= 25 },
      { target: 'GET /me with an API key >= 35% of bare', value: measured.meKey.percentOfBare!, unit: '%', met: measured.meKey.percentOfBare! >= 35 },
      { target: 'GET /me with a JWT >= 35% of bare', value: measured.meJwt.percentOfBare!, unit: '%', met: measured.meJwt.percentOfBare! >= 35 },
    ];
    return {
      store,
      tenants: TENANTS,
      load,
      searchTerm: SEARCH_TERM,
      searchMatches,
      cursor: { createdAfter: median, path: cursorPath.replace(/cursor=[^&]+/, 'cursor=…'), rowsAfter: firstPage.count ?? null },
      measurements,
      targets,
    };
  } finally {
    await stop(service.child, 'SIGTERM', STOP_GRACE_MS);
  }
}

// ---------------------------------------------------------------------------------------------
// Report.

function printTable(results: StoreResult[]): void {
  const header = ['store', 'measurement', 'req/s', 'p50 ms', 'p99 ms', '% of bare', 'non-2xx'];
  const rows = results.flatMap((s) =>
    s.measurements.map((m) => [
      s.store,
      m.label,
      fmt(m.requestsPerSecond),
      String(m.p50Ms),
      String(m.p99Ms),
      m.percentOfBare === null ? '' : `${m.percentOfBare.toFixed(m.percentOfBare < 1 ? 2 : 1)}%`,
      String(m.non2xx + m.errors),
    ]),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  let previous = '';
  for (const row of rows) {
    if (previous && row[0] !== previous) console.log('');
    previous = row[0];
    console.log(line(row));
  }
}

function printTargets(results: StoreResult[]): void {
  console.log('\nTargets (the issue states them for PostgreSQL; other stores are shown for reference):');
  for (const s of results) {
    for (const t of s.targets) {
      const note = s.store === 'postgres' ? '' : '  (reference)';
      console.log(`  ${s.store.padEnd(8)}  ${t.target.padEnd(26)} ${String(t.value).padStart(7)} ${t.unit.padEnd(5)}  ${t.met ? 'met' : 'MISSED'}${note}`);
    }
  }
  if (!results.some((s) => s.store === 'postgres')) console.log('  (set DATABASE_URL=postgres://… to measure PostgreSQL too)');
}

async function main(): Promise<number> {
  const started = Date.now();
  const runTag = base62(8);
  console.log(
    `Landlord benchmark: ${fmt(TENANTS)} tenants per store, ${DURATION} s per measurement (+${WARMUP} s warm-up), ${CONNECTIONS} connections, stores: ${STORES.join(', ')}`,
  );
  console.log(`Node ${process.version}, ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  const barePort = await freePort();
  const bareBase = `http://${HOST}:${barePort}`;
  const bare = spawnNode('bare Fastify', ['--import', 'tsx', 'bench/bare-server.ts'], { ...process.env, PORT: String(barePort) });
  await waitForHttp(bare, `${bareBase}/`, 30_000);

  const results: StoreResult[] = [];
  for (const store of STORES) results.push(await benchStore(store, bareBase, runTag));
  await stop(bare, 'SIGTERM', STOP_GRACE_MS);

  printTable(results);
  printTargets(results);

  const report = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${platform()} ${arch()}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? null,
    settings: { tenantsPerStore: TENANTS, durationSeconds: DURATION, warmupSeconds: WARMUP, connections: CONNECTIONS, loadMode: LOAD_MODE },
    totalSeconds: Math.round((Date.now() - started) / 1000),
    stores: results,
  };
  // Keep the webhook figures (bench/webhooks.ts merges them in below, PostgreSQL only) when they are not redone.
  if (existsSync(RESULTS_FILE)) (report as Record<string, unknown>).webhooks = JSON.parse(readFileSync(RESULTS_FILE, 'utf8')).webhooks;
  writeFileSync(`${RESULTS_FILE}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(`${RESULTS_FILE}.tmp`, RESULTS_FILE);
  console.log(`\nWrote ${RESULTS_FILE} (${report.totalSeconds} s in all)`);
  let webhooksMissed = false;
  if (DATABASE_URL && process.env.BENCH_WEBHOOKS !== '0') {
    const { runWebhookBench } = await import('./webhooks.js');
    webhooksMissed = !(await runWebhookBench(DATABASE_URL)).targetsMet;
  }
  return STRICT && (webhooksMissed || results.some((s) => s.targets.some((t) => !t.met))) ? 1 : 0;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  console.error(`\nBenchmark failed: ${error instanceof Error ? error.message : error}`);
} finally {
  await cleanup();
}
process.exit(exitCode);
