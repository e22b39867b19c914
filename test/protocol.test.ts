import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { createTestApp, json, stores, type TestApp } from './helpers.js';
import { EVENT_TYPES } from '../src/operations.js';

for (const store of stores) {
  describe(`HTTP protocol on ${store}`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(store);
    });
    after(async () => {
      await t?.close();
    });

    const auth = () => ({ authorization: `Bearer ${t.rootKey}` });

    it('answers a body that is not JSON with 400 MALFORMED_JSON', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/tenants',
        headers: { ...auth(), 'content-type': 'application/json' },
        payload: '{"name": "broken",',
      });
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(json(res)).toMatchObject({ status: 400, code: 'MALFORMED_JSON', title: expect.any(String), requestId: expect.any(String) });
    });

    it('answers a wrong content type with 415 and an oversized body with 413', async () => {
      const wrong = await t.app.inject({
        method: 'POST',
        url: '/v1/tenants',
        headers: { ...auth(), 'content-type': 'text/plain' },
        payload: 'name=x',
      });
      expect(wrong.statusCode).toBe(415);
      expect(json(wrong).code).toBe('UNSUPPORTED_MEDIA_TYPE');
      const big = await t.app.inject({
        method: 'POST',
        url: '/v1/tenants',
        headers: { ...auth(), 'content-type': 'application/json' },
        payload: JSON.stringify({ name: 'big', description: 'x'.repeat(1024 * 1024) }),
      });
      expect(big.statusCode).toBe(413);
      expect(json(big).code).toBe('PAYLOAD_TOO_LARGE');
    });

    it('answers a known path with a wrong method with 405 and Allow', async () => {
      const res = await t.call('DELETE', '/v1/tenants');
      expect(res.statusCode).toBe(405);
      expect(res.headers.allow).toContain('GET');
      expect(res.headers.allow).toContain('POST');
      expect(json(res).code).toBe('METHOD_NOT_ALLOWED');
      const unknown = await t.call('GET', '/v1/nothing-here');
      expect(unknown.statusCode).toBe(404);
      expect(json(unknown).code).toBe('NOT_FOUND');
    });

    it('echoes X-Request-Id, or makes one, on every response including errors', async () => {
      const echoed = await t.call('GET', '/v1/tenants', { headers: { 'x-request-id': 'req-abc.123' } });
      expect(echoed.headers['x-request-id']).toBe('req-abc.123');
      const failed = await t.call('GET', '/v1/tenants/tnt_missing', { headers: { 'x-request-id': 'req-404' } });
      expect(failed.headers['x-request-id']).toBe('req-404');
      expect(json(failed).requestId).toBe('req-404');
      const made = await t.call('GET', '/healthz', { key: null });
      expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('requires a credential and accepts Token as an alias of Bearer', async () => {
      const none = await t.call('GET', '/v1/tenants', { key: null });
      expect(none.statusCode).toBe(401);
      expect(json(none).code).toBe('UNAUTHORIZED');
      const bad = await t.call('GET', '/v1/tenants', { key: 'lk_not-a-real-key-but-long-enough-to-be-checked' });
      expect(bad.statusCode).toBe(401);
      const token = await t.app.inject({ method: 'GET', url: '/v1/tenants', headers: { authorization: `Token ${t.rootKey}` } });
      expect(token.statusCode).toBe(200);
    });

    it('honours If-Match on PATCH, PUT and DELETE', async () => {
      const created = await t.call('POST', '/v1/tenants', { body: { name: 'Etagged' } });
      const id = json(created).id;
      const got = await t.call('GET', `/v1/tenants/${id}`);
      const etag = got.headers.etag as string;
      expect(etag).toBe(created.headers.etag);
      const stale = await t.call('PATCH', `/v1/tenants/${id}`, { body: { description: 'x' }, headers: { 'if-match': '"stale"' } });
      expect(stale.statusCode).toBe(412);
      expect(json(stale).code).toBe('PRECONDITION_FAILED');
      const ok = await t.call('PATCH', `/v1/tenants/${id}`, { body: { description: 'x' }, headers: { 'if-match': etag } });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers.etag).not.toBe(etag);
      const put = await t.call('PUT', `/v1/tenants/${id}`, { body: { name: 'Etagged' }, headers: { 'if-match': etag } });
      expect(put.statusCode).toBe(412);
      const del = await t.call('DELETE', `/v1/tenants/${id}`, { headers: { 'if-match': etag } });
      expect(del.statusCode).toBe(412);
      expect((await t.call('DELETE', `/v1/tenants/${id}`, { headers: { 'if-match': ok.headers.etag as string } })).statusCode).toBe(204);
    });

    it('replays an idempotent POST with the first status and body', async () => {
      const headers = { 'idempotency-key': 'create-replay-1' };
      const first = await t.call('POST', '/v1/tenants', { body: { name: 'Idem One', apiKey: {} }, headers });
      expect(first.statusCode).toBe(201);
      const second = await t.call('POST', '/v1/tenants', { body: { name: 'Idem One', apiKey: {} }, headers });
      expect(second.statusCode).toBe(201);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(second.headers.location).toBe(first.headers.location);
      expect(second.body).toBe(first.body);
      const list = json(await t.call('GET', '/v1/tenants?search=idem%20one'));
      expect(list.count).toBe(1);
      // The stored response holds a one-time secret: it must not sit in the database in the clear.
      const rows = await t.deps.database.db.selectFrom('idempotency_keys').select('response_body').execute();
      expect(rows.map((r) => r.response_body).join('\n')).not.toContain(json(first).apiKey.secret);
    });

    it('refuses the same key with a different body, and replays errors too', async () => {
      const headers = { 'idempotency-key': 'create-reuse-1' };
      expect((await t.call('POST', '/v1/tenants', { body: { name: 'Idem Two' }, headers })).statusCode).toBe(201);
      const reused = await t.call('POST', '/v1/tenants', { body: { name: 'Idem Three' }, headers });
      expect(reused.statusCode).toBe(422);
      expect(json(reused).code).toBe('IDEMPOTENCY_KEY_REUSED');
      const bad = { 'idempotency-key': 'bad-body-1' };
      const e1 = await t.call('POST', '/v1/tenants', { body: { name: '' }, headers: bad });
      const e2 = await t.call('POST', '/v1/tenants', { body: { name: '' }, headers: bad });
      expect(e1.statusCode).toBe(422);
      expect(e2.statusCode).toBe(422);
      const tooLong = await t.call('POST', '/v1/tenants', { body: { name: 'x' }, headers: { 'idempotency-key': 'k'.repeat(256) } });
      expect(tooLong.statusCode).toBe(422);
    });

    it('keeps idempotency keys per credential', async () => {
      const org = json(await t.call('POST', '/v1/organizations', { body: { name: 'Idem Org' } }));
      const key = json(await t.call('POST', `/v1/organizations/${org.id}/api-keys`, { body: {} })).secret;
      const headers = { 'idempotency-key': 'shared-key' };
      const a = await t.call('POST', '/v1/tenants', { body: { name: 'Idem Per Principal' }, headers });
      const b = await t.call('POST', '/v1/tenants', { body: { name: 'Idem Per Principal' }, headers, key });
      expect(a.statusCode).toBe(201);
      expect(b.statusCode).toBe(201);
      expect(b.headers['idempotent-replayed']).toBeUndefined();
      expect(json(a).id).not.toBe(json(b).id);
    });

    it('creates one tenant for one key under 8 concurrent requests', async () => {
      const headers = { 'idempotency-key': 'concurrent-1' };
      const responses = await Promise.all(Array.from({ length: 8 }, () => t.call('POST', '/v1/tenants', { body: { name: 'Idem Concurrent' }, headers })));
      const statuses = responses.map((r) => r.statusCode);
      expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
      for (const r of responses.filter((x) => x.statusCode === 409)) expect(json(r).code).toBe('IDEMPOTENCY_IN_PROGRESS');
      const ids = new Set(responses.filter((r) => r.statusCode === 201).map((r) => json(r).id));
      expect(ids.size).toBe(1);
      const list = json(await t.call('GET', '/v1/tenants?search=idem%20concurrent'));
      expect(list.count).toBe(1);
      const replay = await t.call('POST', '/v1/tenants', { body: { name: 'Idem Concurrent' }, headers });
      expect(replay.statusCode).toBe(201);
      expect(json(replay).id).toBe([...ids][0]);
    });

    it('serves health, readiness, metrics and a complete OpenAPI document', async () => {
      expect(json(await t.call('GET', '/healthz', { key: null }))).toEqual({ status: 'ok' });
      expect(json(await t.call('GET', '/readyz', { key: null }))).toEqual({ status: 'ready' });
      // Metrics are not for anyone who asks (LANDLORD_METRICS_TOKEN or LANDLORD_METRICS_PORT: test/metrics.test.ts).
      const metrics = await t.call('GET', '/metrics', { key: null });
      expect(metrics.statusCode).toBe(401);
      expect(json(metrics).code).toBe('UNAUTHORIZED');
      const doc = json(await t.call('GET', '/openapi.json', { key: null }));
      expect(doc.openapi).toBe('3.1.0');
      const paths = Object.keys(doc.paths);
      for (const p of [
        '/v1/tenants',
        '/v1/tenants/{id}',
        '/v1/tenants/me',
        '/v1/tenants/batch',
        '/v1/tenants/{id}/export',
        '/v1/organizations',
        '/v1/organizations/{id}/api-keys',
        '/healthz',
        '/readyz',
        '/metrics',
      ]) {
        expect(paths).toContain(p);
      }
      for (const [path, ops] of Object.entries<any>(doc.paths)) {
        for (const [method, op] of Object.entries<any>(ops)) {
          expect(op.responses['500']).toBeDefined();
          // Errors are problem documents, and the document says so.
          // (OAuth's endpoints answer errors as OAuth says, in application/json.)
          const errorType = path.startsWith('/oauth/') ? 'application/json' : 'application/problem+json';
          expect([path, method, Object.keys(op.responses['500'].content ?? {})]).toEqual([path, method, [errorType]]);
          // Every answer carries X-Request-Id; /v1 answers the rate-limit headers; every /v1 POST takes an Idempotency-Key.
          for (const response of Object.values<any>(op.responses)) expect(response.headers?.['X-Request-Id']).toBeDefined();
          if (path.startsWith('/v1/')) expect(op.responses['429'].headers['Retry-After']).toBeDefined();
          if (path.startsWith('/v1/') && method === 'post') {
            expect([path, op.parameters?.some((p: any) => p.$ref === '#/components/parameters/IdempotencyKey')]).toEqual([path, true]);
          }
          if (path.startsWith('/v1')) {
            for (const status of ['400', '401', '403', '404', '405', '409', '412', '413', '415', '422', '429', '503']) {
              expect([path, method, status, op.responses[status] !== undefined]).toEqual([path, method, status, true]);
            }
          }
        }
      }
      // Every request and success body is a named schema, and every response says what it is.
      for (const [path, ops] of Object.entries<any>(doc.paths)) {
        for (const [method, op] of Object.entries<any>(ops)) {
          for (const media of Object.values<any>(op.requestBody?.content ?? {}))
            expect([path, method, media.schema.$ref]).toEqual([path, method, expect.any(String)]);
          for (const [status, response] of Object.entries<any>(op.responses)) {
            expect([path, method, status, response.description]).not.toEqual([path, method, status, 'Default Response']);
            if (!status.startsWith('2')) continue;
            for (const media of Object.values<any>(response.content ?? {}))
              expect([path, method, status, media.schema.$ref]).toEqual([path, method, status, expect.any(String)]);
          }
        }
      }
      // If-Match where it is honoured, and the ETag it is compared with.
      const single = doc.paths['/v1/tenants/{id}'];
      for (const method of ['put', 'patch', 'delete']) expect(single[method].parameters.map((p: any) => p.$ref)).toContain('#/components/parameters/IfMatch');
      expect(single.get.responses['200'].headers.ETag).toEqual({ $ref: '#/components/headers/ETag' });
      expect(doc.components.parameters.IdempotencyKey).toMatchObject({ name: 'Idempotency-Key', in: 'header' });
      // The webhooks section: every event type, and what is really sent matches its schema.
      expect(Object.keys(doc.webhooks).sort()).toEqual([...EVENT_TYPES].sort());
      expect(Object.keys(doc.components.schemas.WebhookEvent.discriminator.mapping).sort()).toEqual([...EVENT_TYPES].sort());
      const made = json(await t.call('POST', '/v1/tenants', { body: { name: 'Schema Checked', owner: { email: 'owner@schema.example' } } }));
      await t.call('PATCH', `/v1/tenants/${made.id}`, { body: { description: 'checked' } });
      const ajv = new Ajv({ strict: false, allErrors: true });
      (addFormatsModule as unknown as typeof addFormatsModule.default)(ajv);
      ajv.addFormat('http-url', true);
      ajv.addSchema(doc, 'openapi');
      for (const type of ['tenant.created', 'tenant.updated', 'user.created']) {
        const [event] = json(await t.call('GET', `/v1/events?type=${type}&tenantId=${made.id}`)).results;
        const { sequence: _s, ...delivered } = event;
        const validate = ajv.getSchema(`openapi#/components/schemas/Event_${type.replace('.', '_')}`)!;
        expect([type, validate(event), validate.errors ?? null]).toEqual([type, true, null]);
        expect(validate(delivered)).toBe(true);
        expect(validate({ ...event, type: 'tenant.purged' })).toBe(false);
        expect(validate({ ...event, data: { object: { id: 1 } } })).toBe(false);
      }
      const docs = await t.call('GET', '/docs/', { key: null });
      expect(docs.statusCode).toBe(200);
      expect(docs.body).toContain('<html');
    });
  });
}
