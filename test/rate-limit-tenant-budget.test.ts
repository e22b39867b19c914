import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import Fastify, { type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { registerAuth } from '../src/http/auth.js';
import { registerErrorHandler } from '../src/http/error-handler.js';
import { registerRateLimit } from '../src/http/rate-limit.js';
import { createMemoryRateLimitStore, type RateLimitStore } from '../src/http/rate-limit-store.js';
import { REDIS_KEY_PREFIX, createRedisRateLimitStore } from '../src/http/redis-rate-limit-store.js';
import { systemClock } from '../src/lib/clock.js';
import { randomToken } from '../src/lib/crypto.js';
import type { Principal } from '../src/modules/access/principal.js';

// The seam for a tenant's requestsPerMinute: registerRateLimit's `tenantBudget`. Credentials of
// one tenant share its budget besides their own; the answer reports whichever bucket is tighter.

const stores: { name: string; open(): RateLimitStore }[] = [{ name: 'the process', open: () => createMemoryRateLimitStore(systemClock) }];
if (process.env.TEST_REDIS_URL) stores.push({ name: 'Redis', open: () => createRedisRateLimitStore(process.env.TEST_REDIS_URL!) });

const PER_CREDENTIAL = 5;

for (const { name, open } of stores) {
  describe(`tenant budgets counted in ${name}`, () => {
    const run = randomToken(8);
    const tenant = { limited: `t-limited-${run}`, generous: `t-generous-${run}`, unlimited: `t-unlimited-${run}` };
    const budgets = new Map<string, number | null>([
      [tenant.limited, 3],
      [tenant.generous, 100],
      [tenant.unlimited, null],
    ]);
    const asked: string[] = [];
    let store: RateLimitStore;
    let app: FastifyInstance;

    before(async () => {
      store = open();
      await store.ready();
      app = Fastify();
      registerErrorHandler(app);
      // The credential is "<credential id>@<tenant id>" (no tenant: an organization-wide caller).
      registerAuth(app, async ({ authorization }) => {
        const [id, tenantId] = authorization!.replace(/^Bearer /, '').split('@');
        return {
          kind: 'api_key',
          id: `${id}-${run}`,
          userId: null,
          role: tenantId ? 'owner' : 'admin',
          organizationId: 'org',
          tenantId: tenantId ?? null,
          scopes: new Set(),
        };
      });
      registerRateLimit(app, {
        perMinute: PER_CREDENTIAL,
        store,
        tenantBudget: (principal: Principal) => {
          asked.push(principal.tenantId!);
          return budgets.get(principal.tenantId!) ?? null;
        },
      });
      app.get('/', async () => ({ ok: true }));
      await app.ready();
    });

    after(async () => {
      await app?.close();
      await store?.close();
      if (process.env.TEST_REDIS_URL && name === 'Redis') {
        const redis = new Redis(process.env.TEST_REDIS_URL);
        const keys = await redis.keys(`${REDIS_KEY_PREFIX}*-${run}*`);
        if (keys.length) await redis.del(...keys);
        await redis.quit();
      }
    });

    const call = (credential: string) => app.inject({ method: 'GET', url: '/', headers: { authorization: `Bearer ${credential}` } });

    it('stops every credential of a tenant once the tenant budget is spent, and reports the tenant bucket', async () => {
      const a = `a@${tenant.limited}`;
      const b = `b@${tenant.limited}`;
      const first = await call(a);
      expect(first.statusCode).toBe(200);
      // Credential 4 of 5 left, tenant 2 of 3: the tenant is tighter.
      expect(first.headers['ratelimit-limit']).toBe('3');
      expect(first.headers['ratelimit-remaining']).toBe('2');
      expect((await call(b)).headers['ratelimit-remaining']).toBe('1');
      expect((await call(a)).headers['ratelimit-remaining']).toBe('0');

      // b has spent one of its own five, yet the tenant is empty.
      const refused = await call(b);
      expect(refused.statusCode).toBe(429);
      expect(refused.json().code).toBe('RATE_LIMITED');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.headers['ratelimit-limit']).toBe('3');
      expect(refused.headers['ratelimit-remaining']).toBe('0');
      expect((await call(`c@${tenant.limited}`)).statusCode).toBe(429);
      expect(asked.every((t) => t === tenant.limited)).toBe(true);
    });

    it('reports the credential bucket when it is the tighter one, and refuses on it alone', async () => {
      const key = `d@${tenant.generous}`;
      const seen: string[] = [];
      for (let i = 0; i < PER_CREDENTIAL; i++) {
        const res = await call(key);
        expect(res.statusCode).toBe(200);
        expect(res.headers['ratelimit-limit']).toBe(String(PER_CREDENTIAL));
        seen.push(String(res.headers['ratelimit-remaining']));
      }
      expect(seen).toEqual(['4', '3', '2', '1', '0']);
      expect((await call(key)).statusCode).toBe(429);
      // Another credential of the tenant is not held up: the tenant has 95 left.
      const other = await call(`e@${tenant.generous}`);
      expect(other.statusCode).toBe(200);
      expect(other.headers['ratelimit-limit']).toBe(String(PER_CREDENTIAL));
    });

    it('leaves tenants without a budget, and callers bound to no tenant, to the per-credential limit', async () => {
      const before = asked.length;
      const res = await call(`f@${tenant.unlimited}`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['ratelimit-limit']).toBe(String(PER_CREDENTIAL));
      expect(asked.length).toBe(before + 1);
      const orgWide = await call('g');
      expect(orgWide.statusCode).toBe(200);
      expect(orgWide.headers['ratelimit-limit']).toBe(String(PER_CREDENTIAL));
      expect(asked.length).toBe(before + 1); // not asked for a caller without a tenant
    });
  });
}
