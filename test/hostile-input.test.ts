import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, json, stores, type TestApp } from './helpers.js';

// Input an attacker or a broken client sends: every answer is a 4xx problem, small and quick to
// produce, never a 500.

const PASSWORD = 'VerySecurePassword1999#';

function expectProblem(res: LightMyRequestResponse, status: number, what: string) {
  const summary = `${what}: ${res.statusCode} ${res.body.slice(0, 300)}`;
  expect({ summary, status: res.statusCode, type: res.headers['content-type'] }).toEqual({
    summary,
    status,
    type: expect.stringContaining('application/problem+json'),
  });
}

for (const store of stores) {
  describe(`hostile input on ${store}`, () => {
    let t: TestApp;
    let tenant: any;
    let memberCookie: string;
    before(async () => {
      t = await createTestApp(store);
      tenant = json(
        await t.call('POST', '/v1/tenants', { body: { name: 'Hostile Co', owner: { email: 'owner@hostile.test', password: PASSWORD }, apiKey: {} } }),
      );
      await t.call('POST', `/v1/tenants/${tenant.id}/users`, { body: { name: 'Mo Member', email: 'member@hostile.test', password: PASSWORD } });
      const login = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: 'member@hostile.test', password: PASSWORD } });
      memberCookie = String(login.headers['set-cookie']).split(';')[0]!;
    });
    after(async () => {
      await t?.close();
    });

    it('refuses leap seconds and year 0000 in every date with a field error', async () => {
      for (const value of [
        '2030-12-31T23:59:60Z',
        '0000-01-01T00:00:00Z',
        '2030-02-30T00:00:00Z',
        '2031-02-29T00:00:00Z',
        '9999-12-31T23:59:59-01:00',
        '0001-01-01T00:00:00+01:00',
      ]) {
        const key = await t.call('POST', `/v1/tenants/${tenant.id}/api-keys`, { body: { expiresAt: value } });
        expectProblem(key, 422, `expiresAt ${value}`);
        expect(json(key).errors[0]).toMatchObject({ field: 'expiresAt', code: 'BAD_FORMAT' });
        const q = encodeURIComponent(value);
        const list = await t.call('GET', `/v1/tenants?createdBefore=${q}`);
        expectProblem(list, 422, `createdBefore ${value}`);
        expect(json(list).errors[0]).toMatchObject({ field: 'createdBefore' });
        expectProblem(await t.call('GET', `/v1/audit-logs?from=${q}`), 422, `from ${value}`);
      }
      // Ordinary dates, offsets and a leap day still work.
      expect((await t.call('GET', `/v1/tenants?createdBefore=${encodeURIComponent('2028-02-29T23:59:59.999+01:00')}`)).statusCode).toBe(200);
    });

    it('treats a malformed session cookie as no credential', async () => {
      for (const cookie of ['landlord_session=%', 'landlord_session=%E0%A4%A', `landlord_session=${'%'.repeat(100)}`]) {
        const res = await t.app.inject({ method: 'GET', url: '/v1/tenants/me', headers: { cookie } });
        expectProblem(res, 401, cookie);
        expectProblem(await t.app.inject({ method: 'GET', url: '/v1/auth/session', headers: { cookie } }), 401, `session ${cookie}`);
      }
    });

    it('answers a huge invalid array with a short list of errors', async () => {
      const items = Array.from({ length: 300_000 }, () => 1);
      const res = await t.app.inject({
        method: 'PATCH',
        url: `/v1/tenants/${tenant.id}`,
        headers: { cookie: memberCookie, 'content-type': 'application/json' },
        payload: JSON.stringify({ legalEntities: items }),
      });
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(res.body.length).toBeLessThan(20_000);
      const many = await t.call('POST', '/v1/tenants', { body: { name: 'Many', legalEntities: Array.from({ length: 150 }, () => ({ bogus: 1 })) } });
      expectProblem(many, 422, 'many bad entities');
      expect(json(many).errors.length).toBeLessThanOrEqual(100);
    });

    it('answers 80,000 unknown keys at sign-in with a short problem', async () => {
      const body: Record<string, string> = { email: 'owner@hostile.test', password: 'x' };
      for (let i = 0; i < 80_000; i++) body[`k${i}`] = 'v';
      const res = await t.app.inject({ method: 'POST', url: '/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
      expectProblem(res, 422, 'unknown keys');
      expect(res.body.length).toBeLessThan(20_000);
      expect(json(res).errors.length).toBeLessThanOrEqual(100);
    });

    it('refuses unknown query parameters and NUL in a query value as field errors', async () => {
      const typo = await t.call('GET', '/v1/tenants?isactive=false');
      expectProblem(typo, 422, 'typo');
      expect(json(typo).errors).toEqual([expect.objectContaining({ field: 'isactive', code: 'UNKNOWN_FIELD' })]);
      expectProblem(await t.call('GET', `/v1/tenants/${tenant.id}?expand=users`), 422, 'param on a route without any');
      const nul = await t.call('GET', '/v1/tenants?search=a%00b');
      expectProblem(nul, 422, 'NUL');
      expect(json(nul).errors[0]).toMatchObject({ field: 'search', code: 'BAD_FORMAT' });
      // Declared parameters, aliases and metadata filters keep working.
      expect((await t.call('GET', '/v1/tenants?is_active=true&page_size=5&metadata[plan]=pro')).statusCode).toBe(200);
    });

    it('never answers 5xx to arbitrary dates, cookies, header values and arrays (property)', async () => {
      const date = fc.oneof(
        fc.date({ min: new Date(-62_198_755_200_000), max: new Date(253_402_300_799_000), noInvalidDate: true }).map((d) => d.toISOString()),
        fc
          .tuple(
            fc.integer({ min: 0, max: 9999 }),
            fc.integer({ min: 0, max: 13 }),
            fc.integer({ min: 0, max: 32 }),
            fc.integer({ min: 0, max: 25 }),
            fc.integer({ min: 0, max: 61 }),
            fc.integer({ min: 0, max: 61 }),
            fc.constantFrom('Z', '+00:00', '-23:59', '+24:00', 'z', ''),
          )
          .map(
            ([y, mo, d, h, mi, s, z]) =>
              `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}:${String(s).padStart(2, '0')}${z}`,
          ),
        fc.string({ maxLength: 30 }),
      );
      const headerValue = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 200 });
      await fc.assert(
        fc.asyncProperty(
          date,
          headerValue,
          headerValue,
          fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.constant(null)), { maxLength: 300 }),
          async (when, cookie, header, items) => {
            const responses = [
              await t.call('GET', `/v1/tenants?createdAfter=${encodeURIComponent(when)}`),
              await t.call('POST', `/v1/tenants/${tenant.id}/api-keys`, { body: { expiresAt: when } }),
              await t.call('GET', `/v1/audit-logs?to=${encodeURIComponent(when)}`),
              await t.app.inject({ method: 'GET', url: '/v1/tenants/me', headers: { cookie: `landlord_session=${cookie}` } }),
              await t.app.inject({ method: 'GET', url: '/v1/tenants/me', headers: { authorization: header } }),
              await t.app.inject({
                method: 'GET',
                url: '/v1/tenants',
                headers: { authorization: `Bearer ${t.rootKey}`, 'if-none-match': header, 'x-request-id': header, 'idempotency-key': header },
              }),
              await t.call('PATCH', `/v1/tenants/${tenant.id}`, { body: { legalEntities: items } }),
              await t.call('POST', '/v1/tenants/batch', { body: { items } }),
            ];
            for (const res of responses)
              expect({ status: res.statusCode, body: res.statusCode >= 500 ? res.body : '' }).toEqual({ status: expect.any(Number), body: '' });
          },
        ),
        { numRuns: 60 },
      );
    });
  });
}
