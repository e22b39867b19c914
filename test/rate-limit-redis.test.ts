import { spawn, type ChildProcess } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { expect } from 'expect';
import { Redis } from 'ioredis';
import { REDIS_KEY_PREFIX } from '../src/http/redis-rate-limit-store.js';
import { randomToken } from '../src/lib/crypto.js';
import { createTestDatabase, type TestDatabase } from './helpers.js';
import { api, expectCleanExit, freePort, logLines, runCli, startService, tempDir, type Service } from './child-service.js';

// Two `landlord serve --no-worker` processes on one PostgreSQL database count one credential's
// requests in one Redis: the budget holds once, not once per process. And Redis going away costs
// no request: each process limits on its own until it is back.

const BUDGET = 10;
const METRICS_TOKEN = `metrics-${randomToken(24)}`;
const UNREACHABLE = 'rate limit store unreachable; requests are allowed and limited per process until it is back';
const RECOVERED = 'rate limit store is reachable again; limits are shared across processes again';

const databases: TestDatabase[] = [];
const redisServers: ChildProcess[] = [];
after(async () => {
  for (const server of redisServers) server.kill('SIGKILL');
  for (const database of databases) await database.drop();
});

/** Two API processes on a fresh database, sharing `redisUrl`. */
async function twoApiProcesses(redisUrl: string, extra: Record<string, string> = {}) {
  const database = await createTestDatabase('postgres');
  databases.push(database);
  const rootKey = `lk_root_${randomToken(43)}`;
  const env = {
    DATABASE_URL: database.url!,
    LANDLORD_ROOT_KEY: rootKey,
    // Every node of one deployment shares the secret key.
    LANDLORD_SECRET_KEY: randomToken(43),
    LANDLORD_REDIS_URL: redisUrl,
    LANDLORD_RATE_LIMIT: String(BUDGET),
    LANDLORD_METRICS_TOKEN: METRICS_TOKEN,
    ...extra,
  };
  // One after the other: the first applies the migrations.
  const a = await startService({ ...env, LANDLORD_DATA_DIR: tempDir() }, ['serve', '--no-worker']);
  const b = await startService({ ...env, LANDLORD_DATA_DIR: tempDir() }, ['serve', '--no-worker']);
  const tenant = await (await api(a, rootKey)('POST', '/v1/tenants', { name: `Limited ${randomToken(6)}`, apiKey: { name: 'first' } })).json();
  expect(tenant.apiKey?.secret).toBeDefined();
  /** A new API key of the tenant: a fresh budget. */
  const newKey = async (): Promise<{ id: string; secret: string }> => {
    const res = await api(a, rootKey)('POST', `/v1/tenants/${tenant.id}/api-keys`, { name: `key ${randomToken(4)}` });
    expect(res.status).toBe(201);
    return res.json();
  };
  return { a, b, rootKey, firstKey: tenant.apiKey as { id: string; secret: string }, newKey };
}

interface Answer {
  via: 'a' | 'b';
  status: number;
  remaining: string | null;
  limit: string | null;
  retryAfter: string | null;
  code?: string;
}

/** `count` calls with `secret`, alternating between the two processes, one after the other. */
async function alternate(services: { a: Service; b: Service }, secret: string, count: number): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let i = 0; i < count; i++) {
    const via = i % 2 === 0 ? 'a' : 'b';
    const res = await api(services[via], secret)('GET', '/v1/tenants/me');
    const body = await res.json();
    answers.push({
      via,
      status: res.status,
      remaining: res.headers.get('ratelimit-remaining'),
      limit: res.headers.get('ratelimit-limit'),
      retryAfter: res.headers.get('retry-after'),
      code: body.code,
    });
  }
  return answers;
}

/** The budget was spent once across both processes: BUDGET answers counting down 9..0, then 429 from both. */
function expectSharedBudget(answers: Answer[]) {
  const allowed = answers.filter((x) => x.status === 200);
  expect(allowed.map((x) => x.remaining)).toEqual(Array.from({ length: BUDGET }, (_, i) => String(BUDGET - 1 - i)));
  expect(answers.slice(0, BUDGET).every((x) => x.status === 200)).toBe(true);
  const refused = answers.slice(BUDGET);
  expect(refused.map((x) => x.status)).toEqual(refused.map(() => 429));
  expect(new Set(refused.map((x) => x.via))).toEqual(new Set(['a', 'b']));
  for (const x of refused) {
    expect(x.code).toBe('RATE_LIMITED');
    expect(Number(x.retryAfter)).toBeGreaterThan(0);
    expect(x.limit).toBe(String(BUDGET));
    expect(x.remaining).toBe('0');
  }
}

async function storeErrors(service: Service): Promise<number> {
  const res = await fetch(`${service.base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(res.status).toBe(200);
  const match = (await res.text()).match(/^landlord_rate_limit_store_errors_total (\d+)/m);
  expect(match).not.toBeNull();
  return Number(match![1]);
}

const logged = (service: Service, msg: string) => logLines(service.stdout()).filter((l) => l.msg === msg);

/** A redis-server of this test's own on `port`, without persistence; resolves once it accepts connections. */
async function startRedis(port: number): Promise<ChildProcess> {
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  redisServers.push(server);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 20_000);
    server.stdout!.on('data', (chunk: Buffer) => {
      output += chunk;
      if (/Ready to accept connections/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    server.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${output}`));
    });
  });
  return server;
}

