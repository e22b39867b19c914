import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createDb, type Db, type Store } from '../src/db/create-db.js';
import { createDeps, type Deps } from '../src/deps.js';
import type { Clock } from '../src/lib/clock.js';
import { randomToken } from '../src/lib/crypto.js';
import { freePort } from './support/processes.js';

/** PGlite always; PostgreSQL too when TEST_DATABASE_URL is set. */
export const stores: Store[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export interface TestDatabase {
  url: string | null;
  open(): Promise<Db>;
  drop(): Promise<void>;
}

/** A database of its own for one test file: in-memory PGlite, or a fresh PostgreSQL database dropped afterwards. */
export async function createTestDatabase(store: Store): Promise<TestDatabase> {
  if (store === 'pglite') {
    return { url: null, open: () => createDb({ databaseUrl: null, dataDir: null }), drop: async () => {} };
  }
  const adminUrl = process.env.TEST_DATABASE_URL!;
  const name = `landlord_test_${Date.now()}_${randomToken(6).toLowerCase()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    open: () => createDb({ databaseUrl: url.toString(), dataDir: null, poolSize: 10 }),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists "${name}" with (force)`);
      await c.end();
    },
  };
}

export interface TestApp {
  app: FastifyInstance;
  deps: Deps;
  rootKey: string;
  dataDir: string;
  /** The PostgreSQL database's URL (for child processes on it); null on PGlite. */
  databaseUrl: string | null;
  /** LANDLORD_PUBLIC_URL; with `listen: true`, where the app really listens (http://127.0.0.1:port). */
  baseUrl: string;
  /** inject() with the root key unless another credential (or null for none) is given. */
  call(
    method: InjectOptions['method'],
    url: string,
    options?: { body?: unknown; key?: string | null; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Listen on a free port of 127.0.0.1, with LANDLORD_PUBLIC_URL pointing there (browser and real-HTTP tests). */
  listen?: boolean;
  /** The clock of every service (default: the system clock); see test/support/clock.ts. */
  clock?: Clock;
}

export async function createTestApp(store: Store, env: Record<string, string> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const port = options.listen ? await freePort() : null;
  if (port !== null) env = { ...env, LANDLORD_PUBLIC_URL: `http://127.0.0.1:${port}` };
  const testDb = await createTestDatabase(store);
  const dataDir = mkdtempSync(join(tmpdir(), 'landlord-test-'));
  const rootKey = `lk_root_${randomToken(43)}`;
  const config = loadConfig({
    LANDLORD_DATA_DIR: dataDir,
    LANDLORD_ROOT_KEY: rootKey,
    LANDLORD_PUBLIC_URL: 'http://landlord.test',
    ...env,
  });
  const deps = await createDeps(config, { database: await testDb.open(), clock: options.clock });
  const app = await buildApp(deps);
  await app.ready();
  if (port !== null) await app.listen({ port, host: '127.0.0.1' });
  return {
    app,
    deps,
    rootKey,
    dataDir,
    databaseUrl: testDb.url,
    baseUrl: config.publicUrl,
    call(method, url, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      const key = options.key === undefined ? rootKey : options.key;
      if (key !== null) headers.authorization = `Bearer ${key}`;
      return app.inject({ method, url, headers, ...(options.body !== undefined ? { payload: options.body as object } : {}) });
    },
    async close() {
      await app.close();
      await deps.close();
      await testDb.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function json<T = any>(response: LightMyRequestResponse): T {
  return response.json() as T;
}
