// One store from start to finish: a fresh data directory (and, on PostgreSQL, a fresh database that
// is dropped at the end), the service on a free port, BENCH_TENANTS tenants, then every path measured.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import pg from 'pg';
import { freePort, HOST } from '../test/support/processes.js';
import { measurePaths } from './paths.js';
import { checkTargets, type StoreResult } from './report.js';
import { insertWithSql, loadViaApi, SEARCH_TERM, type LoadSummary } from './seed.js';
import { onCleanup, serviceEnv, startService, stopChild } from './service.js';
import { base62, DATABASE_URL, fmt, LOAD_MODE, TENANTS, type Store } from './settings.js';

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
        await stopChild(service.child);
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

    const measured = await measurePaths(base, bareBase, rootKey, runTag, [...apiIds, ...sqlIds]);
    return {
      store,
      tenants: TENANTS,
      load,
      searchTerm: SEARCH_TERM,
      searchMatches: measured.searchMatches,
      cursor: measured.cursor,
      measurements: measured.measurements,
      targets: checkTargets(measured.byName),
    };
  } finally {
    await stopChild(service.child);
  }
}
