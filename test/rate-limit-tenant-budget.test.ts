import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { createTestApp, json, type TestApp } from './helpers.js';

// A tenant's limits.requestsPerMinute: every credential of the tenant draws on one budget, beside
// its own per-credential limit, and the answer reports whichever bucket is tighter. Counted in the
// process, and in Redis when LANDLORD_REDIS_URL is set (the test's Redis, when there is one).

const PER_CREDENTIAL = 50;
const places: { name: string; env: Record<string, string> }[] = [{ name: 'the process', env: {} }];
if (process.env.TEST_REDIS_URL) places.push({ name: 'Redis', env: { LANDLORD_REDIS_URL: process.env.TEST_REDIS_URL } });

for (const { name, env } of places) {
  describe(`tenant request budgets counted in ${name}`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp('pglite', { LANDLORD_RATE_LIMIT: String(PER_CREDENTIAL), ...env });
    });
    after(async () => {
      await t?.close();
    });

    /** A tenant with `limits` and two API keys of its own. */
    async function tenantWithKeys(tenantName: string, limits: object) {
      const tenant = json(await t.call('POST', '/v1/tenants', { body: { name: `${tenantName} ${Date.now()}`, limits, apiKey: { name: 'a' } } }));
      const second = json(await t.call('POST', `/v1/tenants/${tenant.id}/api-keys`, { body: { name: 'b' } }));
      return { id: tenant.id as string, a: tenant.apiKey.secret as string, b: second.secret as string };
    }
    const me = (key: string) => t.call('GET', '/v1/tenants/me', { key });
    const remaining = (res: { headers: Record<string, unknown> }) => [res.headers['ratelimit-limit'], res.headers['ratelimit-remaining']];

    it('stops every credential of a tenant once its budget is spent, and reports the tenant bucket', async () => {
      const tenant = await tenantWithKeys('Budgeted', { requestsPerMinute: 3 });
      expect(remaining(await me(tenant.a))).toEqual(['3', '2']);
      expect(remaining(await me(tenant.b))).toEqual(['3', '1']);
      expect(remaining(await me(tenant.a))).toEqual(['3', '0']);
      // b has spent one of its own fifty, yet the tenant's budget is gone.
      const refused = await me(tenant.b);
      expect(refused.statusCode).toBe(429);
      expect(json(refused).code).toBe('RATE_LIMITED');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(remaining(refused)).toEqual(['3', '0']);
      // A key made now shares the same budget.
      const third = json(await t.call('POST', `/v1/tenants/${tenant.id}/api-keys`, { body: { name: 'c' } }));
      expect((await me(third.secret)).statusCode).toBe(429);
      // Other tenants, and the organization's callers, are not held up.
      expect((await t.call('GET', `/v1/tenants/${tenant.id}`)).statusCode).toBe(200);
    });

    it('reports the per-credential bucket for tenants without a budget or with a larger one', async () => {
      const none = await tenantWithKeys('Unbudgeted', {});
      expect(remaining(await me(none.a))).toEqual([String(PER_CREDENTIAL), String(PER_CREDENTIAL - 1)]);
      const generous = await tenantWithKeys('Generous', { requestsPerMinute: 1000 });
      expect(remaining(await me(generous.a))[0]).toBe(String(PER_CREDENTIAL));
    });

    it('applies a new budget from the next request, through the plan or the tenant', async () => {
      await t.call('POST', '/v1/plans', { body: { key: 'metered', name: 'Metered' } });
      const tenant = await tenantWithKeys('Changing', {});
      expect((await me(tenant.a)).statusCode).toBe(200);
      await t.call('PATCH', `/v1/tenants/${tenant.id}`, { body: { plan: 'metered' } });
      await t.call('PATCH', `/v1/plans/metered`, { body: { limits: { requestsPerMinute: 1 } } });
      expect(remaining(await me(tenant.a))).toEqual(['1', '0']);
      expect((await me(tenant.b)).statusCode).toBe(429);
      // Zero allows nothing at all.
      await t.call('PATCH', `/v1/tenants/${tenant.id}`, { body: { limits: { requestsPerMinute: 0 } } });
      const nothing = await me(tenant.a);
      expect([nothing.statusCode, json(nothing).code]).toEqual([429, 'RATE_LIMITED']);
    });
  });
}
