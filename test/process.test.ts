import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { expect } from 'expect';
import { randomToken } from '../src/lib/crypto.js';
import { createTestDatabase, type TestDatabase } from './helpers.js';
import { api, expectCleanExit, killAll, logLines, runCli, startService, tempDir, REQUEST_TIMEOUT } from './child-service.js';
import { freePort, ROOT } from './support/processes.js';

const rootKeyEnv = () => ({ LANDLORD_ROOT_KEY: `lk_root_${randomToken(43)}` });

describe('landlord start as a process', () => {
  it('prints the URL and, on first start only, a root key that is saved with mode 0600 and works', { timeout: 300_000 }, async () => {
    const dataDir = join(tempDir(), 'data'); // does not exist yet
    const first = await startService({ LANDLORD_DATA_DIR: dataDir });
    const banner = first.stdout();
    expect(banner).toContain(`Landlord is running at http://localhost:${first.port}`);
    const printed = banner.match(/lk_root_[A-Za-z0-9]+/g) ?? [];
    expect(printed).toHaveLength(1);
    const key = printed[0]!;
    expect(key.length).toBeGreaterThanOrEqual(32);

    const keyFile = join(dataDir, 'root-key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(key);

    const call = api(first, key);
    const list = await call('GET', '/v1/tenants');
    expect(list.status).toBe(200);
    expect(await list.json()).toMatchObject({ results: [] });
    expect((await api(first, `lk_root_${randomToken(43)}`)('GET', '/v1/tenants')).status).toBe(401);
    const created = await call('POST', '/v1/tenants', { name: 'Kept Across Restarts' });
    expect(created.status).toBe(201);
    const tenant = await created.json();
    await expectCleanExit(first);

    const second = await startService({ LANDLORD_DATA_DIR: dataDir });
    expect(second.stdout()).not.toMatch(/lk_root_/);
    expect(second.stdout()).toContain(`Root key:       saved at first start in ${keyFile}`);
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(key);
    const again = await api(second, key)('GET', `/v1/tenants/${tenant.id}`);
    expect(again.status).toBe(200);
    expect((await again.json()).name).toBe('Kept Across Restarts');
    await expectCleanExit(second);
  });
});

const durabilityStores: ('pglite' | 'postgres')[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

for (const store of durabilityStores) {
  describe(`shutdown and crash on ${store}`, () => {
    const databases: TestDatabase[] = [];
    after(async () => {
      killAll();
      for (const database of databases) await database.drop();
    });

    /** A data dir and a root key; on PostgreSQL also a fresh database of its own, dropped in `after`. */
    async function storeEnv(extra: Record<string, string> = {}): Promise<Record<string, string> & { LANDLORD_ROOT_KEY: string }> {
      const env = { LANDLORD_DATA_DIR: tempDir(), ...rootKeyEnv(), ...extra };
      if (store === 'pglite') return env;
      const database = await createTestDatabase('postgres');
      databases.push(database);
      return { ...env, DATABASE_URL: database.url! };
    }

    it('on SIGTERM finishes the request in flight, answers the rest, then exits 0', { timeout: 300_000 }, async (t) => {
      const env = await storeEnv({ LANDLORD_LOG_LEVEL: 'debug' });
      const service = await startService(env);
      const key = env.LANDLORD_ROOT_KEY;
      const batches = 3;
      const answered = Array.from({ length: batches }, () => false);
      const pending = Array.from({ length: batches }, async (_, b) => {
        const res = await fetch(`${service.base}/v1/tenants/batch`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-request-id': `drain-${b}` },
          body: JSON.stringify({ items: Array.from({ length: 100 }, (_, i) => ({ name: `Drained ${b}-${i}` })) }),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT),
        });
        answered[b] = true;
        return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.json() };
      });
      // Wait until the service has received a batch, then ask it to stop while that batch is still unanswered.
      const received = () => logLines(service.stdout()).filter((l) => l.msg === 'request received' && l.url === '/v1/tenants/batch');
      const deadline = Date.now() + REQUEST_TIMEOUT;
      while (received().length === 0) {
        if (Date.now() > deadline) throw new Error(`no batch received\n${service.stdout()}`);
        await new Promise((r) => setTimeout(r, 2));
      }
      const first = Number(String(received()[0].reqId).replace('drain-', ''));
      // On PGlite a query holds the event loop, so the log line that says a batch arrived is only
      // written once that batch is answered: its being in flight is only observable on PostgreSQL.
      if (store === 'postgres') expect(answered[first]).toBe(false);
      service.child.kill('SIGTERM');

      const outcomes = await Promise.allSettled(pending);
      // Exits 0, and promptly: the keep-alive connections of the answered requests must not hold it up (stop() SIGKILLs after 30 s, a common grace period).
      await expectCleanExit(service); // no second signal: it is already stopping
      expect(logLines(service.stdout()).some((l) => typeof l.msg === 'string' && l.msg.startsWith('shutting down'))).toBe(true);

      // On PostgreSQL the signal is handled while the batch runs, so it really completes while draining.
      // (PGlite runs queries on the event loop: there the signal is handled once the batch is done.)
      if (store === 'postgres') {
        const lines = logLines(service.stdout());
        const shutdownAt = lines.findIndex((l) => typeof l.msg === 'string' && l.msg.startsWith('shutting down'));
        const completedAt = lines.findIndex((l) => l.msg === 'request' && l.reqId === `drain-${first}` && l.status === 200);
        expect(completedAt).toBeGreaterThan(shutdownAt);
      }

      // The batch in flight when the signal came was completed in full.
      const inFlight = outcomes[first];
      expect(inFlight.status).toBe('fulfilled');
      const done = (inFlight as PromiseFulfilledResult<{ status: number; body: any }>).value;
      expect(done.status).toBe(200);
      expect(done.body.results.map((r: any) => r.status)).toEqual(Array(100).fill(201));
      // The others were completed too, or, if the server read them only once it was draining, refused
      // with a 503 problem; a connection it had not read from yet may be closed without an answer.
      let completed = 0;
      let refused = 0;
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') continue;
        const { status, type, body } = outcome.value;
        if (status === 200) {
          expect(body.results.map((r: any) => r.status)).toEqual(Array(100).fill(201));
          completed++;
        } else {
          expect(status).toBe(503);
          expect(type).toMatch(/^application\/problem\+json/);
          expect(body).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
          refused++;
        }
      }
      t.diagnostic(`batches: ${completed} completed, ${refused} refused with 503, ${batches - completed - refused} closed unanswered`);

      // ...and exactly what was acknowledged is stored: nothing of a refused batch, all of a completed one.
      const restarted = await startService({ ...env, LANDLORD_LOG_LEVEL: 'silent' });
      const list = await api(restarted, key)('GET', '/v1/tenants?search=drained&limit=1');
      expect((await list.json()).count).toBe(completed * 100);
      await expectCleanExit(restarted);
    });

    it('loses no acknowledged write when the process is killed mid-stream', { timeout: 300_000 }, async (t) => {
      const env = await storeEnv();
      const service = await startService(env);
      const call = api(service, env.LANDLORD_ROOT_KEY);
      const acknowledged = new Map<string, string>();
      const target = 150;
      let failures = 0;
      let reachedTarget!: () => void;
      const enough = new Promise<void>((resolve) => (reachedTarget = resolve));
      const loop = async (worker: number) => {
        for (let i = 0; ; i++) {
          const name = `Durable ${worker}-${i} ${randomToken(6)}`;
          let res: Response;
          try {
            res = await call('POST', '/v1/tenants', { name });
          } catch {
            return; // the process is gone
          }
          if (res.status !== 201) {
            failures++;
            if (failures > 20) throw new Error(`unexpected ${res.status}: ${await res.text()}`);
            continue;
          }
          try {
            const body = await res.json();
            acknowledged.set(body.id, name);
          } catch {
            return; // killed between the status line and the body: not acknowledged
          }
          if (acknowledged.size >= target) reachedTarget();
        }
      };
      // Ending early (a loop failed, or the process died) also releases the wait; the checks below tell.
      const loops = Promise.all([0, 1, 2, 3].map(loop)).finally(() => reachedTarget());
      await enough;
      service.child.kill('SIGKILL');
      await loops;
      expect(await service.exited).toEqual({ code: null, signal: 'SIGKILL' });
      expect(acknowledged.size).toBeGreaterThanOrEqual(target);
      expect(failures).toBe(0);

      const restarted = await startService(env);
      const again = api(restarted, env.LANDLORD_ROOT_KEY);
      const missing: string[] = [];
      for (const [id, name] of acknowledged) {
        const res = await again('GET', `/v1/tenants/${id}`);
        if (res.status !== 200 || (await res.json()).name !== name) missing.push(id);
      }
      expect(missing).toEqual([]);
      // Writes still work after the crash.
      expect((await again('POST', '/v1/tenants', { name: 'After the crash' })).status).toBe(201);
      t.diagnostic(`${store}: ${acknowledged.size} creates acknowledged before SIGKILL, all present after restart`);
      await expectCleanExit(restarted);
    });
  });
}

