// What a run of bench/run.ts measures, from the environment (documented at the top of bench/run.ts).
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { ROOT } from '../test/support/processes.js';

export const RESULTS_FILE = join(ROOT, 'bench', 'results.json');

function intEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be a whole number >= ${min}, got "${raw}"`);
  return value;
}

export type Store = 'pglite' | 'postgres';

/** Tenants for the HTTP paths; the list, search and cursor paths are measured again with LARGE_TENANTS. */
export const TENANTS = intEnv('BENCH_TENANTS', 10_000, 1_000);
const large = process.env.BENCH_LARGE_TENANTS;
/** 0 skips the large phase. */
export const LARGE_TENANTS: Record<Store, number> = {
  postgres: large ? intEnv('BENCH_LARGE_TENANTS', 0, 0) : 1_000_000,
  pglite: large ? intEnv('BENCH_LARGE_TENANTS', 0, 0) : 100_000,
};
export const DURATION = intEnv('BENCH_DURATION', 10, 1);
export const WARMUP = intEnv('BENCH_WARMUP', 2, 0);
export const CONNECTIONS = intEnv('BENCH_CONNECTIONS', 10, 1);
export const LOAD_BUDGET_S = intEnv('BENCH_LOAD_BUDGET', 180, 1);
export const LOAD_MODE = (process.env.BENCH_LOAD || 'auto') as 'auto' | 'api' | 'sql';
if (!['auto', 'api', 'sql'].includes(LOAD_MODE)) throw new Error('BENCH_LOAD must be auto, api or sql');
export const STRICT = process.env.BENCH_STRICT === '1';
export const DATABASE_URL = process.env.DATABASE_URL || null;
export const STORES = (process.env.BENCH_STORES || 'pglite,postgres')
  .split(',')
  .map((s) => s.trim())
  .filter((s): s is Store => s === 'pglite' || (s === 'postgres' && DATABASE_URL !== null));

export const BATCH_SIZE = 100; // the API's maximum
export const BATCH_CONCURRENCY = 4;
export const PROGRESS_EVERY = 10_000;
export const LOAD_SAMPLE = 5_000; // tenants loaded through the API before projecting the total load time
export const MAX_BAD_RATIO = 0.01;
export const REQUEST_TIMEOUT_S = 30;

export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export function base62(length: number): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(62)];
  return out;
}
