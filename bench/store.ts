// One store from start to finish: a fresh data directory (and, on PostgreSQL, a fresh database that
// is dropped at the end), the service on a free port, BENCH_TENANTS tenants, then every path measured.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import pg from 'pg';
import { freePort, HOST } from '../test/support/processes.js';
import { measureBatchStall } from './stall.js';
import { measureCeilings, measureLists, measureReads, withShares } from './paths.js';
import { checkTargets, type StoreResult } from './report.js';
import { COMMON_TERM, insertWithSql, loadViaApi, SEARCH_TERM, type LoadSummary, type Query, growTree } from './seed.js';
import { onCleanup, serviceEnv, startCeiling, startService, stopChild } from './service.js';
import { base62, DATABASE_URL, fmt, LARGE_TENANTS, LOAD_MODE, TENANTS, type Store } from './settings.js';

/** A database of its own on the PostgreSQL server of DATABASE_URL, dropped at cleanup; its URL. */
async function createDatabase(): Promise<string> {
  const dbName = `landlord_bench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: DATABASE_URL! });
  await admin.connect();
  try {
    await admin.query(`create database ${dbName}`);
  } finally {
    await admin.end();
  }
  onCleanup(async () => {
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
  console.log(`  created database ${dbName}`);
  return url.toString();
}

export async function benchStore(store: Store, bareBase: string, runTag: string): Promise<StoreResult> {
  console.log(`\n== ${store} ==`);
  const dataDir = mkdtempSync(join(tmpdir(), `landlord-bench-${store}-`));
  onCleanup(async () => rmSync(dataDir, { recursive: true, force: true }));
  const rootKey = `lk_root_${base62(43)}`;
  const databaseUrl = store === 'postgres' ? await createDatabase() : null;

  const port = await freePort();
  const base = `http://${HOST}:${port}`;
  const env = serviceEnv(port, dataDir, rootKey, databaseUrl);
  let service = await startService(store, env, base);

  /** PGlite lives inside the service process and allows one process at a time: the service stops meanwhile. */
  async function withDatabase<T>(fn: (query: Query) => Promise<T>, keepStopped = false): Promise<T> {
    if (store === 'postgres') {
      const client = new pg.Client({ connectionString: databaseUrl! });
      await client.connect();
      try {
        return await fn(async (text) => (await client.query(text)).rows);
      } finally {
        await client.end();
      }
    }
    await stopChild(service.child);
    const db = new PGlite({ dataDir, extensions: { pg_trgm } });
    await db.waitReady;
    try {
      return await fn(async (text) => (await db.query<Record<string, unknown>>(text)).rows);
    } finally {
      await db.close();
      if (!keepStopped) service = await startService(store, env, base);
    }
  }
  // What autovacuum does on its own shortly after a bulk load; done now so that it does not land in
  // the middle of a measurement. (PGlite has no autovacuum; it is left as a real embedded deployment would be.)
  const analyze = () => (store === 'postgres' ? withDatabase((query) => query('vacuum analyze tenants')).then(() => {}) : Promise.resolve());

  try {
    // --- load the table the HTTP paths are measured on
    const loadStarted = Date.now();
    const apiIds: string[] = [];
    let viaApi = 0;
    let apiSeconds = 0;
    if (LOAD_MODE !== 'sql') {
      const r = await loadViaApi(store, base, rootKey, TENANTS, apiIds);
      viaApi = r.loaded;
      apiSeconds = r.seconds;
    }
    const sqlIds = viaApi < TENANTS ? await withDatabase((query) => insertWithSql(store, query, viaApi, TENANTS, loadStarted)) : [];
    await withDatabase(growTree);
    await analyze();
    const load: LoadSummary = {
      method: viaApi === TENANTS ? 'api' : viaApi === 0 ? 'sql' : 'api+sql',
      viaApi,
      viaSql: TENANTS - viaApi,
      seconds: Math.round((Date.now() - loadStarted) / 100) / 10,
      apiPerSecond: viaApi > 0 ? Math.round(viaApi / apiSeconds) : null,
    };
    console.log(`  ${store}: loaded ${fmt(TENANTS)} tenants in ${load.seconds} s (${load.method})`);
    const ids = [...apiIds, ...sqlIds];

    // --- the ceilings on the same database (the embedded one while the service is stopped)
    if (store === 'pglite') await stopChild(service.child);
    const ceiling = await startCeiling(await freePort(), databaseUrl ? { databaseUrl } : { dataDir });
    const ceilings = await measureCeilings(ceiling.base, ids);
    await stopChild(ceiling.child);
    if (store === 'pglite') service = await startService(store, env, base);

    // --- the paths
    const reads = await measureReads(base, bareBase, rootKey, runTag, ids);
    const lists = await measureLists(base, rootKey, TENANTS);
    const batchStall = await measureBatchStall(base, rootKey, ids[0], runTag);
    const bare = reads.bare!;
    const measurements = [
      ...withShares(ceilings, ceilings, bare, TENANTS),
      ...withShares(reads, ceilings, bare, TENANTS),
      ...withShares(lists.measured, ceilings, bare, TENANTS),
    ];

    // --- the list paths again on the large table
    const large = LARGE_TENANTS[store];
    let largeInputs = null;
    if (large > TENANTS) {
      const started = Date.now();
      await withDatabase((query) => insertWithSql(store, query, TENANTS, large, started));
      await withDatabase(growTree);
      await analyze();
      console.log(`  ${store}: ${fmt(large)} tenants in ${Math.round((Date.now() - started) / 1000)} s (SQL)`);
      const again = await measureLists(base, rootKey, large);
      largeInputs = again.inputs;
      measurements.push(...withShares(again.measured, ceilings, bare, large));
    }
    return {
      store,
      tenants: TENANTS,
      largeTenants: large > TENANTS ? large : null,
      load,
      searchTerms: { rare: SEARCH_TERM, common: COMMON_TERM },
      lists: lists.inputs,
      largeLists: largeInputs,
      measurements,
      batchStall,
      targets: checkTargets(store, measurements, batchStall),
    };
  } finally {
    await stopChild(service.child);
  }
}
