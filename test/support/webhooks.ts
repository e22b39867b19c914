import { after, before } from 'node:test';
import { expect } from 'expect';
import type { Config } from '../../src/config.js';
import type { Store } from '../../src/db/create-db.js';
import { systemResolver, type Resolver } from '../../src/lib/ssrf.js';
import { createWorker, type Worker, type WorkerOptions } from '../../src/modules/webhooks/worker.js';
import { createTestApp, json, type TestApp } from '../helpers.js';
import { startReceiver, type Receiver } from '../webhook-receiver.js';
import { createTestClock, type TestClock } from './clock.js';

// The setup of the webhook test files: an app, a real HTTP receiver on 127.0.0.1 and a worker.
// Deliveries go to that receiver, so private destinations are allowed here, and retries come
// quickly: 100 ms, 200 ms, 300 ms (four attempts in all), with a 1 s timeout. The service, the
// worker and the receiver share a test clock: waiting for a delivery moves it on to the next
// attempt's time rather than sleeping through the backoff (timeouts stay real). The worker listens
// for new deliveries as `landlord start` does, and polls every 20 ms all the same: no notification
// says that the test clock made a retry due.
const ENV = {
  LANDLORD_WEBHOOKS_ALLOW_PRIVATE: 'true',
  LANDLORD_WEBHOOK_RETRY_SCHEDULE: '100ms,200ms,300ms',
  LANDLORD_WEBHOOK_TIMEOUT: '1s',
};

/** `hooks.test` resolves to 127.0.0.1 (only through the worker's own lookup: no real DNS knows it). */
const resolver: Resolver = async (hostname) => (hostname === 'hooks.test' ? [{ address: '127.0.0.1', family: 4 }] : systemResolver(hostname));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A delivery that is done: no more attempts will be made. */
export const settled = (d: any) => d.status === 'succeeded' || d.status === 'failed';

export interface WebhookFixture {
  /** Set by the `before` hook. */
  t: TestApp;
  rx: Receiver;
  /** The running worker; whatever is here when the file ends is stopped. */
  worker: Worker;
  clock: TestClock;
  /** Every secret this file was shown; none may appear anywhere afterwards (see expectSecretsNeverShown). */
  secrets: string[];
  startWorker(config?: Partial<Config>, options?: Partial<WorkerOptions>): Worker;
  /** An endpoint for every event, delivering to `path` of the receiver; its secret goes into `secrets`. */
  createHook(path: string, body?: Record<string, unknown>, where?: string, key?: string): Promise<any>;
  /** Sends the endpoint a test event. */
  ping(webhookId: string): Promise<{ eventId: string; deliveryId: string }>;
  /** Polls the delivery log until `done`; a pending delivery's retry is made due at once by moving the clock to it. */
  waitForDelivery(webhookId: string, deliveryId: string, done: (d: any) => boolean, timeoutMs?: number): Promise<any>;
}

/** Registers, in the calling describe, the hooks that start the app, receiver and worker on `store` and stop them. */
export function useWebhookFixture(store: Store): WebhookFixture {
  const clock = createTestClock();
  const fx = { clock, secrets: [] as string[] } as WebhookFixture;

  fx.startWorker = (config = {}, options = {}) => {
    const w = createWorker({
      db: fx.t.deps.database.db,
      clock: fx.t.deps.clock,
      secretBox: fx.t.deps.secretBox,
      config: { ...fx.t.deps.config, ...config },
      listen: fx.t.deps.database.listen,
      pollIntervalMs: 20,
      listeningPollMs: 20,
      resolver,
      ...options,
    });
    w.start();
    return w;
  };

  fx.createHook = async (path, body = {}, where = '/v1/webhooks', key) => {
    const res = await fx.t.call('POST', where, { key, body: { url: fx.rx.url(path), events: ['*'], ...body } });
    expect([res.statusCode, res.body]).toEqual([201, expect.any(String)]);
    const hook = json(res);
    fx.secrets.push(hook.secret);
    return hook;
  };

  fx.ping = async (webhookId) => {
    const res = await fx.t.call('POST', `/v1/webhooks/${webhookId}/test`);
    expect(res.statusCode).toBe(202);
    return json(res);
  };

  fx.waitForDelivery = async (webhookId, deliveryId, done, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const list = json(await fx.t.call('GET', `/v1/webhooks/${webhookId}/deliveries?limit=100`));
      const delivery = list.results.find((d: any) => d.id === deliveryId);
      if (delivery && done(delivery)) return delivery;
      if (Date.now() > deadline) throw new Error(`delivery ${deliveryId} not as expected: ${JSON.stringify(delivery)}`);
      if (delivery?.status === 'pending' && delivery.nextAttemptAt) clock.advanceTo(delivery.nextAttemptAt);
      await sleep(25);
    }
  };

  before(async () => {
    fx.t = await createTestApp(store, ENV, { clock });
    fx.rx = await startReceiver({ clock });
    fx.worker = fx.startWorker();
  });
  after(async () => {
    await fx.worker?.stop();
    await fx.rx?.close();
    await fx.t?.close();
  });

  return fx;
}

/** No secret of `secrets` anywhere: not in GET, lists, deliveries, events, audit entries, or the stored rows. */
export async function expectSecretsNeverShown(t: TestApp, secrets: string[]): Promise<void> {
  expect(secrets.length).toBeGreaterThan(10);
  const seen: string[] = [];
  const collect = async (path: string) => {
    let url: string | null = path;
    for (let i = 0; url && i < 200; i++) {
      const res = await t.call('GET', url.replace('http://landlord.test', ''));
      expect(res.statusCode).toBe(200);
      seen.push(res.body);
      const page = json(res);
      url = page.results?.length ? page.next : null;
    }
  };
  await collect('/v1/webhooks?limit=100');
  const hooks = json(await t.call('GET', '/v1/webhooks?limit=100')).results;
  for (const hook of hooks) {
    seen.push((await t.call('GET', `/v1/webhooks/${hook.id}`)).body);
    await collect(`/v1/webhooks/${hook.id}/deliveries?limit=100`);
  }
  await collect('/v1/events?limit=500');
  await collect('/v1/audit-logs?limit=200');
  const rows = await t.deps.database.db.selectFrom('webhooks').selectAll().execute();
  seen.push(JSON.stringify(rows));
  const everything = seen.join('\n');
  for (const secret of secrets) {
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(secret.slice('whsec_'.length));
  }
  expect(everything).not.toMatch(/whsec_/);
}
