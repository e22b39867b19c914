import { before, describe, it } from 'node:test';
import { expect } from 'expect';
import { Webhook } from 'standardwebhooks';
import { json, stores, type TestApp } from './helpers.js';
import { freePort } from './support/processes.js';
import { expectSecretsNeverShown, settled, useWebhookFixture } from './support/webhooks.js';
import { webhookHeaders, type Receiver } from './webhook-receiver.js';

// Webhook delivery by the worker: retries and their schedule, failures of every kind, the
// resolved-address pinning, manual pings and retries, and disabling endpoints that keep failing.
for (const store of stores) {
  describe(`webhook delivery on ${store}`, () => {
    const fx = useWebhookFixture(store);
    const { secrets, createHook, ping, waitForDelivery, startWorker } = fx;
    let t: TestApp;
    let rx: Receiver;
    before(() => {
      ({ t, rx } = fx);
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
      // The log shows the body the receiver got, its keys in the same order, and not the signing secret.
      expect(delivery.payload).toEqual(JSON.parse(got[0].body));
      expect(JSON.stringify(delivery.payload)).toBe(JSON.stringify(JSON.parse(got[0].body)));
      expect(delivery.payload).toMatchObject({ id: eventId, type: 'webhook.test', data: { object: expect.any(Object) } });
      expect(JSON.stringify(delivery)).not.toContain(hook.secret);
      // 100 ms and 200 ms, each ±20 %.
      expect(got[1].at - got[0].at).toBeGreaterThanOrEqual(75);
      expect(got[2].at - got[1].at).toBeGreaterThanOrEqual(155);
    });

    it('logs one line per delivery attempt, with its outcome and never the secret', async () => {
      const lines: { level: string; msg: string; obj: any }[] = [];
      const collect = (level: string) => (obj: object, msg: string) => void lines.push({ level, msg, obj });
      await fx.worker?.stop();
      const logged = startWorker({}, { log: { info: collect('info'), warn: collect('warn'), error: collect('error') } });
      try {
        rx.handle('/logged', (_r, n) => (n === 1 ? { status: 500, body: 'boom' } : { status: 204 }));
        const hook = await createHook('/logged');
        const { deliveryId } = await ping(hook.id);
        await waitForDelivery(hook.id, deliveryId, settled);
        const attempts = lines.filter((l) => l.obj.deliveryId === deliveryId);
        expect(attempts.map((l) => [l.level, l.msg, l.obj.attempt, l.obj.statusCode, l.obj.next])).toEqual([
          ['warn', 'webhook delivery attempt failed', 1, 500, 'pending'],
          ['info', 'webhook delivered', 2, 204, 'succeeded'],
        ]);
        expect(JSON.stringify(lines)).not.toContain(hook.secret);
      } finally {
        await logged.stop();
        fx.worker = startWorker();
      }
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

    it('resolves a host name once and connects to that address; without the allow flag a private answer is refused', async () => {
      const named = await createHook('/pinned', { url: `http://hooks.test:${rx.port}/pinned` });
      const literal = await createHook('/literal');
      // Allowed: hooks.test exists only in the worker's lookup, so arriving proves the socket used that answer.
      const ok = await ping(named.id);
      await waitForDelivery(named.id, ok.deliveryId, (d) => d.status === 'succeeded');
      expect(rx.on('/pinned')).toHaveLength(1);

      await fx.worker.stop();
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
        fx.worker = startWorker();
      }
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
      await fx.worker.stop();
      let restarted = false;
      try {
        const hook = await createHook('/muted');
        const { deliveryId } = await ping(hook.id);
        expect((await t.call('PATCH', `/v1/webhooks/${hook.id}`, { body: { isEnabled: false } })).statusCode).toBe(200);
        expect((await t.call('POST', `/v1/webhooks/${hook.id}/test`)).statusCode).toBe(409);
        fx.worker = startWorker();
        restarted = true;
        const dropped = await waitForDelivery(hook.id, deliveryId, settled);
        expect(dropped).toMatchObject({
          status: 'failed',
          attempts: [expect.objectContaining({ statusCode: null, error: 'Not sent: the endpoint is disabled' })],
        });
        expect(rx.on('/muted')).toEqual([]);
        expect(json(await t.call('GET', `/v1/webhooks/${hook.id}`)).failingSince).toBeNull();
      } finally {
        if (!restarted) fx.worker = startWorker();
      }
    });

    it('disables an endpoint that keeps failing for longer than the disable-after time, with a webhook.disabled event', async () => {
      await fx.worker.stop();
      fx.worker = startWorker({ webhookDisableAfterMs: 400 });
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
        await fx.worker.stop();
        fx.worker = startWorker();
      }
    });

    it("holds what a deleted tenant's own endpoints would receive, and delivers it after a restore", async () => {
      const tenant = json(await t.call('POST', '/v1/tenants', { body: { name: 'Held Deliveries' } }));
      const own = await createHook('/held', { events: ['tenant.deleted', 'tenant.restored'] }, `/v1/tenants/${tenant.id}/webhooks`);
      await createHook('/watching', { events: ['tenant.deleted', 'tenant.restored'] });
      const about = (path: string, type: string) => rx.on(path).filter((r) => r.json.type === type && r.json.tenantId === tenant.id);

      expect((await t.call('DELETE', `/v1/tenants/${tenant.id}`)).statusCode).toBe(204);
      // The organization's endpoint hears of the deletion; the tenant's own is held, not failed.
      await rx.waitFor(() => about('/watching', 'tenant.deleted').length === 1, 10_000, 'tenant.deleted at the organization endpoint');
      const held = await t.deps.database.db.selectFrom('deliveries').select(['status', 'attempts']).where('webhook_id', '=', own.id).execute();
      expect(held).toEqual([{ status: 'pending', attempts: 0 }]);
      expect(rx.on('/held')).toEqual([]);

      expect((await t.call('POST', `/v1/tenants/${tenant.id}/restore`)).statusCode).toBe(200);
      await rx.waitFor(
        () =>
          about('/held', 'tenant.restored').length === 1 && about('/held', 'tenant.deleted').length === 1 && about('/watching', 'tenant.restored').length === 1,
        10_000,
        'the held deliveries and the restore',
      );
    });

    it('never shows a secret again: not in GET, lists, deliveries, events, audit entries, or the stored row', () => expectSecretsNeverShown(t, secrets));
  });
}
