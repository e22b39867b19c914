import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { createTestApp, json, stores, type TestApp } from './helpers.js';

// Guessing is refused per address and per address+account before any password is hashed; a
// stranger guessing elsewhere never locks the real user out.

const PASSWORD = 'VerySecurePassword1999#';
const WRONG = 'WrongPassword1';

for (const store of stores) {
  describe(`sign-in throttling on ${store}`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(store);
      for (const [name, email] of [
        ['Throttle One', 'one@throttle.test'],
        ['Throttle Two', 'two@throttle.test'],
      ]) {
        const res = await t.call('POST', '/v1/tenants', { body: { name, owner: { email, password: PASSWORD } } });
        expect(res.statusCode).toBe(201);
      }
    });
    after(async () => {
      await t?.close();
    });

    const login = (email: string, password: string, ip: string) =>
      t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password }, remoteAddress: ip });

    it('evaluates only a handful of 40 parallel guesses from one address and refuses the rest before hashing', async () => {
      const ip = '198.51.100.9';
      const guesses = await Promise.all(Array.from({ length: 40 }, () => login('one@throttle.test', WRONG, ip)));
      const statuses = guesses.map((g) => g.statusCode);
      expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(35);
      expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
      const refused = guesses.find((g) => g.statusCode === 429)!;
      expect(json(refused).code).toBe('RATE_LIMITED');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      // The guessing address is locked out of this account even with the right password...
      const locked = await login('one@throttle.test', PASSWORD, ip);
      expect(locked.statusCode).toBe(429);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(60);
      // ...and the real user, from an address that has not failed, still signs in.
      expect((await login('one@throttle.test', PASSWORD, '192.0.2.44')).statusCode).toBe(200);
    });

    it('locks an address that guesses across accounts, and only that address', async () => {
      const ip = '198.51.100.77';
      const results: number[] = [];
      // Under the per-account budget each time, over the address's budget in all.
      for (let i = 0; i < 4; i++) results.push((await login('two@throttle.test', WRONG, ip)).statusCode);
      for (let i = 0; i < 4; i++) results.push((await login('one@throttle.test', WRONG, ip)).statusCode);
      for (let i = 0; i < 2; i++) results.push((await login('nobody@throttle.test', WRONG, ip)).statusCode);
      expect(results).toEqual(Array(10).fill(401));
      expect((await login('two@throttle.test', PASSWORD, ip)).statusCode).toBe(429);
      expect((await login('two@throttle.test', PASSWORD, '192.0.2.45')).statusCode).toBe(200);
    });

    it('counts an IPv6 client by its /64, so rotating through it does not reset the count', async () => {
      for (let i = 1; i <= 5; i++) expect((await login('two@throttle.test', WRONG, `2001:db8:77:1::${i}`)).statusCode).toBe(401);
      expect((await login('two@throttle.test', PASSWORD, '2001:db8:77:1:ffff::6')).statusCode).toBe(429);
      expect((await login('two@throttle.test', PASSWORD, '2001:db8:77:2::1')).statusCode).toBe(200);
    });

    it('does not let a client dodge the lock with X-Forwarded-For unless a proxy is trusted', async () => {
      const ip = '198.51.100.200';
      for (let i = 0; i < 5; i++) await login('two@throttle.test', WRONG, ip);
      const spoofed = await t.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email: 'two@throttle.test', password: PASSWORD },
        remoteAddress: ip,
        headers: { 'x-forwarded-for': '192.0.2.99' },
      });
      expect(spoofed.statusCode).toBe(429);
    });
  });

  describe(`LANDLORD_TRUST_PROXY on ${store}`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(store, { LANDLORD_TRUST_PROXY: '127.0.0.1,10.0.0.0/8' });
      await t.call('POST', '/v1/tenants', { body: { name: 'Proxied Co', owner: { email: 'proxied@throttle.test', password: PASSWORD } } });
    });
    after(async () => {
      await t?.close();
    });

    const viaProxy = (password: string, client: string, proxy = '10.1.2.3') =>
      t.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email: 'proxied@throttle.test', password },
        remoteAddress: proxy,
        headers: { 'x-forwarded-for': client },
      });

    it('throttles and audits the client address a trusted proxy forwards', async () => {
      for (let i = 0; i < 5; i++) expect((await viaProxy(WRONG, '203.0.113.10')).statusCode).toBe(401);
      expect((await viaProxy(PASSWORD, '203.0.113.10')).statusCode).toBe(429);
      // Another client behind the same proxy is not caught by the first one's lock.
      expect((await viaProxy(PASSWORD, '203.0.113.11')).statusCode).toBe(200);
      const entries = json(await t.call('GET', '/v1/audit-logs?action=auth.login')).results;
      expect(entries[0].ip).toBe('203.0.113.11');
      const failed = json(await t.call('GET', '/v1/audit-logs?action=auth.login_failed')).results;
      expect(failed.map((e: any) => e.ip)).toEqual(Array(5).fill('203.0.113.10'));
    });

    it('ignores X-Forwarded-For from an address that is not a trusted proxy', async () => {
      for (let i = 0; i < 5; i++) await viaProxy(WRONG, '203.0.113.20', '198.51.100.5');
      expect((await viaProxy(PASSWORD, '203.0.113.21', '198.51.100.5')).statusCode).toBe(429);
    });

    it('refuses a malformed LANDLORD_TRUST_PROXY naming the variable', async () => {
      const { loadConfig, ConfigError } = await import('../src/config.js');
      expect(() => loadConfig({ LANDLORD_TRUST_PROXY: '10.0.0.0/40' })).toThrow(ConfigError);
      expect(() => loadConfig({ LANDLORD_TRUST_PROXY: 'proxy.internal' })).toThrow(/LANDLORD_TRUST_PROXY/);
      expect(loadConfig({ LANDLORD_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    });
  });
}
