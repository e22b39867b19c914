// Webhook delivery benchmark, PostgreSQL only (DATABASE_URL): `npm run bench:webhooks`, and at the
// end of `npm run bench` when DATABASE_URL is set.
//
// On a fresh database (dropped at the end) with one organization-wide endpoint pointing at a
// receiver on 127.0.0.1 (in this process, answering 200 at once), for 1 and for 3 `landlord worker`
// processes (node bin/landlord.js worker):
//   throughput  BENCH_WH_DELIVERIES (20000) deliveries queued in one commit, then timed until the
//               receiver has every one of them: deliveries/s
//   latency     events written one transaction each (the transactional outbox, as the API does) at
//               BENCH_WH_RATE (200) per second for BENCH_WH_SECONDS (10): commit → request received,
//               p50/p99, with the workers idle before (not backlogged)
// Targets: ≥ 3,000 deliveries/s with 3 workers; p99 < 50 ms. Results are merged into bench/results.json
// under "webhooks". BENCH_WH_WORKERS (1,3) picks the worker counts; BENCH_STRICT=1 exits 1 on a miss.
import { randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { createDb, migrateToLatest } from '../src/db/create-db.js';
import { systemClock } from '../src/lib/clock.js';
import { newId } from '../src/lib/ids.js';
import { createSecretBox } from '../src/lib/secret-box.js';
import { createChangeRecorder } from '../src/modules/events/outbox.js';
import { fanOut } from '../src/modules/webhooks/fan-out.js';
import { notifyDeliveriesDue } from '../src/modules/webhooks/delivery.repository.js';
import { ensureDefaultOrganization } from '../src/modules/organizations/organization.service.js';
import { generateWebhookSecret } from '../src/modules/webhooks/signature.js';
import { HOST, killAll, listenOnLoopback, ROOT, startWorker, stop, type Child } from '../test/support/processes.js';

const RESULTS_FILE = join(ROOT, 'bench', 'results.json');

const intEnv = (name: string, fallback: number) => {
  const value = Number(process.env[name] || fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number`);
  return value;
};
const DELIVERIES = intEnv('BENCH_WH_DELIVERIES', 20_000);
const RATE = intEnv('BENCH_WH_RATE', 200);
const SECONDS = intEnv('BENCH_WH_SECONDS', 10);
const WORKER_COUNTS = (process.env.BENCH_WH_WORKERS || '1,3')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const TARGET_RATE = 3000;
const TARGET_P99_MS = 50;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

/** A receiver that answers 200 at once and notes when each event id first arrived. */
async function startReceiver() {
  const firstSeen = new Map<string, number>();
  let requests = 0;
  // Event ids of the current backlog start with this; counted as they arrive (no scans on the hot path).
  const backlog = { prefix: '\u0000', count: 0, lastAt: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      const id = String(req.headers['webhook-id']);
      if (!firstSeen.has(id)) {
        const now = Date.now();
        firstSeen.set(id, now);
        if (id.startsWith(backlog.prefix)) {
          backlog.count++;
          backlog.lastAt = now;
        }
      }
      res.writeHead(200).end();
    });
  });
  server.keepAliveTimeout = 10_000;
  const port = await listenOnLoopback(server);
  return {
    url: `http://${HOST}:${port}/hook`,
    firstSeen,
    backlog,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const startWorkers = (count: number, env: Record<string, string>): Promise<Child[]> =>
  Promise.all(Array.from({ length: count }, () => startWorker(env, 60_000)));
const stopWorkers = (workers: Child[]) => Promise.all(workers.map((w) => stop(w, 'SIGTERM', 15_000)));

export interface WebhookBenchRun {
  workers: number;
  throughput: { deliveries: number; seconds: number; deliveriesPerSecond: number; duplicates: number };
  latency: { events: number; eventsPerSecond: number; p50Ms: number; p99Ms: number; maxMs: number };
}

export async function runWebhookBench(databaseUrl: string): Promise<{ runs: WebhookBenchRun[]; targetsMet: boolean }> {
  const loadAverage = loadavg().map((l) => Math.round(l * 100) / 100);
  console.log(
    `\nWebhook delivery bench on PostgreSQL: ${DELIVERIES} queued deliveries, then ${RATE} events/s for ${SECONDS} s; workers: ${WORKER_COUNTS.join(', ')}`,
  );
  const dbName = `landlord_bench_wh_${Date.now()}_${randomInt(1e9)}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  await admin.end();
  const url = new URL(databaseUrl);
  url.pathname = `/${dbName}`;
  const benchUrl = url.toString();
  const database = await createDb({ databaseUrl: benchUrl, dataDir: null, poolSize: 8 });
  const receiver = await startReceiver();
  const dataDir = mkdtempSync(join(tmpdir(), 'landlord-bench-wh-'));
  const secretKey = `bench-secret-key-${randomInt(1e12)}-${randomInt(1e12)}-padding`;
  // startWorker() passes none of this process's Landlord settings on, only these.
  const env = {
    DATABASE_URL: benchUrl,
    LANDLORD_SECRET_KEY: secretKey,
    LANDLORD_DATA_DIR: dataDir,
    LANDLORD_WEBHOOKS_ALLOW_PRIVATE: 'true',
    LANDLORD_LOG_LEVEL: 'warn',
  };
  const runs: WebhookBenchRun[] = [];
  try {
    const { db } = database;
    await migrateToLatest(database);
    const organizationId = await ensureDefaultOrganization(db, systemClock);
    const now = new Date();
    const webhookId = newId('whk');
    await db
      .insertInto('webhooks')
      .values({
        id: webhookId,
        organization_id: organizationId,
        tenant_id: null,
        url: receiver.url,
        events: JSON.stringify(['*']),
        is_enabled: true,
        secret_sealed: createSecretBox(secretKey).seal(generateWebhookSecret()),
        created_at: now,
        updated_at: now,
      })
      .execute();
    // A realistic payload: a tenant as tenant.updated carries it.
    const object = {
      id: 'tnt_01jd8x3k5q2w7e9r4t6y8u0i2o',
      organizationId,
      name: 'Northwind Traders',
      slug: 'northwind-traders',
      externalId: 'nw-1042',
      displayName: 'Northwind Traders',
      email: 'ops@northwind.example',
      url: 'https://northwind.example',
      description: 'Wholesale',
      isActive: true,
      legalEntities: [{ name: 'Northwind Traders GmbH', registrationNumber: 'DE123456789' }],
      settings: { timezone: 'Europe/Berlin', weekStart: 1, locale: 'de' },
      metadata: { plan: 'pro', region: 'eu' },
      owner: null,
      userCount: 12,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };

    for (const [index, count] of WORKER_COUNTS.entries()) {
      const workers = await startWorkers(count, env);
      try {
        // --- throughput: a backlog queued in one commit
        const prefix = `evt_b${index}_`;
        Object.assign(receiver.backlog, { prefix, count: 0, lastAt: 0 });
        const before = receiver.requests();
        const data = JSON.stringify({ object });
        await db.transaction().execute(async (trx) => {
          await sql`insert into events (id, organization_id, tenant_id, sequence, type, data, created_at)
            select ${prefix} || g, ${organizationId}, null, g, 'tenant.updated', ${data}::jsonb, now() from generate_series(1, ${DELIVERIES}::int) g`.execute(
            trx,
          );
          await sql`insert into deliveries (id, webhook_id, event_id, status, attempts, next_attempt_at, created_at, updated_at)
            select 'dlv_b${sql.raw(String(index))}_' || g, ${webhookId}, ${prefix} || g, 'pending', 0, now(), now(), now() from generate_series(1, ${DELIVERIES}::int) g`.execute(
            trx,
          );
          // As the API's fan-out does: the workers are told at the commit.
          await notifyDeliveriesDue(trx);
        });
        const queuedAt = Date.now();
        let progress = { count: 0, at: queuedAt };
        while (receiver.backlog.count < DELIVERIES) {
          if (receiver.backlog.count > progress.count) progress = { count: receiver.backlog.count, at: Date.now() };
          if (Date.now() - progress.at > 60_000) throw new Error(`stalled at ${progress.count} of ${DELIVERIES} deliveries`);
          await sleep(20);
        }
        const seconds = (receiver.backlog.lastAt - queuedAt) / 1000;
        await sleep(500);
        const duplicates = receiver.requests() - before - DELIVERIES;

        // --- latency: events one transaction each, at a steady rate, workers not backlogged
        const total = RATE * SECONDS;
        const changes = createChangeRecorder({ clock: systemClock, fanOut });
        const emitted = new Map<string, number>();
        const started = Date.now();
        let nextEvent = 0;
        // A few writers side by side, as several API requests would be, each event at its due time.
        await Promise.all(
          Array.from({ length: 6 }, async () => {
            for (let i = nextEvent++; i < total; i = nextEvent++) {
              const due = started + (i * 1000) / RATE;
              if (due > Date.now()) await sleep(due - Date.now());
              const [eventId] = await db.transaction().execute((trx) =>
                changes.record(trx, null, {
                  organizationId,
                  tenantId: null,
                  operation: 'tenant.update',
                  target: { type: 'tenant', id: object.id },
                  object,
                }),
              );
              // Latency counts from the commit: before it, no worker can see the event.
              emitted.set(eventId, Date.now());
            }
          }),
        );
        const emitSeconds = (Date.now() - started) / 1000;
        const deadline = Date.now() + 60_000;
        while ([...emitted.keys()].some((id) => !receiver.firstSeen.has(id)) && Date.now() < deadline) await sleep(20);
        const latencies = [...emitted.entries()].map(([id, at]) => (receiver.firstSeen.get(id) ?? Infinity) - at).sort((a, b) => a - b);
        const run: WebhookBenchRun = {
          workers: count,
          throughput: { deliveries: DELIVERIES, seconds: Math.round(seconds * 100) / 100, deliveriesPerSecond: Math.round(DELIVERIES / seconds), duplicates },
          latency: {
            events: total,
            eventsPerSecond: Math.round(total / emitSeconds),
            p50Ms: percentile(latencies, 50),
            p99Ms: percentile(latencies, 99),
            maxMs: latencies.at(-1) ?? 0,
          },
        };
        runs.push(run);
        console.log(
          `  ${count} worker${count > 1 ? 's' : ' '}: ${run.throughput.deliveriesPerSecond} deliveries/s (${DELIVERIES} in ${run.throughput.seconds} s, ${duplicates} duplicates); ` +
            `latency at ${run.latency.eventsPerSecond} events/s: p50 ${run.latency.p50Ms} ms, p99 ${run.latency.p99Ms} ms, max ${run.latency.maxMs} ms`,
        );
      } finally {
        await stopWorkers(workers);
      }
    }
  } finally {
    await receiver.close();
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
    const c = new pg.Client({ connectionString: databaseUrl });
    await c.connect();
    await c.query(`drop database if exists ${dbName} with (force)`);
    await c.end();
  }

  const three = runs.find((r) => r.workers === 3);
  const targets = [
    ...(three
      ? [
          {
            target: `≥ ${TARGET_RATE} deliveries/s with 3 workers`,
            value: three.throughput.deliveriesPerSecond,
            met: three.throughput.deliveriesPerSecond >= TARGET_RATE,
          },
        ]
      : []),
    ...runs.map((r) => ({ target: `p99 < ${TARGET_P99_MS} ms with ${r.workers} worker(s)`, value: r.latency.p99Ms, met: r.latency.p99Ms < TARGET_P99_MS })),
  ];
  for (const t of targets) console.log(`  ${t.met ? 'met   ' : 'MISSED'} ${t.target}: ${t.value}`);

  const report = existsSync(RESULTS_FILE) ? JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) : {};
  report.webhooks = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    loadAverageAtStart: loadAverage,
    store: 'postgres',
    settings: {
      queuedDeliveries: DELIVERIES,
      eventsPerSecond: RATE,
      seconds: SECONDS,
      concurrencyPerWorker: 16,
      receiver: 'node:http on 127.0.0.1, 200 at once',
    },
    runs,
    targets,
  };
  writeFileSync(`${RESULTS_FILE}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(`${RESULTS_FILE}.tmp`, RESULTS_FILE);
  console.log(`  merged into ${RESULTS_FILE} ("webhooks")`);
  return { runs, targetsMet: targets.every((t) => t.met) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.on('exit', killAll);
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    console.error('The webhook bench needs DATABASE_URL (PostgreSQL): workers run as separate processes.');
    process.exit(2);
  }
  runWebhookBench(databaseUrl).then(
    ({ targetsMet }) => process.exit(process.env.BENCH_STRICT === '1' && !targetsMet ? 1 : 0),
    (error) => {
      console.error(`Webhook bench failed: ${error instanceof Error ? error.stack : error}`);
      process.exit(1);
    },
  );
}
