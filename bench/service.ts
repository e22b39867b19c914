// The child processes of a benchmark run, the service under test among them: every one started is
// tracked and stopped on success, error, or signal, and so is every other resource registered here.
import { BIN, childEnv, HOST, killAll, spawnNode, stop, stopAll, waitForHttp, type Child } from '../test/support/processes.js';
import type { Store } from './settings.js';

/** Grace before SIGKILL for a child asked to stop. */
export const STOP_GRACE_MS = 10_000;

// Cleanup that also runs on Ctrl-C: children first (a database in use cannot be dropped), then the rest.
const cleanups: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | null = null;

/** Runs at cleanup, after the children stopped, the last registered first. */
export function onCleanup(fn: () => Promise<void>): void {
  cleanups.push(fn);
}

export function cleanup(): Promise<void> {
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

export const stopChild = (child: Child) => stop(child, 'SIGTERM', STOP_GRACE_MS);

/** The bare Fastify route in a child process: the ceiling on this machine. */
export async function startBare(port: number): Promise<{ child: Child; base: string }> {
  const base = `http://${HOST}:${port}`;
  const child = spawnNode('bare Fastify', ['--import', 'tsx', 'bench/bare-server.ts'], { ...process.env, PORT: String(port) });
  await waitForHttp(child, `${base}/`, 30_000);
  return { child, base };
}

/** The database ceilings (bench/ceiling-server.ts) over the store's database: DATABASE_URL, or the embedded data directory. */
export async function startCeiling(port: number, target: { databaseUrl: string } | { dataDir: string }): Promise<{ child: Child; base: string }> {
  const base = `http://${HOST}:${port}`;
  const env = 'databaseUrl' in target ? { DATABASE_URL: target.databaseUrl } : { CEILING_DATA_DIR: target.dataDir };
  const child = spawnNode('database ceilings', ['--import', 'tsx', 'bench/ceiling-server.ts'], { ...childEnv({}), ...env, PORT: String(port) });
  await waitForHttp(child, `${base}/ready`, 60_000);
  return { child, base };
}

export interface Service {
  child: Child;
  base: string;
  env: NodeJS.ProcessEnv;
}

export async function startService(store: Store, env: NodeJS.ProcessEnv, base: string): Promise<Service> {
  const child = spawnNode(`landlord (${store})`, [BIN, 'serve', '--no-worker'], env);
  await waitForHttp(child, `${base}/readyz`);
  return { child, base, env };
}

/** None of this process's Landlord settings (see childEnv), only these. */
export function serviceEnv(port: number, dataDir: string, rootKey: string, databaseUrl: string | null): NodeJS.ProcessEnv {
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

export async function call(base: string, rootKey: string, method: string, path: string, body?: unknown): Promise<any> {
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
