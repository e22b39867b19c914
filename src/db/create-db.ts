import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { latestMigration, migrationProvider } from './migrations/index.js';
import type { Database } from './schema.js';

export type Store = 'pglite' | 'postgres';

export interface Db {
  readonly db: Kysely<Database>;
  readonly store: Store;
  close(): Promise<void>;
}

export interface DbOptions {
  /** PostgreSQL connection string; when null, PGlite is used. */
  databaseUrl: string | null;
  /** PGlite data directory; null keeps the embedded database in memory (tests). */
  dataDir: string | null;
  poolSize?: number;
}

// timestamptz and int8 come back as Date and number on both stores.
pg.types.setTypeParser(20, (v) => Number(v));

export async function createDb(options: DbOptions): Promise<Db> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
    // A dropped idle connection must not crash the process; the next query reconnects.
    pool.on('error', () => {});
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, store: 'postgres', close: () => db.destroy() };
  }
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const pglite = new PGlite({ ...(options.dataDir ? { dataDir: options.dataDir } : {}), extensions: { pg_trgm } });
  await pglite.waitReady;
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  return { db, store: 'pglite', close: () => db.destroy() };
}

export function createMigrator(db: Kysely<Database>): Migrator {
  return new Migrator({ db, provider: migrationProvider, migrationTableName: 'landlord_migrations', migrationLockTableName: 'landlord_migrations_lock' });
}

export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const { error, results } = await createMigrator(db).migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** True when the database answers and every migration this build knows is applied. */
export async function isSchemaCurrent(db: Kysely<Database>): Promise<boolean> {
  const result = await sql<{ name: string }>`select name from landlord_migrations where name = ${latestMigration}`.execute(db);
  return result.rows.length === 1;
}

const ANALYZE_EVERY_MS = 10 * 60_000;

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
  return () => clearInterval(timer);
}
