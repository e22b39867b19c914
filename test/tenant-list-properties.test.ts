import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import { stores, type TestApp } from './helpers.js';
import { expectProblem, longString, NUM_RUNS, usePropertiesFixture, weirdString } from './support/tenant-properties.js';

// Property tests against the real app (inject, real database): whatever text a client puts into
// the tenant list's filters or a tenant id, the answer is a 200 or a 4xx problem, never a 500.

for (const store of stores) {
  describe(`tenant list properties on ${store}`, () => {
    const fx = usePropertiesFixture(store);
    let t: TestApp;
    before(() => {
      ({ t } = fx);
    });

    it('answers any text in tenant list filters and ids with 200 or a 4xx problem; never a 500', async () => {
      const text = fc.oneof(
        fc.string({ maxLength: 30 }),
        fc.string({ unit: 'binary', maxLength: 30 }),
        weirdString.filter((s) => !/[\ud800-\udfff]/.test(s)),
        longString,
      );
      const target = fc.constantFrom('search', 'externalId', 'metadataValue', 'metadataKey', 'id', 'rawId', 'ordering');
      const raw = fc.stringMatching(/^(%[0-9A-Fa-f]{0,2}|[a-z]){1,8}$/);
      await fc.assert(
        fc.asyncProperty(target, text, raw, async (where, s, rawText) => {
          const v = encodeURIComponent(s);
          const url = {
            search: `/v1/tenants?search=${v}`,
            externalId: `/v1/tenants?externalId=${v}`,
            metadataValue: `/v1/tenants?metadata%5Bplan%5D=${v}`,
            metadataKey: `/v1/tenants?metadata%5B${v}%5D=x`,
            id: `/v1/tenants/${v}`,
            rawId: `/v1/tenants/${rawText}`,
            ordering: `/v1/tenants?ordering=${v}`,
          }[where]!;
          const res = await t.call('GET', url);
          if (res.statusCode === 200) return;
          expectProblem(res);
        }),
        { numRuns: NUM_RUNS },
      );
    });
  });
}
