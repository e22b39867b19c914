import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { sql } from 'kysely';
import { Webhook } from 'standardwebhooks';
import { createDb } from '../src/db/create-db.js';
import { randomToken } from '../src/lib/crypto.js';
import { claimDeliveries } from '../src/modules/webhooks/delivery.repository.js';
import { createWorker, type WorkerLog, type WorkerOptions } from '../src/modules/webhooks/worker.js';
import { createTestApp, createTestDatabase, json, stores, type TestApp } from './helpers.js';
import { runCli, startService, startWorker, stop, tempDir, type Child } from './child-service.js';
import { startTcpProxy } from './tcp-proxy.js';
import { startReceiver, webhookHeaders, type Receiver } from './webhook-receiver.js';

// Workers crashing, stopping and running side by side: in process on every store, and as real
// `landlord worker` / `landlord serve --no-worker` processes on PostgreSQL (TEST_DATABASE_URL).

const SECRET_KEY = `test-secret-key-${randomToken(40)}`;
const ENV = {
  LANDLORD_WEBHOOKS_ALLOW_PRIVATE: 'true',
  LANDLORD_WEBHOOK_RETRY_SCHEDULE: '100ms,200ms,300ms',
  LANDLORD_WEBHOOK_TIMEOUT: '1s',
  LANDLORD_SECRET_KEY: SECRET_KEY,
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const waitUntil = async (condition: () => boolean, what: string, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
};

const workerProcess = (databaseUrl: string, extra: Record<string, string> = {}) =>
  startWorker({ ...ENV, DATABASE_URL: databaseUrl, LANDLORD_DATA_DIR: tempDir(), ...extra });

for (const store of stores) {
  describe(`webhook workers on ${store}`, () => {
    let t: TestApp;
    let rx: Receiver;
    before(async () => {
      t = await createTestApp(store, ENV);
      rx = await startReceiver();
    });
    after(async () => {
      await rx?.close();
      await t?.close();
    });
    const newWorker = (options: Partial<WorkerOptions> = {}) =>
      createWorker({ db: t.deps.database.db, clock: t.deps.clock, secretBox: t.deps.secretBox, config: t.deps.config, pollIntervalMs: 20, ...options });

    /** Test events to the endpoint one at a time, each awaited at `path` before the next is sent. */
    const pingOneByOne = async (webhookId: string, path: string, count: number) => {
      for (let i = 0; i < count; i++) {
        const before = rx.on(path).length;
        expect((await t.call('POST', `/v1/webhooks/${webhookId}/test`)).statusCode).toBe(202);
        await rx.waitFor((all) => all.filter((r) => r.path === path).length > before, 15_000, `event ${i + 1} at ${path}`);
      }
    };

    it('delivers new events at once though it polls only once a minute: their commit notifies it', async () => {
      const hook = json(await t.call('POST', '/v1/webhooks', { body: { url: rx.url('/notified'), events: ['webhook.test'] } }));
      const worker = newWorker({ listen: t.deps.database.listen, pollIntervalMs: 60_000 });
      worker.start();
      try {
        // Only its first claim and the one when listening begins are not woken by a notification:
        // at least the third of these events is.
        await pingOneByOne(hook.id, '/notified', 3);
      } finally {
        await worker.stop();
      }
      expect(rx.on('/notified')).toHaveLength(3);
    });

    it('redelivers what a crashed worker had claimed once its lease runs out', async () => {
      const hook = json(await t.call('POST', '/v1/webhooks', { body: { url: rx.url('/crash'), events: ['tenant.created'] } }));
      const batch = json(await t.call('POST', '/v1/tenants/batch', { body: { items: Array.from({ length: 30 }, (_, i) => ({ name: `Crash ${i}` })) } }));
      expect(batch.results.every((r: any) => r.status === 201)).toBe(true);
      // A worker claims the batch and dies before sending any of it.
      const claimedAt = Date.now();
      const abandoned = await claimDeliveries(t.deps.database.db, new Date(claimedAt), 100, 600);
      expect(abandoned).toHaveLength(30);
      const worker = newWorker();
      worker.start();
      try {
        await sleep(300);
        expect(rx.on('/crash')).toEqual([]); // still leased to the dead worker
        await rx.waitFor((all) => all.filter((r) => r.path === '/crash').length >= 30, 15_000, '30 redeliveries');
        expect(Math.min(...rx.on('/crash').map((r) => r.at))).toBeGreaterThanOrEqual(claimedAt + 590);
        const ids = new Set(rx.on('/crash').map((r) => r.json.id));
        expect(ids.size).toBe(30);
        for (const r of rx.on('/crash')) expect(() => new Webhook(hook.secret).verify(r.body, webhookHeaders(r))).not.toThrow();
      } finally {
        await worker.stop();
      }
      const log = json(await t.call('GET', `/v1/webhooks/${hook.id}/deliveries?limit=100`)).results;
      // The abandoned claim was no attempt: each delivery took one.
      expect(log.map((d: any) => [d.status, d.attemptCount])).toEqual(Array(30).fill(['succeeded', 1]));
    });

    it('stop() lets the sends in flight finish and records them', async () => {
      rx.handle('/slow', async () => {
        await sleep(400);
        return { status: 200, body: 'slow but fine' };
      });
      const hook = json(await t.call('POST', '/v1/webhooks', { body: { url: rx.url('/slow'), events: ['webhook.test'] } }));
      const { deliveryId } = json(await t.call('POST', `/v1/webhooks/${hook.id}/test`));
      const worker = newWorker();
      worker.start();
      await rx.waitFor((all) => all.some((r) => r.path === '/slow'));
      await worker.stop();
      const [delivery] = json(await t.call('GET', `/v1/webhooks/${hook.id}/deliveries`)).results;
      expect(delivery).toMatchObject({
        id: deliveryId,
        status: 'succeeded',
        attempts: [expect.objectContaining({ statusCode: 200, responseExcerpt: 'slow but fine' })],
      });
    });

    if (store !== 'postgres') return;

    it('listens again after its connection drops: what was queued meanwhile and what comes after are delivered', { timeout: 120_000 }, async () => {
      const hook = json(await t.call('POST', '/v1/webhooks', { body: { url: rx.url('/relisten'), events: ['webhook.test'] } }));
      const real = new URL(t.databaseUrl!);
      const proxy = await startTcpProxy({ host: real.hostname, port: Number(real.port || 5432) });
      const viaProxy = new URL(t.databaseUrl!);
      viaProxy.host = `127.0.0.1:${proxy.port}`;
      // The test server trusts local connections and never asks for it; it must not be logged all the same.
      const password = `pw-${randomToken(12)}`;
      viaProxy.password = password;
      const database = await createDb({ databaseUrl: viaProxy.toString(), dataDir: null, poolSize: 2 });
      const logged: string[] = [];
      const note = (level: string) => (obj: object, msg: string) => logged.push(`${level} ${msg} ${JSON.stringify(obj)}`);
      const log: WorkerLog = { info: note('info'), warn: note('warn'), error: note('error') };
      const worker = createWorker({
        db: database.db,
        clock: t.deps.clock,
        secretBox: t.deps.secretBox,
        config: t.deps.config,
        log,
        listen: database.listen,
        pollIntervalMs: 60_000,
      });
      worker.start();
      try {
        await pingOneByOne(hook.id, '/relisten', 3); // listening (see above)
        proxy.drop();
        await waitUntil(() => logged.some((l) => l.startsWith('warn not notified')), 'the listener to notice');
        // Queued while the worker cannot reach the database.
        expect((await t.call('POST', `/v1/webhooks/${hook.id}/test`)).statusCode).toBe(202);
        await sleep(500);
        proxy.restore();
        await rx.waitFor((all) => all.filter((r) => r.path === '/relisten').length >= 4, 30_000, 'the event queued during the outage');
        await waitUntil(() => logged.some((l) => l.startsWith('info notified of new webhook deliveries again')), 'the listener to come back');
        await pingOneByOne(hook.id, '/relisten', 2);
      } finally {
        await worker.stop();
        await database.close();
        await proxy.close();
      }
      expect(new Set(rx.on('/relisten').map((r) => r.json.id)).size).toBe(6);
      expect(logged.join('\n')).not.toContain(password);
    });

    it('loses nothing when a `landlord worker` process is killed mid-batch', { timeout: 180_000 }, async (tc) => {
      rx.handle('/killed', async () => {
        await sleep(30);
        return { status: 200 };
      });
      const hook = json(await t.call('POST', '/v1/webhooks', { body: { url: rx.url('/killed'), events: ['tenant.created'] } }));
      for (let b = 0; b < 2; b++) {
        await t.call('POST', '/v1/tenants/batch', { body: { items: Array.from({ length: 100 }, (_, i) => ({ name: `Killed ${b}-${i}` })) } });
      }
      const first = await workerProcess(t.databaseUrl!);
      await rx.waitFor((all) => all.filter((r) => r.path === '/killed').length >= 40, 60_000, 'the first deliveries');
      expect(await stop(first, 'SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from deliveries where webhook_id = ${hook.id} and status = 'sending'`.execute(
        t.deps.database.db,
      );
      expect(rows[0].n).toBeGreaterThan(0); // it died holding claims
      const receivedBeforeKill = rx.on('/killed').length;

      const second = await workerProcess(t.databaseUrl!);
      await rx.waitFor((all) => new Set(all.filter((r) => r.path === '/killed').map((r) => r.json.id)).size >= 200, 60_000, 'all 200 events');
      const got = rx.on('/killed');
      const unique = new Set(got.map((r) => r.json.id)).size;
      tc.diagnostic(
        `killed after ${receivedBeforeKill} requests holding ${rows[0].n} claims; ${got.length} requests for ${unique} events: ${got.length - unique} duplicates`,
      );
      expect(unique).toBe(200);
      expect(got.length - unique).toBeLessThanOrEqual(rows[0].n);
      // SIGTERM: finishes and exits 0.
      expect(await stop(second)).toEqual({ code: 0, signal: null });
    });

    it('refuses to run `landlord worker` on the embedded database', { timeout: 60_000 }, async () => {
      const { code, stderr } = await runCli(['worker'], { LANDLORD_DATA_DIR: tempDir() });
      expect(code).toBe(1);
      expect(stderr).toContain('DATABASE_URL');
    });
  });
}

describe('`landlord start`', () => {
  it('runs the worker beside the API on the embedded database, and SIGTERM stops both with exit 0', { timeout: 120_000 }, async () => {
    const rx = await startReceiver();
    const rootKey = `lk_root_${randomToken(43)}`;
    const service = await startService({ ...ENV, LANDLORD_ROOT_KEY: rootKey, LANDLORD_DATA_DIR: tempDir() });
    try {
      expect(service.output()).not.toContain('Webhook worker: off');
      const res = await fetch(`${service.base}/v1/tenants`, {
        method: 'POST',
        headers: { authorization: `Bearer ${rootKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Started Co', webhook: { url: rx.url('/started') } }),
      });
      expect(res.status).toBe(201);
      const tenant = await res.json();
      await rx.waitFor((all) => all.some((r) => r.path === '/started'), 30_000, 'tenant.created');
      const [got] = rx.on('/started');
      expect(new Webhook(tenant.webhook.secret).verify(got.body, webhookHeaders(got))).toMatchObject({ type: 'tenant.created', tenantId: tenant.id });
      expect(await service.stop()).toEqual({ code: 0, signal: null });
    } finally {
      service.child.kill('SIGKILL');
      await rx.close();
    }
  });
});

if (process.env.TEST_DATABASE_URL) {
  describe('three `landlord worker` and two `landlord serve --no-worker` processes on PostgreSQL', () => {
    it('deliver every event of 1,000 tenants created through both API processes at least once', { timeout: 600_000 }, async (tc) => {
      const database = await createTestDatabase('postgres');
      const rx = await startReceiver();
      const rootKey = `lk_root_${randomToken(43)}`;
      const env = { ...ENV, DATABASE_URL: database.url!, LANDLORD_ROOT_KEY: rootKey, LANDLORD_RATE_LIMIT: '0' };
      const started: Child[] = [];
      try {
        const api: { base: string }[] = [];
        for (let i = 0; i < 2; i++) {
          const service = await startService({ ...env, LANDLORD_DATA_DIR: tempDir() }, ['serve', '--no-worker']);
          started.push(service);
          api.push({ base: service.base });
        }
        for (let i = 0; i < 3; i++) started.push(await workerProcess(database.url!));
        const call = async (n: number, method: string, path: string, body?: unknown) => {
          const res = await fetch(`${api[n % 2].base}${path}`, {
            method,
            headers: { authorization: `Bearer ${rootKey}`, 'content-type': 'application/json' },
            body: body === undefined ? undefined : JSON.stringify(body),
          });
          const text = await res.text();
          if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
          return JSON.parse(text);
        };
        const all = await call(0, 'POST', '/v1/webhooks', { url: rx.url('/all'), events: ['*'] });

        const count = 1000;
        const tenants: { id: string; secret: string }[] = new Array(count);
        const startedAt = Date.now();
        let next = 0;
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            for (let i = next++; i < count; i = next++) {
              const tenant = await call(i, 'POST', '/v1/tenants', { name: `Scale ${i}`, webhook: { url: rx.url(`/t/${i}`) } });
              tenants[i] = { id: tenant.id, secret: tenant.webhook.secret };
            }
          }),
        );
        const createdIn = Date.now() - startedAt;
        const expected = 2 * count; // each tenant.created to the organization's endpoint and to the tenant's own
        const distinct = () => new Set(rx.received.map((r) => `${r.path} ${r.headers['webhook-id']}`)).size;
        await rx.waitFor(() => distinct() >= expected, 300_000, `${expected} distinct deliveries`);
        const deliveredIn = Date.now() - startedAt;
        await sleep(500); // anything still on its way shows up as a duplicate

        const ids = new Set(tenants.map((x) => x.id));
        const toAll = rx.on('/all').filter((r) => r.json?.type === 'tenant.created');
        expect(new Set(toAll.map((r) => r.json.tenantId))).toEqual(ids);
        const allHook = new Webhook(all.secret);
        for (const r of toAll) allHook.verify(r.body, webhookHeaders(r));
        for (let i = 0; i < count; i++) {
          const own = rx.on(`/t/${i}`);
          expect(own.length).toBeGreaterThanOrEqual(1);
          const event: any = new Webhook(tenants[i].secret).verify(own[0].body, webhookHeaders(own[0]));
          expect([event.type, event.tenantId]).toEqual(['tenant.created', tenants[i].id]);
        }
        const duplicates = rx.received.length - distinct();
        tc.diagnostic(
          `1,000 tenants via 2 API processes in ${createdIn} ms; ${expected} deliveries by 3 workers, all received ${deliveredIn} ms after the first create; ` +
            `${rx.received.length} requests, ${duplicates} duplicates`,
        );
        expect(duplicates).toBe(0);
        expect(await Promise.all(started.map((c) => stop(c)))).toEqual(started.map(() => ({ code: 0, signal: null })));
      } finally {
        for (const c of started) c.child.kill('SIGKILL');
        await rx.close();
        await database.drop();
      }
    });
  });
}