describe('landlord CLI', () => {
  it('doctor passes and migrate status lists the applied migrations after a start; doctor flags a readable root key', { timeout: 300_000 }, async () => {
    const env = { LANDLORD_DATA_DIR: join(tempDir(), 'data') };
    const service = await startService(env);
    await expectCleanExit(service);

    const doctor = await runCli(['doctor'], env);
    expect(doctor.stdout).toContain('all checks passed');
    expect(doctor.stdout).not.toContain('FAIL');
    expect(doctor.stdout).toMatch(/^ok\s+database reachable/m);
    expect(doctor.stdout).toMatch(/^ok\s+migrations applied/m);
    expect(doctor.code).toBe(0);

    const status = await runCli(['migrate', 'status'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^applied\s+0001_initial$/m);
    expect(status.stdout).not.toMatch(/pending/);

    chmodSync(join(env.LANDLORD_DATA_DIR, 'root-key'), 0o644);
    const unsafe = await runCli(['doctor'], env);
    expect(unsafe.code).toBe(1);
    expect(unsafe.stdout).toMatch(/FAIL\s+root key file private: mode 644/);
    expect(unsafe.stdout).toContain(`chmod 600 ${join(env.LANDLORD_DATA_DIR, 'root-key')}`);
  });

  it('doctor changes nothing: a missing data dir stays missing, and a database nobody serves fails, also as JSON', { timeout: 200_000 }, async () => {
    const dataDir = join(tempDir(), 'never-created');
    const fresh = await runCli(['doctor'], { LANDLORD_DATA_DIR: dataDir });
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toContain('the first start creates it');
    expect(existsSync(dataDir)).toBe(false);

    const port = await freePort();
    const down = await runCli(['doctor', '--json'], { LANDLORD_DATA_DIR: dataDir, DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/postgres` });
    expect(down.code).toBe(1);
    const report = JSON.parse(down.stdout);
    expect(report.ok).toBe(false);
    expect(report.checks.find((c: { name: string }) => c.name === 'database reachable')).toMatchObject({ status: 'fail' });
    expect(down.stderr).not.toMatch(/\n\s+at /);
  });

  it('answers a wrong command line with the usage and exit code 2, and --version with the version', { timeout: 200_000 }, async () => {
    const env = { LANDLORD_DATA_DIR: join(tempDir(), 'data') };
    for (const [args, says] of [
      [['serve', '--bogus'], "Unknown option '--bogus'"],
      [['migrate', 'dwon'], 'Unknown migrate direction "dwon"'],
      [['doctor', 'now'], '"doctor" takes no arguments'],
      [['worker', '--json'], '--json is not an option of "worker"'],
      [['launch'], 'Unknown command "launch"'],
    ] as const) {
      const res = await runCli([...args], env);
      expect([args, res.code]).toEqual([args, 2]);
      expect(res.stderr).toContain(says);
      expect(res.stderr).not.toMatch(/\n\s+at /);
    }
    const version = await runCli(['--version'], env);
    expect([version.code, version.stdout.trim()]).toEqual([0, `landlord ${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version}`]);
    expect(existsSync(env.LANDLORD_DATA_DIR)).toBe(false);
  });

  it('refuses to start on an invalid environment, naming the variable, and exits 1', { timeout: 200_000 }, async () => {
    const dataDir = join(tempDir(), 'data');
    const bad = await runCli(['start'], { PORT: 'abc', LANDLORD_DATA_DIR: dataDir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('PORT');
    expect(bad.stdout).not.toContain('Landlord is running');
    const badLevel = await runCli(['start'], { LANDLORD_LOG_LEVEL: 'loud', LANDLORD_DATA_DIR: dataDir });
    expect(badLevel.code).toBe(1);
    expect(badLevel.stderr).toContain('LANDLORD_LOG_LEVEL');
  });
});
