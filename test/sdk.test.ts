import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { createLandlord, LandlordProblem, verifyWebhook, type Landlord } from '../sdk/src/index.js';
import { createWorker, type Worker } from '../src/modules/webhooks/worker.js';
import { createTestApp, type TestApp } from './helpers.js';
import { startReceiver, webhookHeaders, type Receiver } from './webhook-receiver.js';

describe('the TypeScript SDK against a running server', () => {
  let t: TestApp;
  let landlord: Landlord;
  let rx: Receiver;
  let worker: Worker;
  const sent: { method: string; idempotencyKey: string | null }[] = [];

  before(async () => {
    t = await createTestApp('pglite', { LANDLORD_WEBHOOKS_ALLOW_PRIVATE: 'true' }, { listen: true });
    rx = await startReceiver();
    worker = createWorker({
      db: t.deps.database.db,
      clock: t.deps.clock,
      secretBox: t.deps.secretBox,
      config: t.deps.config,
      listen: t.deps.database.listen,
      pollIntervalMs: 20,
    });
    worker.start();
    // Watches what goes over the wire; the requests themselves are the real ones.
    const watched: typeof fetch = (input, init) => {
      const request = input instanceof Request ? input : new Request(input, init);
      sent.push({ method: request.method, idempotencyKey: request.headers.get('idempotency-key') });
      return fetch(request);
    };
    landlord = createLandlord({ baseUrl: t.baseUrl, apiKey: t.rootKey, fetch: watched });
  });
  after(async () => {
    await worker?.stop();
    await rx?.close();
    await t?.close();
  });

  it('provisions a tenant with its owner and key, typed end to end, with an Idempotency-Key on every POST', async () => {
    const { api, unwrap } = landlord;
    const created = await unwrap(api.POST('/v1/tenants', { body: { name: 'Typed Co', apiKey: {}, owner: { email: 'owner@typed.example' } } }));
    expect(created.slug).toBe('typed-co');
    expect(created.apiKey?.secret).toMatch(/^lk_/);
    const tenant = await unwrap(api.GET('/v1/tenants/{id}', { params: { path: { id: created.id } } }));
    expect(tenant.name).toBe('Typed Co');
    const posts = sent.filter((r) => r.method === 'POST');
    expect(posts.length).toBeGreaterThan(0);
    expect(posts.every((r) => r.idempotencyKey && r.idempotencyKey.length > 10)).toBe(true);
    // A key given is kept: the same one twice is one tenant, the second answer a replay.
    const once = { name: 'Only Once', owner: { email: 'once@typed.example' } };
    const first = await api.POST('/v1/tenants', { body: once, headers: { 'Idempotency-Key': 'typed-once' } });
    const again = await api.POST('/v1/tenants', { body: once, headers: { 'Idempotency-Key': 'typed-once' } });
    expect([first.response.status, again.response.status, again.response.headers.get('idempotent-replayed')]).toEqual([201, 201, 'true']);
    expect(again.data?.id).toBe(first.data?.id);
  });

  it('walks every page of a listing with for await', async () => {
    for (let i = 0; i < 5; i++) await landlord.unwrap(landlord.api.POST('/v1/tenants', { body: { name: `Paged ${i}`, metadata: { batch: 'paged' } } }));
    const names: string[] = [];
    for await (const tenant of landlord.all('/v1/tenants', { params: { query: { limit: 2, ordering: 'name', 'metadata[batch]': 'paged' } as never } }))
      names.push(tenant.name);
    expect(names).toEqual(['Paged 0', 'Paged 1', 'Paged 2', 'Paged 3', 'Paged 4']);
  });

  it('throws problems typed, with their status, code and field errors', async () => {
    const missing = await landlord.unwrap(landlord.api.GET('/v1/tenants/{id}', { params: { path: { id: 'tnt_missing' } } })).catch((e) => e);
    expect(missing).toBeInstanceOf(LandlordProblem);
    expect([missing.status, missing.code]).toEqual([404, 'NOT_FOUND']);
    const invalid = await landlord.unwrap(landlord.api.POST('/v1/tenants', { body: { name: '' } })).catch((e) => e);
    expect([invalid.status, invalid.code, invalid.errors?.[0]?.field]).toEqual([422, 'VALIDATION', 'name']);
  });

  it('verifies a real webhook delivery and returns the typed event, and refuses a tampered one', async () => {
    const { api, unwrap } = landlord;
    const hook = await unwrap(api.POST('/v1/webhooks', { body: { url: rx.url('/sdk'), events: ['*'] } }));
    await unwrap(api.POST('/v1/webhooks/{id}/test', { params: { path: { id: hook.id } } }));
    await rx.waitFor((all) => all.some((r) => r.path === '/sdk'), 10_000, 'the test event');
    const [delivery] = rx.on('/sdk');
    const event = verifyWebhook(delivery.body, webhookHeaders(delivery), hook.secret);
    expect(event.type).toBe('webhook.test');
    if (event.type === 'webhook.test') expect(event.data.object.webhookId).toBe(hook.id);
    expect(() => verifyWebhook(delivery.body.replace('test', 'tost'), webhookHeaders(delivery), hook.secret)).toThrow();
  });
});
