import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { createTestApp, json, stores, type TestApp } from './helpers.js';

for (const store of stores) {
  describe(`API key rotation and rate limits on ${store}`, () => {
    let t: TestApp;
    let tenant: any;
    before(async () => {
      t = await createTestApp(store, { LANDLORD_RATE_LIMIT: '40' });
      tenant = json(await t.call('POST', '/v1/tenants', { body: { name: 'Rotating Co', apiKey: { name: 'main' } } }));
    });
    after(async () => {
      await t?.close();
    });

    it('rotates a key: the old secret stops at once without a grace period', async () => {
      const old = tenant.apiKey.secret;
      const res = await t.call('POST', `/v1/tenants/${tenant.id}/api-keys/${tenant.apiKey.id}/rotate`);
      expect(res.statusCode).toBe(200);
      const rotated = json(res);
      expect(rotated.id).toBe(tenant.apiKey.id);
      expect(rotated.secret).not.toBe(old);
      expect(rotated.prefix).toBe(rotated.secret.slice(0, 11));
      expect((await t.call('GET', '/v1/tenants/me', { key: old })).statusCode).toBe(401);
      expect((await t.call('GET', '/v1/tenants/me', { key: rotated.secret })).statusCode).toBe(200);
      tenant.apiKey.secret = rotated.secret;
    });

    it('keeps the old secret working for the grace period', async () => {
      const old = tenant.apiKey.secret;
      const rotated = json(await t.call('POST', `/v1/tenants/${tenant.id}/api-keys/${tenant.apiKey.id}/rotate`, { body: { gracePeriodSeconds: 3600 } }));
      expect((await t.call('GET', '/v1/tenants/me', { key: old })).statusCode).toBe(200);
      expect((await t.call('GET', '/v1/tenants/me', { key: rotated.secret })).statusCode).toBe(200);
      const bad = await t.call('POST', `/v1/tenants/${tenant.id}/api-keys/${tenant.apiKey.id}/rotate`, { body: { gracePeriodSeconds: -1 } });
      expect(bad.statusCode).toBe(422);
      const foreign = json(await t.call('POST', '/v1/tenants', { body: { name: 'Foreign Co', apiKey: {} } }));
      const cross = await t.call('POST', `/v1/tenants/${tenant.id}/api-keys/${foreign.apiKey.id}/rotate`, { key: rotated.secret });
      expect(cross.statusCode).toBe(404);
    });

    it('reports the per-credential budget and answers 429 with Retry-After when it is spent', async () => {
      const key = json(await t.call('POST', `/v1/tenants/${tenant.id}/api-keys`, { body: { name: 'limited' } })).secret;
      const first = await t.call('GET', '/v1/tenants/me', { key });
      expect(first.headers['ratelimit-limit']).toBe('40');
      expect(first.headers['ratelimit-remaining']).toBe('39');
      expect(Number(first.headers['ratelimit-reset'])).toBeGreaterThan(0);
      let last = first;
      // The bucket refills continuously (40 a minute); a few extra calls outrun the refill.
      for (let i = 0; i < 45 && last.statusCode !== 429; i++) last = await t.call('GET', '/v1/tenants/me', { key });
      expect(last.statusCode).toBe(429);
      expect(json(last).code).toBe('RATE_LIMITED');
      expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
      // Other credentials keep their own budget.
      expect((await t.call('GET', '/v1/tenants/me', { key: tenant.apiKey.secret })).statusCode).toBe(200);
    });
  });
}
