// Landlord benchmark: `npm run bench` (PGlite), and PostgreSQL too when DATABASE_URL is set.
//
// For each store it starts the real service as a child process (node bin/landlord.js serve --no-worker)
// on a free port with a fresh data directory (and, on PostgreSQL, a fresh database that is dropped at
// the end), loads BENCH_TENANTS tenants, and measures with autocannon, each path beside its ceiling
// measured in the same run on the same database:
//   bare           a bare Fastify JSON route (bench/bare-server.ts)
//   ceiling B      Fastify + the same driver, one prepared SELECT by id (bench/ceiling-server.ts): reads are a share of it
//   ceiling C      Fastify + one committed INSERT into a table like tenants: creates are a share of it
//   get, /me with an API key and with a JWT, POST /oauth/token, a tenant's users, POST /v1/tenants
//   the first list page (limit 20, with its count), a rare and a common search, a deep cursor page
// Then it inserts tenants with SQL up to BENCH_LARGE_TENANTS and measures the list, search and cursor
// paths again. It prints a table, checks the targets and writes bench/results.json. With
// DATABASE_URL it then runs the webhook delivery bench (bench/webhooks.ts; BENCH_WEBHOOKS=0 skips it).
//
// Environment: DATABASE_URL (also bench PostgreSQL), BENCH_TENANTS (10000), BENCH_LARGE_TENANTS (1000000 on
// PostgreSQL, 100000 on PGlite; 0 skips the large phase), BENCH_DURATION (10 s),
// BENCH_WARMUP (2 s), BENCH_CONNECTIONS (10), BENCH_LOAD (auto | api | sql), BENCH_LOAD_BUDGET (180 s:
// in auto mode, when loading through the API is projected to take longer, the rest is inserted with
// SQL), BENCH_STORES (pglite,postgres), BENCH_STRICT=1 (exit 1 when a target is missed).
// The service runs with LANDLORD_LOG_LEVEL=silent and LANDLORD_RATE_LIMIT at its maximum (the default
// per-credential budget of 6,000 requests a minute would answer most benchmark requests with 429).
//
// The parts: settings.ts (the environment above), service.ts (child processes and cleanup),
// seed.ts (the tenants), paths.ts and measure.ts (what is measured, and how), store.ts (one store
// from start to finish), report.ts (targets, table, results.json).
import { cpus, loadavg } from 'node:os';
import { freePort } from '../test/support/processes.js';
import { printTable, printTargets, writeResults, type StoreResult } from './report.js';
import { cleanup, startBare, stopChild } from './service.js';
import { base62, CONNECTIONS, DATABASE_URL, DURATION, fmt, STORES, STRICT, TENANTS, WARMUP } from './settings.js';
import { benchStore } from './store.js';

async function main(): Promise<number> {
  const started = Date.now();
  const runTag = base62(8);
  console.log(
    `Landlord benchmark: ${fmt(TENANTS)} tenants per store, ${DURATION} s per measurement (+${WARMUP} s warm-up), ${CONNECTIONS} connections, stores: ${STORES.join(', ')}`,
  );
  console.log(
    `Node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );

  const bare = await startBare(await freePort());

  const results: StoreResult[] = [];
  for (const store of STORES) results.push(await benchStore(store, bare.base, runTag));
  await stopChild(bare.child);

  printTable(results);
  printTargets(results);
  writeResults(results, started);
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
