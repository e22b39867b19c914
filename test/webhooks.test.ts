import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { Webhook } from 'standardwebhooks';
import { systemResolver, type Resolver } from '../src/modules/webhooks/ssrf.js';
import { createWorker, type Worker } from '../src/modules/webhooks/worker.js';
import type { Config } from '../src/config.js';
import { createTestApp, json, stores, type TestApp } from './helpers.js';
import { createTestClock } from './support/clock.js';
import { freePort } from './support/processes.js';
import { startReceiver, webhookHeaders, type Receiver } from './webhook-receiver.js';

// Deliveries go to a real HTTP receiver on 127.0.0.1, so private destinations are allowed here,
// and retries come quickly: 100 ms, 200 ms, 300 ms (four attempts in all), with a 1 s timeout.
// The service, the worker and the receiver share a test clock: waiting for a delivery moves it on
// to the next attempt's time rather than sleeping through the backoff (timeouts stay real).
const ENV = {
  LANDLORD_WEBHOOKS_ALLOW_PRIVATE: 'true',
  LANDLORD_WEBHOOK_RETRY_SCHEDULE: '100ms,200ms,300ms',
  LANDLORD_WEBHOOK_TIMEOUT: '1s',
};

/** `hooks.test` resolves to 127.0.0.1 (only through the worker's own lookup: no real DNS knows it). */
const resolver: Resolver = async (hostname) => (hostname === 'hooks.test' ? [{ address: '127.0.0.1', family: 4 }] : systemResolver(hostname));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const store of stores) {
  describe(`webhooks on ${store}`, () => {
    let t: TestApp;
    let rx: Receiver;
    let worker: Worker;
    const clock = createTestClock();
    /** Every secret this file was shown; none may appear anywhere afterwards. */
    const secrets: string[] = [];

    const startWorker = (config: Partial<Config> = {}) => {
      const w = createWorker({
        db: t.deps.database.db,
        clock: t.deps.clock,
        secretBox: t.deps.secretBox,
        config: { ...t.deps.config, ...config },
        pollIntervalMs: 20,
        resolver,
      });
      w.start();
      return w;
    };

    before(async () => {
      t = await createTestApp(store, ENV, { clock });
      rx = await startReceiver({ clock });
      worker = startWorker();
    });
    after(async () => {
      await worker?.stop();
      await rx?.close();
      await t?.close();
    });

    async function createHook(path: string, body: Record<string, unknown> = {}, where = '/v1/webhooks', key?: string) {
      const res = await t.call('POST', where, { key, body: { url: rx.url(path), events: ['*'], ...body } });
      expect([res.statusCode, res.body]).toEqual([201, expect.any(String)]);
      const hook = json(res);
      secrets.push(hook.secret);
      return hook;
    }

    async function ping(webhookId: string): Promise<{ eventId: string; deliveryId: string }> {
      const res = await t.call('POST', `/v1/webhooks/${webhookId}/test`);
      expect(res.statusCode).toBe(202);
      return json(res);
    }

    /** Polls the delivery log until `done`; a pending delivery's retry is made due at once by moving the clock to it. */
    async function waitForDelivery(webhookId: string, deliveryId: string, done: (d: any) => boolean, timeoutMs = 15_000): Promise<any> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const list = json(await t.call('GET', `/v1/webhooks/${webhookId}/deliveries?limit=100`));
        const delivery = list.results.find((d: any) => d.id === deliveryId);
        if (delivery && done(delivery)) return delivery;
        if (Date.now() > deadline) throw new Error(`delivery ${deliveryId} not as expected: ${JSON.stringify(delivery)}`);
        if (delivery?.status === 'pending' && delivery.nextAttemptAt) clock.advanceTo(delivery.nextAttemptAt);
        await sleep(25);
      }
    }

    const settled = (d: any) => d.status === 'succeeded' || d.status === 'failed';

    it('subscribes a tenant on create (the Skype flow): its own tenant.created and then tenant.updated arrive signed', async () => {
      const res = await t.call('POST', '/v1/tenants', { body: { name: 'Contoso Tenant Ltd', webhook: { url: rx.url('/interviews') } } });
      expect(res.statusCode).toBe(201);
      const tenant = json(res);
      secrets.push(tenant.webhook.secret);
      expect(tenant.webhook).toEqual({
        id: expect.stringMatching(/^whk_/),
        url: rx.url('/interviews'),
        events: ['*'],
        secret: expect.stringMatching(/^whsec_/),
      });
      expect(Buffer.from(tenant.webhook.secret.slice(6), 'base64')).toHaveLength(32);
      // The ETag describes the tenant alone, as GET returns it.
      expect(res.headers.etag).toBe((await t.call('GET', `/v1/tenants/${tenant.id}`)).headers.etag);

      await rx.waitFor((all) => all.some((r) => r.path === '/interviews'), 15_000, 'tenant.created');
      const [created] = rx.on('/interviews');
      const verified: any = new Webhook(tenant.webhook.secret).verify(created.body, webhookHeaders(created));
      expect(verified).toMatchObject({
        type: 'tenant.created',
        tenantId: tenant.id,
        organizationId: tenant.organizationId,
        data: { object: { id: tenant.id, name: 'Contoso Tenant Ltd' } },
      });
      expect(created.headers).toMatchObject({ 'content-type': 'application/json', 'user-agent': 'Landlord-Webhooks/1', 'webhook-id': verified.id });
      expect(Object.keys(verified).sort()).toEqual(['createdAt', 'data', 'id', 'organizationId', 'tenantId', 'type']);

      expect((await t.call('PATCH', `/v1/tenants/${tenant.id}`, { body: { description: 'Interviews' } })).statusCode).toBe(200);
      await rx.waitFor((all) => all.filter((r) => r.path === '/interviews').length >= 2, 15_000, 'tenant.updated');
      const updated: any = new Webhook(tenant.webhook.secret).verify(rx.on('/interviews')[1].body, webhookHeaders(rx.on('/interviews')[1]));
      expect(updated).toMatchObject({ type: 'tenant.updated', data: { object: { description: 'Interviews' }, previous: { description: null } } });

      const log = json(await t.call('GET', `/v1/webhooks/${tenant.webhook.id}/deliveries`));
      // The receiver may see a delivery before the worker has written its outcome.
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && !log.results.every(settled)) {
        await new Promise((r) => setTimeout(r, 50));
        Object.assign(log, json(await t.call('GET', `/v1/webhooks/${tenant.webhook.id}/deliveries`)));
      }
      expect(
        log.results.map((d: any) => [d.eventType, d.status, d.attemptCount, d.attempts.map((a: any) => [a.statusCode, a.error, a.responseExcerpt])]),
      ).toEqual([
        ['tenant.updated', 'succeeded', 1, [[200, null, 'ok']]],
        ['tenant.created', 'succeeded', 1, [[200, null, 'ok']]],
      ]);
      expect(log.results[1].eventId).toBe(verified.id);
      expect(log.results[0].attempts[0].durationMs).toBeGreaterThanOrEqual(0);
    });

    it('checks the webhook of a tenant create in the same transaction: a bad one creates nothing', async () => {
      const res = await t.call('POST', '/v1/tenants', { body: { name: 'Half Made', webhook: { url: rx.url('/x'), events: ['tenant.exploded'] } } });
      expect(res.statusCode).toBe(422);
      expect(json(res).errors).toEqual([expect.objectContaining({ field: 'webhook.events', code: 'BAD_FORMAT' })]);
      expect(json(await t.call('GET', '/v1/tenants?search=half%20made')).count).toBe(0);
    });

    it('creates, lists, reads, updates and deletes endpoints, validating url and events', async () => {
      const tenant = json(await t.call('POST', '/v1/tenants', { body: { name: 'Hooked Inc' } }));
      const res = await t.call('POST', '/v1/webhooks', {
        body: { url: rx.url('/crud'), events: ['tenant.created', 'tenant.created', 'user.created'], description: 'CRM sync' },
      });
      expect(res.statusCode).toBe(201);
      const hook = json(res);
      secrets.push(hook.secret);
      expect(res.headers.location).toBe(`/v1/webhooks/${hook.id}`);
      expect(hook).toMatchObject({
        tenantId: null,
        events: ['tenant.created', 'user.created'],
        description: 'CRM sync',
        isEnabled: true,
        disabledReason: null,
        failingSince: null,
      });

      const bad = async (body: object, field: string, code: string, where = '/v1/webhooks') => {
        const r = await t.call('POST', where, { body });
        expect([r.statusCode, json(r).errors?.[0]]).toEqual([422, expect.objectContaining({ field, code })]);
      };
      await bad({ url: rx.url('/x'), events: ['tenant.exploded'] }, 'events', 'BAD_FORMAT');
      await bad({ url: rx.url('/x'), events: ['tenant.created', 'nope'] }, 'events', 'BAD_FORMAT', `/v1/tenants/${tenant.id}/webhooks`);
      await bad({ url: 'ftp://hooks.example.com/x', events: ['*'] }, 'url', 'BAD_URL');
      await bad({ url: 'not a url', events: ['*'] }, 'url', 'BAD_URL');
      await bad({ url: 'https://user:pw@hooks.example.com/x', events: ['*'] }, 'url', 'BAD_URL');
      await bad({ url: rx.url('/x'), events: [] }, 'events', 'BAD_FORMAT');
      await bad({ url: rx.url('/x'), events: ['*'], secret: 'whsec_mine' }, 'secret', 'READ_ONLY');
      await bad({ url: rx.url('/x'), events: ['*'], colour: 'red' }, 'colour', 'UNKNOWN_FIELD');

      const got = await t.call('GET', `/v1/webhooks/${hook.id}`);
      expect(got.statusCode).toBe(200);
      expect(json(got)).not.toHaveProperty('secret');
      const etag = got.headers.etag as string;
      expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
      const stale = await t.call('PATCH', `/v1/webhooks/${hook.id}`, { body: { description: 'x' }, headers: { 'if-match': '"stale"' } });
      expect(stale.statusCode).toBe(412);
      const patched = await t.call('PATCH', `/v1/webhooks/${hook.id}`, {
        body: { events: ['*'], description: null, url: rx.url('/crud2') },
        headers: { 'if-match': etag },
      });
      expect(patched.statusCode).toBe(200);
      expect(json(patched)).toMatchObject({ events: ['*'], description: null, url: rx.url('/crud2') });
      expect(patched.headers.etag).not.toBe(etag);
      const badPatch = await t.call('PATCH', `/v1/webhooks/${hook.id}`, { body: { url: 'gopher://x' } });
      expect(json(badPatch).errors[0]).toMatchObject({ field: 'url', code: 'BAD_URL' });

      const tenantHook = await createHook('/crud-tenant', {}, `/v1/tenants/${tenant.id}/webhooks`);
      expect(tenantHook.tenantId).toBe(tenant.id);
      const ofTenant = json(await t.call('GET', `/v1/tenants/${tenant.id}/webhooks`));
      expect(ofTenant.results.map((w: any) => w.id)).toEqual([tenantHook.id]);
      const filtered = json(await t.call('GET', `/v1/webhooks?tenantId=${tenant.id}`));
      expect(filtered.results.map((w: any) => w.id)).toEqual([tenantHook.id]);

      // Newest first, in pages.
      const first = json(await t.call('GET', '/v1/webhooks?limit=1'));
      expect(first.results.map((w: any) => w.id)).toEqual([tenantHook.id]);
      expect(first.next).toMatch(/^http:\/\/landlord\.test\/v1\/webhooks\?limit=1&cursor=/);
      const second = json(await t.call('GET', first.next.replace('http://landlord.test', '')));
      expect(second.results.map((w: any) => w.id)).toEqual([hook.id]);
      expect((await t.call('GET', '/v1/webhooks?cursor=garbage')).statusCode).toBe(422);

      expect((await t.call('DELETE', `/v1/webhooks/${hook.id}`, { headers: { 'if-match': '"stale"' } })).statusCode).toBe(412);
      expect((await t.call('DELETE', `/v1/webhooks/${hook.id}`)).statusCode).toBe(204);
      expect((await t.call('GET', `/v1/webhooks/${hook.id}`)).statusCode).toBe(404);
      expect((await t.call('DELETE', `/v1/webhooks/${hook.id}`)).statusCode).toBe(404);

      const audit = json(await t.call('GET', `/v1/audit-logs?limit=200`)).results.filter((a: any) => a.target?.id === hook.id);
      expect(audit.map((a: any) => a.action).sort()).toEqual(['webhook.create', 'webhook.delete', 'webhook.update']);
      // Audit only: creating and changing endpoints emits no events.
      const events = json(await t.call('GET', '/v1/events?limit=500')).results;
      expect(events.filter((e: any) => e.type.startsWith('webhook.') && e.type !== 'webhook.test')).toEqual([]);
    });

    it('retries a 500 on the schedule until it succeeds, logging every attempt under one webhook-id', async () => {
      rx.handle('/flaky', (_r, n) => (n <= 2 ? { status: 500, body: 'boom' } : { status: 204 }));
      const hook = await createHook('/flaky');
      const { eventId, deliveryId } = await ping(hook.id);
      const delivery = await waitForDelivery(hook.id, deliveryId, settled);
      expect(delivery).toMatchObject({ eventId, eventType: 'webhook.test', status: 'succeeded', attemptCount: 3, lastStatusCode: 204 });
      expect(delivery.attempts.map((a: any) => [a.statusCode, a.error, a.responseExcerpt])).toEqual([
        [500, 'HTTP 500', 'boom'],
        [500, 'HTTP 500', 'boom'],
        [204, null, null],
      ]);
      const got = rx.on('/flaky');
      expect(new Set(got.map((r) => r.headers['webhook-id']))).toEqual(new Set([eventId]));
      expect(new Set(got.map((r) => r.body)).size).toBe(1);
      // 100 ms and 200 ms, each ±20 %.
      expect(got[1].at - got[0].at).toBeGreaterThanOrEqual(75);
      expect(got[2].at - got[1].at).toBeGreaterThanOrEqual(155);
    });

    it('retries timeouts, closed connections and refused connections, then marks the delivery failed', async () => {
      rx.handle('/unwell', (_r, n) => (n === 1 ? 'hang' : n === 2 ? 'destroy' : { status: 500, body: 'still down' }));
      const unwell = await createHook('/unwell');
      const closed = await freePort();
      const refused = json(await t.call('POST', '/v1/webhooks', { body: { url: `http://127.0.0.1:${closed}/nobody`, events: ['webhook.test'] } }));
      secrets.push(refused.secret);
      const [a, b] = [await ping(unwell.id), await ping(refused.id)];
      const failedA = await waitForDelivery(unwell.id, a.deliveryId, settled);
      expect(failedA).toMatchObject({ status: 'failed', attemptCount: 4, lastStatusCode: 500, nextAttemptAt: null, completedAt: expect.any(String) });
      expect(failedA.attempts.map((x: any) => [x.statusCode, x.error])).toEqual([
        [null, 'Timed out after 1000 ms'],
        [null, 'Connection closed by the receiver before a response'],
        [500, 'HTTP 500'],
        [500, 'HTTP 500'],
      ]);
      expect(failedA.attempts[0].durationMs).toBeGreaterThanOrEqual(990);
      const failedB = await waitForDelivery(refused.id, b.deliveryId, settled);
      expect(failedB.attempts.map((x: any) => x.error)).toEqual(Array(4).fill('Connection refused'));
      expect(json(await t.call('GET', `/v1/webhooks/${unwell.id}`)).failingSince).toEqual(expect.any(String));
    });

    it('waits as long as Retry-After asks when that is longer than the schedule', async () => {
      rx.handle('/busy', (_r, n) => (n === 1 ? { status: 503, headers: { 'retry-after': '1' } } : { status: 200 }));
      const hook = await createHook('/busy');
      const { deliveryId } = await ping(hook.id);
      const pending = await waitForDelivery(hook.id, deliveryId, (d) => d.attemptCount === 1);
      expect(pending).toMatchObject({ status: 'pending', lastStatusCode: 503 });
      expect(Date.parse(pending.nextAttemptAt) - Date.parse(pending.attempts[0].attemptedAt)).toBeGreaterThanOrEqual(1000);
      await waitForDelivery(hook.id, deliveryId, settled);
      const [first, second] = rx.on('/busy');
      expect(second.at - first.at).toBeGreaterThanOrEqual(950);
    });

    it('does not follow redirects: a 3xx is a failed attempt', async () => {
      rx.handle('/moved', () => ({ status: 302, headers: { location: rx.url('/elsewhere') } }));
      const hook = await createHook('/moved');
      const { deliveryId } = await ping(hook.id);
      const delivery = await waitForDelivery(hook.id, deliveryId, (d) => d.attemptCount >= 2);
      expect(delivery.attempts[0]).toMatchObject({ statusCode: 302, error: 'Redirects are not followed' });
      expect(rx.on('/elsewhere')).toEqual([]);
    });

    it('refuses private destinations at creation unless LANDLORD_WEBHOOKS_ALLOW_PRIVATE is set', async () => {
      const strict = await createTestApp(store);
      try {
        const tenant = json(await strict.call('POST', '/v1/tenants', { body: { name: 'Strict Tenant' } }));
        for (const url of [
          'http://localhost:8080/hook',
          'http://LOCALHOST./hook',
          'http://app.localhost/hook',
          'http://127.0.0.1/hook',
          'http://2130706433/hook',
          'http://10.1.2.3/hook',
          'http://172.16.0.1/hook',
          'http://192.168.1.10/hook',
          'http://169.254.169.254/latest/meta-data',
          'http://100.64.0.1/hook',
          'http://0.0.0.0/hook',
          'http://[::1]/hook',
          'http://[::ffff:127.0.0.1]/hook',
          'http://[fd00:ec2::254]/latest',
          'http://[fe80::1]/hook',
          'http://[64:ff9b::127.0.0.1]/hook',
          'http://[::127.0.0.1]/hook',
          'http://[::ffff:0:127.0.0.1]/hook',
          'http://[2002:7f00:1::]/hook',
          'http://[2002:a9fe:a9fe::]/latest/meta-data',
          'http://metadata.google.internal/computeMetadata/v1/',
        ]) {
          for (const where of ['/v1/webhooks', `/v1/tenants/${tenant.id}/webhooks`]) {
            const res = await strict.call('POST', where, { body: { url, events: ['*'] } });
            expect([url, res.statusCode, json(res).errors?.[0]]).toEqual([url, 422, expect.objectContaining({ field: 'url', code: 'BAD_URL' })]);
          }
        }
        const viaTenant = await strict.call('POST', '/v1/tenants', { body: { name: 'Sneaky Tenant', webhook: { url: 'http://127.0.0.1:9/x' } } });
        expect(json(viaTenant).errors).toEqual([expect.objectContaining({ field: 'webhook.url', code: 'BAD_URL' })]);
        expect(json(await strict.call('GET', '/v1/tenants?search=sneaky')).count).toBe(0);
        const hook = await strict.call('POST', '/v1/webhooks', { body: { url: 'https://hooks.example.com/landlord', events: ['*'] } });
        expect(hook.statusCode).toBe(201);
        secrets.push(json(hook).secret);
        const moved = await strict.call('PATCH', `/v1/webhooks/${json(hook).id}`, { body: { url: 'http://10.0.0.5/x' } });
        expect(json(moved).errors[0]).toMatchObject({ field: 'url', code: 'BAD_URL' });
      } finally {
        await strict.close();
      }
    });

    it('resolves a host name once and connects to that address; without the allow flag a private answer is refused', async () => {
      const named = await createHook('/pinned', { url: `http://hooks.test:${rx.port}/pinned` });
      const literal = await createHook('/literal');
      // Allowed: hooks.test exists only in the worker's lookup, so arriving proves the socket used that answer.
      const ok = await ping(named.id);
      await waitForDelivery(named.id, ok.deliveryId, (d) => d.status === 'succeeded');
      expect(rx.on('/pinned')).toHaveLength(1);

      await worker.stop();
      const strict = startWorker({ webhooksAllowPrivate: false });
      try {
        const [a, b] = [await ping(named.id), await ping(literal.id)];
        const refused = await waitForDelivery(named.id, a.deliveryId, (d) => d.attemptCount >= 1);
        // The log says why, without echoing what the operator's DNS answered.
        expect(refused.attempts[0]).toMatchObject({ statusCode: null, error: 'hooks.test resolves to a loopback, private or link-local address' });
        const refusedLiteral = await waitForDelivery(literal.id, b.deliveryId, (d) => d.attemptCount >= 1);
        expect(refusedLiteral.attempts[0]).toMatchObject({ statusCode: null, error: '127.0.0.1 is a private address' });
        expect(rx.on('/pinned')).toHaveLength(1);
        expect(rx.on('/literal')).toHaveLength(0);
      } finally {
        await strict.stop();
        worker = startWorker();
      }
    });

    it('rotates the secret: during the overlap both secrets verify, after an overlap of 0 only the new one', async () => {
      const hook = await createHook('/rotate');
      const rotated = await t.call('POST', `/v1/webhooks/${hook.id}/rotate-secret`);
      expect(rotated.statusCode).toBe(200);
      const second = json(rotated);
      secrets.push(second.secret);
      expect(second.secret).toMatch(/^whsec_/);
      expect(second.secret).not.toBe(hook.secret);
      expect(Date.parse(second.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(86_000_000);
      await ping(hook.id);
      await rx.waitFor((all) => all.filter((r) => r.path === '/rotate').length === 1);
      const during = rx.on('/rotate')[0];
      expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
      expect(() => new Webhook(hook.secret).verify(during.body, webhookHeaders(during))).not.toThrow();
      expect(() => new Webhook(second.secret).verify(during.body, webhookHeaders(during))).not.toThrow();

      const third = json(await t.call('POST', `/v1/webhooks/${hook.id}/rotate-secret`, { body: { overlapSeconds: 0 } }));
      secrets.push(third.secret);
      expect(third.previousSecretExpiresAt).toBeNull();
      await ping(hook.id);
      await rx.waitFor((all) => all.filter((r) => r.path === '/rotate').length === 2);
      const afterwards = rx.on('/rotate')[1];
      expect(String(afterwards.headers['webhook-signature']).split(' ')).toHaveLength(1);
      expect(() => new Webhook(third.secret).verify(afterwards.body, webhookHeaders(afterwards))).not.toThrow();
      expect(() => new Webhook(second.secret).verify(afterwards.body, webhookHeaders(afterwards))).toThrow();
      expect((await t.call('POST', `/v1/webhooks/${hook.id}/rotate-secret`, { body: { overlapSeconds: -1 } })).statusCode).toBe(422);
    });

    it('pings only the endpoint asked, and retries a failed delivery on request', async () => {
      const watcher = await createHook('/watcher');
      let up = false;
      rx.handle('/manual', () => (up ? { status: 200, body: 'back' } : { status: 500 }));
      const hook = await createHook('/manual');
      const { eventId, deliveryId } = await ping(hook.id);
      await waitForDelivery(hook.id, deliveryId, (d) => d.status === 'failed');
      expect(rx.on('/watcher').filter((r) => r.json?.id === eventId)).toEqual([]);
      expect((await t.call('GET', `/v1/webhooks/${watcher.id}/deliveries?eventId=${eventId}`)).json().results).toEqual([]);

      up = true;
      const retried = await t.call('POST', `/v1/webhooks/${hook.id}/deliveries/${deliveryId}/retry`);
      expect(retried.statusCode).toBe(202);
      expect(json(retried)).toMatchObject({ id: deliveryId, status: 'pending' });
      const done = await waitForDelivery(hook.id, deliveryId, (d) => d.status === 'succeeded');
      expect(done.attempts.map((a: any) => a.statusCode)).toEqual([500, 500, 500, 500, 200]);
      expect(done.attempts[4].responseExcerpt).toBe('back');
      expect((await t.call('POST', `/v1/webhooks/${hook.id}/deliveries/dlv_01jd8x3k5q2w7e9r4t6y8u0i2o/retry`)).statusCode).toBe(404);
      expect((await t.call('POST', `/v1/webhooks/${watcher.id}/deliveries/${deliveryId}/retry`)).statusCode).toBe(404);
      const audit = json(await t.call('GET', '/v1/audit-logs?action=webhook.delivery_retry')).results;
      expect(audit[0]).toMatchObject({ target: { type: 'delivery', id: deliveryId } });
    });

    it('drops the deliveries of an endpoint disabled meanwhile', async () => {
      await worker.stop();
      let restarted = false;
      try {
        const hook = await createHook('/muted');
        const { deliveryId } = await ping(hook.id);
        expect((await t.call('PATCH', `/v1/webhooks/${hook.id}`, { body: { isEnabled: false } })).statusCode).toBe(200);
        expect((await t.call('POST', `/v1/webhooks/${hook.id}/test`)).statusCode).toBe(409);
        worker = startWorker();
        restarted = true;
        const dropped = await waitForDelivery(hook.id, deliveryId, settled);
        expect(dropped).toMatchObject({
          status: 'failed',
          attempts: [expect.objectContaining({ statusCode: null, error: 'Not sent: the endpoint is disabled' })],
        });
        expect(rx.on('/muted')).toEqual([]);
        expect(json(await t.call('GET', `/v1/webhooks/${hook.id}`)).failingSince).toBeNull();
      } finally {
        if (!restarted) worker = startWorker();
      }
    });

    it('disables an endpoint that keeps failing for longer than the disable-after time, with a webhook.disabled event', async () => {
      await worker.stop();
      worker = startWorker({ webhookDisableAfterMs: 400 });
      try {
        const tenant = json(await t.call('POST', '/v1/tenants', { body: { name: 'Dying Endpoint Co' } }));
        const watcher = await createHook('/watch-disabled');
        rx.handle('/dying', () => ({ status: 500 }));
        const dying = await createHook('/dying', {}, `/v1/tenants/${tenant.id}/webhooks`);
        const { deliveryId } = await ping(dying.id);
        // Through every retry: failing for longer than 400 ms disables the endpoint on the way.
        await waitForDelivery(dying.id, deliveryId, settled);
        // Other failing endpoints of earlier tests may be disabled too; this is about `dying`.
        const isNotice = (r: { path: string; json: any }) =>
          r.path === '/watch-disabled' && r.json?.type === 'webhook.disabled' && r.json.data.object.id === dying.id;
        await rx.waitFor((all) => all.some(isNotice), 15_000, 'webhook.disabled');
        const notice = rx.on('/watch-disabled').find(isNotice)!;
        const event: any = new Webhook(watcher.secret).verify(notice.body, webhookHeaders(notice));
        expect(event).toMatchObject({
          tenantId: tenant.id,
          data: {
            object: { id: dying.id, isEnabled: false, disabledReason: expect.stringMatching(/^Every delivery failed since /) },
            previous: { isEnabled: true },
          },
        });
        const now = json(await t.call('GET', `/v1/webhooks/${dying.id}`));
        expect(now).toMatchObject({ isEnabled: false, failingSince: expect.any(String) });
        const audit = json(await t.call('GET', '/v1/audit-logs?action=webhook.disable')).results.filter((a: any) => a.target.id === dying.id);
        expect(audit[0]).toMatchObject({ actor: { type: 'system', id: null }, target: { type: 'webhook', id: dying.id } });

        const enabled = json(await t.call('PATCH', `/v1/webhooks/${dying.id}`, { body: { isEnabled: true } }));
        expect(enabled).toMatchObject({ isEnabled: true, disabledReason: null, failingSince: null });
      } finally {
        await worker.stop();
        worker = startWorker();
      }
    });

    it('answers 404 to other tenants and organizations on every webhook endpoint, and changes nothing', async () => {
      const orgA = json(await t.call('POST', '/v1/organizations', { body: { name: 'Hook Org A' } }));
      const orgKeyA = json(await t.call('POST', `/v1/organizations/${orgA.id}/api-keys`, { body: {} })).secret;
      const tenantA = json(await t.call('POST', '/v1/tenants', { key: orgKeyA, body: { name: 'Hook Tenant A', apiKey: {} } }));
      const tenantA2 = json(await t.call('POST', '/v1/tenants', { key: orgKeyA, body: { name: 'Hook Tenant A2', apiKey: {} } }));
      const tenantB = json(await t.call('POST', '/v1/tenants', { body: { name: 'Hook Tenant B', apiKey: {} } }));
      const keyA = tenantA.apiKey.secret;
      const keyA2 = tenantA2.apiKey.secret;
      const hookA = await createHook('/bola-a', {}, `/v1/tenants/${tenantA.id}/webhooks`, keyA);
      const hookOrgA = await createHook('/bola-org-a', {}, '/v1/webhooks', orgKeyA);
      const hookB = await createHook('/bola-b', {}, `/v1/tenants/${tenantB.id}/webhooks`);
      const deliveryOf = async (id: string) => (await ping(id)).deliveryId;
      const deliveries: Record<string, string> = {
        [hookA.id]: await deliveryOf(hookA.id),
        [hookOrgA.id]: await deliveryOf(hookOrgA.id),
        [hookB.id]: await deliveryOf(hookB.id),
      };

      const calls = (id: string) =>
        [
          ['GET', `/v1/webhooks/${id}`],
          ['PATCH', `/v1/webhooks/${id}`, { description: 'hijacked', url: 'https://evil.example.com/' }],
          ['DELETE', `/v1/webhooks/${id}`],
          ['POST', `/v1/webhooks/${id}/test`],
          ['GET', `/v1/webhooks/${id}/deliveries`],
          ['POST', `/v1/webhooks/${id}/deliveries/${deliveries[id]}/retry`],
          ['POST', `/v1/webhooks/${id}/rotate-secret`, {}],
        ] as const;
      const snapshot = async (id: string) => (await t.call('GET', `/v1/webhooks/${id}`)).headers.etag;
      const expectInvisible = async (key: string, id: string) => {
        const before = await snapshot(id);
        for (const [method, url, body] of calls(id)) {
          const res = await t.call(method, url, { key, body });
          expect([method, url, res.statusCode, json(res).code]).toEqual([method, url, 404, 'NOT_FOUND']);
        }
        expect(await snapshot(id)).toBe(before);
      };
      await expectInvisible(keyA2, hookA.id);
      await expectInvisible(keyA2, hookOrgA.id);
      await expectInvisible(keyA, hookOrgA.id); // an organization-wide endpoint is not a tenant's
      await expectInvisible(keyA, hookB.id);
      await expectInvisible(orgKeyA, hookB.id);
      for (const [key, tenantId] of [
        [keyA2, tenantA.id],
        [orgKeyA, tenantB.id],
        [keyA, tenantB.id],
      ]) {
        expect((await t.call('GET', `/v1/tenants/${tenantId}/webhooks`, { key })).statusCode).toBe(404);
        expect((await t.call('POST', `/v1/tenants/${tenantId}/webhooks`, { key, body: { url: 'https://evil.example.com/', events: ['*'] } })).statusCode).toBe(
          404,
        );
      }
      // Lists are confined the same way.
      expect(json(await t.call('GET', '/v1/webhooks', { key: keyA })).results.map((w: any) => w.id)).toEqual([hookA.id]);
      expect(
        json(await t.call('GET', '/v1/webhooks', { key: orgKeyA }))
          .results.map((w: any) => w.id)
          .sort(),
      ).toEqual([hookA.id, hookOrgA.id].sort());
      expect(json(await t.call('GET', `/v1/webhooks?tenantId=${tenantB.id}`, { key: orgKeyA })).results).toEqual([]);
      expect((await t.call('GET', `/v1/webhooks?organizationId=${t.deps.defaultOrganizationId}`, { key: orgKeyA })).statusCode).toBe(404);
      // Owners cannot subscribe organization-wide; admins cannot subscribe another organization.
      expect((await t.call('POST', '/v1/webhooks', { key: keyA, body: { url: 'https://evil.example.com/', events: ['*'] } })).statusCode).toBe(403);
      const elsewhere = await t.call('POST', '/v1/webhooks', {
        key: orgKeyA,
        body: { url: 'https://evil.example.com/', events: ['*'], organizationId: t.deps.defaultOrganizationId },
      });
      expect(elsewhere.statusCode).toBe(404);
      const bySuperadmin = await t.call('POST', '/v1/webhooks', { body: { url: 'https://hooks.example.com/a', events: ['*'], organizationId: orgA.id } });
      expect(json(bySuperadmin).organizationId).toBe(orgA.id);
      secrets.push(json(bySuperadmin).secret);
      // The owner manages its own tenant's endpoint.
      expect((await t.call('GET', `/v1/webhooks/${hookA.id}`, { key: keyA })).statusCode).toBe(200);
      expect((await t.call('GET', `/v1/webhooks/${hookA.id}/deliveries`, { key: keyA })).statusCode).toBe(200);
    });

    it('never shows a secret again: not in GET, lists, deliveries, events, audit entries, or the stored row', async () => {
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
    });
  });
}
