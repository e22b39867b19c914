import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { createTestApp, json, stores, type TestApp } from './helpers.js';

for (const store of stores) {
  describe(`client authentication at /oauth/token on ${store}`, () => {
    let t: TestApp;
    let key: { id: string; secret: string };
    before(async () => {
      t = await createTestApp(store);
      key = json(await t.call('POST', '/v1/tenants', { body: { name: 'Guessed Co', apiKey: {} } })).apiKey;
    });
    after(async () => {
      await t?.close();
    });

    const token = (secret: string, ip = '203.0.113.50') =>
      t.app.inject({
        method: 'POST',
        url: '/oauth/token',
        remoteAddress: ip,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `grant_type=client_credentials&client_id=${key.id}&client_secret=${encodeURIComponent(secret)}`,
      });

    // On PostgreSQL requests run side by side on several connections; that is where a budget
    // counting attempts in flight refused most of them.
    it('lets a client with the right secret ask for many tokens at once', async () => {
      const parallel = await Promise.all(Array.from({ length: 30 }, () => token(key.secret, '192.0.2.10')));
      expect(parallel.map((r) => r.statusCode)).toEqual(Array(30).fill(200));
    });

    it('refuses parallel guesses from one address beyond the budget, and locks that address out, not the client', async () => {
      expect((await token(key.secret)).statusCode).toBe(200);
      const guesses = await Promise.all(Array.from({ length: 20 }, (_, i) => token(`lk_wrong_guess_${i}_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa`)));
      const statuses = guesses.map((g) => g.statusCode);
      expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(15);
      const refused = await token(key.secret);
      expect(refused.statusCode).toBe(429);
      expect(json(refused).error).toBe('temporarily_unavailable');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      // The key's real holder, elsewhere, keeps getting tokens.
      expect((await token(key.secret, '198.51.100.77')).statusCode).toBe(200);
    });
  });
}
