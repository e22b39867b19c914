import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'expect';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.js';
import { createDb } from '../src/db/create-db.js';
import { isUnavailable } from '../src/db/errors.js';
import { dbTimeouts } from '../src/db/guarded-pool.js';
import { randomToken } from '../src/lib/crypto.js';
import { createTestDatabase, type TestDatabase } from './helpers.js';
import { killAll, startService, type Service } from './child-service.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';
import { startReceiver, type Receiver } from './webhook-receiver.js';

// A real server process whose PostgreSQL sits behind a proxy this test controls: the database
// stalls (black hole), drops every connection, and comes back.

interface Timed {
  status: number;
  ms: number;
  body: any;
  contentType: string | null;
}

async function timed(service: Service, key: string, method: string, path: string, body?: unknown): Promise<Timed> {
  const started = performance.now();
  const response = await fetch(`${service.base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let parsed: any = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, ms: performance.now() - started, body: parsed, contentType: response.headers.get('content-type') };
}

function expectUnavailable(result: Timed, withinMs: number, what: string) {
  const summary = `${what}: ${result.status} after ${Math.round(result.ms)} ms ${JSON.stringify(result.body).slice(0, 200)}`;
  expect({ summary, status: result.status, code: result.body?.code, type: result.contentType }).toEqual({
    summary,
    status: 503,
    code: 'UNAVAILABLE',
    type: expect.stringContaining('application/problem+json'),
  });
  expect({ summary, fast: result.ms < withinMs }).toEqual({ summary, fast: true });
}

const targetUrl = process.env.TEST_DATABASE_URL;

// Faults of a network database: the embedded store has no connection to lose.
if (targetUrl) {
  describe('PostgreSQL going away under a running server', () => {
    let database: TestDatabase;
    let proxy: TcpProxy;
    let receiver: Receiver;
    before(async () => {
      database = await createTestDatabase('postgres');
    });
    after(async () => {
      killAll();
      await proxy?.close();
      await receiver?.close();
      await database?.drop();
    });

    it('answers 503 in time while it is stalled or dropped, never exits, recovers by itself and delivers every event once', { timeout: 300_000 }, async () => {
      const real = new URL(database.url!);
      proxy = await startTcpProxy({ host: real.hostname, port: Number(real.port || 5432) });
      const viaProxy = new URL(database.url!);
      viaProxy.host = `127.0.0.1:${proxy.port}`;
      receiver = await startReceiver();
      // Slow answers keep deliveries in flight when the database goes: their outcomes must wait, not be lost or resent.
      receiver.handle('/hooks', async () => {
        await sleep(700);
        return { status: 200 };
      });

      const rootKey = `lk_root_${randomToken(43)}`;
      const service = await startService({
        DATABASE_URL: viaProxy.toString(),
        LANDLORD_ROOT_KEY: rootKey,
        LANDLORD_WEBHOOKS_ALLOW_PRIVATE: 'true',
        LANDLORD_WEBHOOK_RETRY_SCHEDULE: '200ms,500ms,1s,2s',
        // A short lease: a worker that forgot its outcomes during the outage would send these events again.
        LANDLORD_WEBHOOK_TIMEOUT: '1s',
      });
      const call = (method: string, path: string, body?: unknown) => timed(service, rootKey, method, path, body);

      const hook = await call('POST', '/v1/webhooks', { url: receiver.url('/hooks'), events: ['tenant.created'] });
      expect(hook.status).toBe(201);
      const acknowledged: string[] = [];
      const create = async (name: string) => {
        const r = await call('POST', '/v1/tenants', { name });
        if (r.status === 201) acknowledged.push(r.body.id);
        return r;
      };
      for (let i = 0; i < 5; i++) expect((await create(`Before ${i}`)).status).toBe(201);
      await receiver.waitFor((all) => all.length >= 5, 20_000, 'the first five deliveries');
      expect((await call('GET', '/readyz')).status).toBe(200);

      // Five more, and the database stalls while their deliveries are in flight.
      for (let i = 0; i < 5; i++) expect((await create(`In flight ${i}`)).status).toBe(201);
      await receiver.waitFor((all) => all.length >= 10, 20_000, 'the in-flight deliveries to arrive');
      proxy.blackhole();

      // More requests than the pool has connections, at once.
      const stalled = await Promise.all([
        call('GET', '/readyz'),
        ...Array.from({ length: 12 }, (_, i) => (i % 2 ? call('GET', '/v1/tenants?limit=5') : create(`During stall ${i}`))),
      ]);
      expect({ readyz: stalled[0]!.status, fast: stalled[0]!.ms < 2000 }).toEqual({ readyz: 503, fast: true });
      for (const [i, r] of stalled.slice(1).entries()) expectUnavailable(r, 5000, `request ${i} during the stall`);
      // Still stalled a while later: the answers stay fast.
      await sleep(3000);
      expectUnavailable(await call('GET', `/v1/tenants/${acknowledged[0]}`), 5000, 'a read later in the stall');
      const readyLater = await call('GET', '/readyz');
      expect({ status: readyLater.status, fast: readyLater.ms < 2000 }).toEqual({ status: 503, fast: true });

      // Every connection drops (checked-out clients included: an unheard error event would end the process).
      proxy.drop();
      await sleep(500);
      expect(service.child.exitCode).toBe(null);
      expectUnavailable(await call('GET', '/v1/tenants?limit=5'), 5000, 'a list while connections are refused');
      expectUnavailable(await create('While refused'), 5000, 'a create while connections are refused');
      await sleep(1500);
      expect(service.child.exitCode).toBe(null);

      proxy.restore();
      const back = Date.now();
      let ready = await call('GET', '/readyz');
      while (ready.status !== 200 && Date.now() - back < 15_000) {
        await sleep(200);
        ready = await call('GET', '/readyz');
      }
      expect(ready.status).toBe(200);
      for (let i = 0; i < 5; i++) expect((await create(`After ${i}`)).status).toBe(201);

      // Every acknowledged tenant is there and its event was delivered.
      for (const id of acknowledged) expect((await call('GET', `/v1/tenants/${id}`)).status).toBe(200);
      const deliveredTenantIds = () => new Set(receiver.on('/hooks').map((r) => r.json?.data?.object?.id));
      await receiver.waitFor(() => acknowledged.every((id) => deliveredTenantIds().has(id)), 30_000, 'every acknowledged tenant.created');
      // Longer than a lease: an outcome the worker lost would bring its delivery back by now.
      await sleep(4000);
      const perEvent = new Map<string, number>();
      for (const r of receiver.on('/hooks')) perEvent.set(String(r.headers['webhook-id']), (perEvent.get(String(r.headers['webhook-id'])) ?? 0) + 1);
      const twice = [...perEvent].filter(([, n]) => n > 1);
      expect(twice).toEqual([]);
      // Creates that failed with 503 may or may not have committed; whatever was delivered exists.
      for (const id of deliveredTenantIds()) expect((await call('GET', `/v1/tenants/${id}`)).status).toBe(200);

      const exit = await service.stop();
      expect(exit).toEqual({ code: 0, signal: null });
    });

    it('answers 503 to a request that finds the pool busy, without calling the database away', async () => {
      const db = await createDb({
        databaseUrl: database.url,
        dataDir: null,
        poolSize: 1,
        timeouts: { connectMs: 300, statementMs: 3000, idleInTransactionMs: 10_000 },
      });
      try {
        const busy = sql`select pg_sleep(1)`.execute(db.db);
        const waited = await sql`select 1`.execute(db.db).then(
          () => null,
          (e: unknown) => e,
        );
        expect(isUnavailable(waited)).toBe(true);
        expect(db.health()?.down).toBe(false);
        await busy;
        expect((await sql<{ one: number }>`select 1 as one`.execute(db.db)).rows[0]!.one).toBe(1);
      } finally {
        await db.close();
      }
    });

    it('cancels a statement past LANDLORD_DB_STATEMENT_TIMEOUT on the server, as a 503-kind error', async () => {
      const config = loadConfig({ LANDLORD_DB_STATEMENT_TIMEOUT: '300ms' });
      expect(() => loadConfig({ LANDLORD_DB_STATEMENT_TIMEOUT: 'soon' })).toThrow(/LANDLORD_DB_STATEMENT_TIMEOUT/);
      const db = await createDb({ databaseUrl: database.url, dataDir: null, poolSize: 2, timeouts: dbTimeouts(config.dbStatementTimeoutMs) });
      try {
        const started = performance.now();
        const error = await sql`select pg_sleep(5)`.execute(db.db).then(
          () => null,
          (e: unknown) => e,
        );
        expect((error as { code?: string }).code).toBe('57014');
        expect(isUnavailable(error)).toBe(true);
        expect(performance.now() - started).toBeLessThan(3000);
        // A cancelled statement is no outage: the pool is not marked down.
        expect(db.health()?.down).toBe(false);
        expect((await sql<{ one: number }>`select 1 as one`.execute(db.db)).rows[0]!.one).toBe(1);
      } finally {
        await db.close();
      }
    });
  });
}