describe('LANDLORD_REDIS_URL', () => {
  it('refuses to start with a URL that is not redis:// or rediss://, without echoing it', async () => {
    const run = await runCli(['doctor'], { LANDLORD_DATA_DIR: tempDir(), LANDLORD_REDIS_URL: 'http://user:hunter2@127.0.0.1:6379' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Configuration error: LANDLORD_REDIS_URL must be a redis:// or rediss:// URL');
    expect(run.stderr).not.toContain('hunter2');
  });
});

const shared = process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL;

if (shared)
  describe('rate limits shared through Redis by two API processes', () => {
    it(
      'one API key used through both processes gets the budget once, then 429 from both; a tenant budget holds across its keys on both',
      { timeout: 300_000 },
      async () => {
        const services = await twoApiProcesses(process.env.TEST_REDIS_URL!);
        const redis = new Redis(process.env.TEST_REDIS_URL!);
        try {
          expectSharedBudget(await alternate(services, services.firstKey.secret, BUDGET + 6));
          // The bucket lives in Redis and expires on its own, by the time it would be full again.
          const ttl = await redis.pttl(`${REDIS_KEY_PREFIX}cred:${services.firstKey.id}`);
          expect(ttl).toBeGreaterThan(0);
          expect(ttl).toBeLessThanOrEqual(61_000);

          // A tenant's requestsPerMinute is one budget for all its keys on both processes.
          const tenant = await (
            await api(services.a, services.rootKey)('POST', '/v1/tenants', {
              name: `Budgeted ${randomToken(6)}`,
              limits: { requestsPerMinute: 4 },
              apiKey: { name: 'one' },
            })
          ).json();
          const other = await (await api(services.a, services.rootKey)('POST', `/v1/tenants/${tenant.id}/api-keys`, { name: 'two' })).json();
          const statuses: number[] = [];
          for (let i = 0; i < 8; i++) {
            const [via, secret] = i % 2 === 0 ? [services.a, tenant.apiKey.secret] : [services.b, other.secret];
            statuses.push((await api(via, secret)('GET', '/v1/tenants/me')).status);
          }
          expect(statuses).toEqual([200, 200, 200, 200, 429, 429, 429, 429]);
          await expectCleanExit(services.a);
          await expectCleanExit(services.b);
        } finally {
          await redis.del(`${REDIS_KEY_PREFIX}cred:${services.firstKey.id}`, `${REDIS_KEY_PREFIX}cred:root`);
          await redis.quit();
        }
      },
    );
  });

if (process.env.TEST_DATABASE_URL)
  describe('Redis going away and coming back', () => {
    it('answers every request meanwhile, limited per process, warns once, and shares the limit again when Redis is back', { timeout: 300_000 }, async () => {
      const port = await freePort();
      let redis = await startRedis(port);
      const services = await twoApiProcesses(`redis://127.0.0.1:${port}`, { LANDLORD_LOG_LEVEL: 'info' });
      const { a, b } = services;
      const during = await services.newKey();
      const probe = await services.newKey();
      const later = await services.newKey();
      // Shared while Redis is up: the second process sees what the first spent.
      const first = await alternate(services, services.firstKey.secret, 2);
      expect(first.map((x) => [x.status, x.remaining])).toEqual([
        [200, '9'],
        [200, '8'],
      ]);
      expect(await storeErrors(a)).toBe(0);

      redis.kill('SIGKILL');
      await new Promise((resolve) => redis.once('exit', resolve));

      // Every request is answered; each process now counts on its own, so each allows the budget and then refuses.
      const answers = await alternate(services, during.secret, 2 * BUDGET + 4);
      for (const via of ['a', 'b'] as const) {
        const mine = answers.filter((x) => x.via === via);
        expect(mine.map((x) => x.status)).toEqual([...Array(BUDGET).fill(200), 429, 429]);
        expect(mine.slice(0, BUDGET).map((x) => x.remaining)).toEqual(Array.from({ length: BUDGET }, (_, i) => String(BUDGET - 1 - i)));
      }
      const errorsSoFar = { a: await storeErrors(a), b: await storeErrors(b) };
      expect(errorsSoFar.a).toBeGreaterThan(0);
      expect(errorsSoFar.b).toBeGreaterThan(0);
      // After a failure a process leaves Redis alone for a second; past that it tries again, fails again, and counts it.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect((await alternate(services, probe.secret, 2)).map((x) => x.status)).toEqual([200, 200]);
      for (const via of ['a', 'b'] as const) {
        const service = services[via];
        expect(service.hasExited()).toBe(false);
        expect((await fetch(`${service.base}/healthz`)).status).toBe(200);
        expect(await storeErrors(service)).toBeGreaterThan(errorsSoFar[via]);
        // One warning for the outage, not one per failure.
        expect(logged(service, UNREACHABLE)).toHaveLength(1);
        expect(logged(service, UNREACHABLE)[0].level).toBe(40);
      }

      redis = await startRedis(port);
      // Both processes reconnect on their own; the probe's answers do not matter, only that they go through Redis again.
      const deadline = Date.now() + 60_000;
      while (logged(a, RECOVERED).length === 0 || logged(b, RECOVERED).length === 0) {
        if (Date.now() > deadline) throw new Error(`not recovered\n${a.stdout().slice(-2000)}\n${b.stdout().slice(-2000)}`);
        await alternate(services, probe.secret, 2);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expectSharedBudget(await alternate(services, later.secret, BUDGET + 6));
      for (const service of [a, b]) {
        expect(logged(service, UNREACHABLE)).toHaveLength(1);
        expect(logged(service, RECOVERED)).toHaveLength(1);
      }
      // The Redis connection does not hold up the shutdown.
      await expectCleanExit(a);
      await expectCleanExit(b);
    });
  });
