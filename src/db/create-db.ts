import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely, PGliteDialect, PostgresDialect, sql, type CompiledQuery } from 'kysely';
import { scopedDialect, type RequestScope } from './request-transaction.js';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { latestMigration, migrationProvider } from './migrations/index.js';
import type { Database } from './schema.js';
import { lockDataDir, secureDataDir } from './data-dir.js';
import { createGuardedPool, DEFAULT_DB_TIMEOUTS, type DbTimeouts, type PoolHealth } from './guarded-pool.js';
import { listenOnPglite, listenOnPostgres, type Listen, type Listener } from './listener.js';

export type Store = 'pglite' | 'postgres';

export interface Db {
  readonly db: Kysely<Database>;
  readonly store: Store;
  /** Whether the database is known to be away, and the pool's connections (PostgreSQL; null on PGlite). */
  health(): PoolHealth | null;
  /** Embedded store: makes every file of the data dir owner-only again (PGlite creates them world-writable). */
  protect(): void;
  /** Ends a request scope's held transaction (see request-transaction.ts): `closing`, then COMMIT, or ROLLBACK. */
  finish(scope: RequestScope, closing: CompiledQuery[], commit: boolean): Promise<void>;
  /** Runs `fn` on a connection of its own without statement timeouts: migrations may take long. */
  unbounded<T>(fn: (db: Kysely<Database>) => Promise<T>): Promise<T>;
  /**
   * Subscribes to NOTIFY on a channel (see listener.ts): on PostgreSQL over a connection of its own
   * that is reopened whenever it is lost, on PGlite through PGlite itself. close() ends any still open.
   */
  listen: Listen;
  /** Embedded store: a consistent copy of the whole data dir (a gzipped tar), taken between statements. */
  dump?: () => Promise<Blob>;
  close(): Promise<void>;
}

export interface DbOptions {
  /** PostgreSQL connection string; when null, PGlite is used. */
  databaseUrl: string | null;
  /** PGlite data directory; null keeps the embedded database in memory (tests). */
  dataDir: string | null;
  poolSize?: number;
  timeouts?: DbTimeouts;
  /** Embedded store: start from this backup (`dump()`'s output) instead of an empty data dir. */
  load?: Blob;
}

// timestamptz and int8 come back as Date and number on both stores.
pg.types.setTypeParser(20, (v) => Number(v));

/** Keeps track of the listeners `open` makes, so that the database's close() can end those still open. */
function trackListeners(open: Listen): { listen: Listen; closeAll(): Promise<void> } {
  const listeners = new Set<Listener>();
  return {
    listen(channel, handlers) {
      const listener = open(channel, handlers);
      const tracked: Listener = {
        get live() {
          return listener.live;
        },
        close() {
          listeners.delete(tracked);
          return listener.close();
        },
      };
      listeners.add(tracked);
      return tracked;
    },
    closeAll: async () => {
      await Promise.all([...listeners].map((l) => l.close()));
    },
  };
}

export async function createDb(options: DbOptions): Promise<Db> {
  if (options.databaseUrl) {
    const url = options.databaseUrl;
    const guarded = createGuardedPool(url, options.poolSize ?? 10, options.timeouts);
    const dialect = scopedDialect(new PostgresDialect({ pool: guarded.pool }));
    const db = new Kysely<Database>({ dialect });
    const unbounded = async <T>(fn: (db: Kysely<Database>) => Promise<T>): Promise<T> => {
      const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 10_000 });
      pool.on('error', () => {});
      pool.on('connect', (client) => client.on('error', () => {}));
      const own = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
      try {
        return await fn(own);
      } finally {
        await own.destroy();
      }
    };
    const timeouts = options.timeouts ?? DEFAULT_DB_TIMEOUTS;
    const listeners = trackListeners((channel, handlers) => listenOnPostgres(url, timeouts, channel, handlers));
    const close = async () => {
      await listeners.closeAll();
      await db.destroy();
    };
    return { db, store: 'postgres', health: guarded.health, protect: () => {}, finish: dialect.finish, unbounded, listen: listeners.listen, close };
  }
  const dataDir = options.dataDir;
  let release = () => {};
  if (dataDir) {
    secureDataDir(dataDir);
    release = lockDataDir(dataDir);
  }
  let pglite: PGlite;
  try {
    pglite = new PGlite({ ...(dataDir ? { dataDir } : {}), ...(options.load ? { loadDataDir: options.load } : {}), extensions: { pg_trgm } });
    await pglite.waitReady;
    // The first start ran initdb just now.
    if (dataDir) secureDataDir(dataDir);
  } catch (error) {
    release();
    throw error;
  }
  const dialect = scopedDialect(new PGliteDialect({ pglite }));
  const db = new Kysely<Database>({ dialect });
  const listeners = trackListeners((channel, handlers) => listenOnPglite(pglite, channel, handlers));
  const close = async () => {
    try {
      await listeners.closeAll();
      await db.destroy();
    } finally {
      if (dataDir) secureDataDir(dataDir, { sync: true });
      release();
    }
  };
  const protect = () => {
    if (dataDir) secureDataDir(dataDir);
  };
  const dump = () => pglite.dumpDataDir('gzip') as Promise<Blob>;
  return { db, store: 'pglite', health: () => null, protect, finish: dialect.finish, unbounded: (fn) => fn(db), listen: listeners.listen, dump, close };
}

export function createMigrator(db: Kysely<Database>): Migrator {
  return new Migrator({ db, provider: migrationProvider, migrationTableName: 'landlord_migrations', migrationLockTableName: 'landlord_migrations_lock' });
}

export async function migrateToLatest(database: Db): Promise<string[]> {
  const { error, results } = await database.unbounded((db) => createMigrator(db).migrateToLatest());
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** True when the database answers and every migration this build knows is applied. */
export async function isSchemaCurrent(db: Kysely<Database>): Promise<boolean> {
  const result = await sql<{ name: string }>`select name from landlord_migrations where name = ${latestMigration}`.execute(db);
  return result.rows.length === 1;
}

const ANALYZE_EVERY_MS = 10 * 60_000;
const PROTECT_EVERY_MS = 30_000;

/**
 * PGlite has no autovacuum, so the planner would never get statistics and fall back to
 * sequential scans; analyze at start and every few minutes. PostgreSQL does this itself.
 */
export function startMaintenance(database: Db): () => void {
  if (database.store !== 'pglite') return () => {};
  const analyze = () => sql`analyze`.execute(database.db).catch(() => {});
  void analyze();
  const timer = setInterval(analyze, ANALYZE_EVERY_MS);
  timer.unref();
  // New relations get new files; keep them owner-only (the data dir itself is 0700 throughout).
  const protect = setInterval(() => {
    try {
      database.protect();
    } catch {
      // tried again next time
    }
  }, PROTECT_EVERY_MS);
  protect.unref();
  return () => {
    clearInterval(timer);
    clearInterval(protect);
  };
}
