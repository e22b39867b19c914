import { before, describe, it } from 'node:test';
import { expect } from 'expect';
import fc from 'fast-check';
import { json, stores, type TestApp } from './helpers.js';
import {
  bodyArb,
  chars,
  expectDomainRules,
  expectProblem,
  lastWins,
  longString,
  loneSurrogate,
  NUM_RUNS,
  removedByParser,
  SLUG,
  storableText,
  toJson,
  usePropertiesFixture,
} from './support/tenant-properties.js';

// Property tests against the real app (inject, real database): whatever a client puts into a
// tenant create body, the answer is a 201 that respects the domain rules or a 4xx problem, never a 500.

for (const store of stores) {
  describe(`tenant create properties on ${store}`, () => {
    const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
    const fx = usePropertiesFixture(store);
    const { post } = fx;
    let t: TestApp;
    before(() => {
      ({ t } = fx);
    });

    it('answers any create body with a 201 that keeps the domain rules, or a 4xx problem; never a 500', async (ctx) => {
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(bodyArb, async ({ fields }) => {
          const text = `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`;
          const res = await post(text);
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          if (res.statusCode !== 201) {
            expectProblem(res);
            return;
          }
          const created = json(res);
          let deleted: { statusCode: number } | undefined;
          try {
            expectDomainRules(created);

            // What was acknowledged is what the client sent (the JSON parser drops `__proto__` keys,
            // and `constructor` keys holding a `prototype`, as prototype-poisoning protection).
            const sent = lastWins(fields);
            expect(created.name).toBe(sent.get('name'));
            if (sent.has('slug')) expect(created.slug).toBe(sent.get('slug'));
            expect(created.externalId).toBe(sent.has('externalId') ? sent.get('externalId') : null);
            const sentMetadata = sent.get('metadata');
            const expectedMetadata =
              sentMetadata && typeof sentMetadata === 'object' && 'obj' in sentMetadata
                ? Object.fromEntries([...lastWins(sentMetadata.obj)].filter(([k, v]) => !removedByParser(k, v)))
                : {};
            expect(created.metadata).toEqual(expectedMetadata);

            // ...and what is stored afterwards.
            const stored = await t.call('GET', `/v1/tenants/${created.id}`);
            expect(stored.statusCode).toBe(200);
            const { dashboardUrl: _d, apiKey: _k, ...plain } = created;
            expect(json(stored)).toEqual(plain);
          } catch (error) {
            // Say what the service answered, so a failing case explains itself.
            throw new Error(`${(error as Error).message}\nrequest: ${text}\nresponse: ${res.body}`);
          } finally {
            // Leave the name and slug free for later runs, even when this one failed.
            deleted = await t.call('DELETE', `/v1/tenants/${created.id}?purge=true`);
          }
          expect(deleted?.statusCode).toBe(204);
        }),
        { numRuns: NUM_RUNS },
      );
      ctx.diagnostic(`statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
      // Not vacuous: both accepted and rejected bodies were exercised.
      expect(statuses.get(201) ?? 0).toBeGreaterThanOrEqual(NUM_RUNS / 10);
      expect(statuses.get(422) ?? 0).toBeGreaterThanOrEqual(NUM_RUNS / 10);
      // Keys like __proto__ never reach Object.prototype.
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
    });

    it('rejects text that cannot be stored (NUL, unpaired surrogates) with a 422 naming the field', async () => {
      const bad = fc.oneof(
        fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })).map(([a, b]) => `${a}\u0000${b}`),
        fc.tuple(fc.string({ maxLength: 10 }), loneSurrogate, fc.string({ maxLength: 10 })).map(([a, s, b]) => `x${a}${s}${b}`),
      );
      const where = fc.constantFrom('name', 'description', 'displayName', 'metadata.value', 'metadata.key', 'legalEntities');
      await fc.assert(
        fc.asyncProperty(bad, where, fc.uuid(), async (text, place, id) => {
          const name = place === 'name' ? `${text} ${id}` : `Unstorable ${id}`;
          const body: Record<string, unknown> = { name };
          if (place === 'description' || place === 'displayName') body[place] = text;
          if (place === 'metadata.value') body.metadata = { note: text };
          if (place === 'metadata.key') body.metadata = { [text]: 'v' };
          if (place === 'legalEntities') body.legalEntities = [{ name: text, registrationNumber: '1' }];
          const res = await post(JSON.stringify(body));
          expectProblem(res);
          expect(res.statusCode).toBe(422);
          const fields = json(res).errors.map((e: any) => e.field as string);
          const expectedField =
            { 'metadata.value': 'metadata.note', 'metadata.key': 'metadata', legalEntities: 'legalEntities.0.name' }[place as string] ?? place;
          expect(fields.some((f: string) => f === expectedField || f.startsWith(`${expectedField}.`))).toBe(true);
        }),
        { numRuns: 60 },
      );
    });

    it('derives a valid slug from any non-blank name', async () => {
      const storable = (s: string) => /\S/u.test(s) && storableText(s);
      const name = fc
        .oneof(
          fc.string({ minLength: 1, maxLength: 200 }),
          fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }),
          fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }),
          longString,
          fc.constantFrom('---', '___', '-_-a', 'ÅÄÖ', 'İ', 'ß', 'ﬃ', '😀', '٣٤', '\u200b', 'a'.repeat(200), `${'-'.repeat(100)}x`),
        )
        .filter((s) => storable(s) && chars(s) <= 200);
      await fc.assert(
        fc.asyncProperty(name, async (n) => {
          const res = await post(JSON.stringify({ name: n }));
          expect(res.statusCode).toBe(201);
          const created = json(res);
          expect(created.name).toBe(n);
          expect(created.slug).toMatch(SLUG);
          // Leave the name free for the next run: the property is about names that are not taken.
          expect((await t.call('DELETE', `/v1/tenants/${created.id}?purge=true`)).statusCode).toBe(204);
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('derives the slug from ASCII words as the lower-cased words joined by dashes', async () => {
      const words = fc.array(fc.stringMatching(/^[A-Za-z0-9]{1,10}$/), { minLength: 1, maxLength: 5 });
      await fc.assert(
        fc.asyncProperty(words, fc.constantFrom(' ', '  ', ' & ', ', ', '.'), async (ws, sep) => {
          const n = ws.join(sep);
          const res = await post(JSON.stringify({ name: n }));
          expect(res.statusCode).toBe(201);
          const created = json(res);
          expect(created.slug).toBe(ws.join('-').toLowerCase().slice(0, 56).replace(/-+$/, ''));
          expect((await t.call('DELETE', `/v1/tenants/${created.id}?purge=true`)).statusCode).toBe(204);
        }),
        { numRuns: 100 },
      );
    });

    it('gives names that derive the same slug distinct valid slugs', async () => {
      const base = fc
        .oneof(fc.string({ minLength: 1, maxLength: 60 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }))
        .filter((s) => /\S/u.test(s) && storableText(s) && chars(s) <= 190);
      await fc.assert(
        fc.asyncProperty(base, fc.integer({ min: 2, max: 4 }), async (n, copies) => {
          // "n", "n !", "n ! !" ... are different names with the same derived slug.
          const names = Array.from({ length: copies }, (_, i) => n + ' !'.repeat(i));
          const created = [];
          for (const name of names) {
            const res = await post(JSON.stringify({ name }));
            expect(res.statusCode).toBe(201);
            created.push(json(res));
          }
          const slugs = created.map((c) => c.slug as string);
          for (const slug of slugs) expect(slug).toMatch(SLUG);
          expect(new Set(slugs).size).toBe(copies);
          for (const c of created) expect((await t.call('DELETE', `/v1/tenants/${c.id}?purge=true`)).statusCode).toBe(204);
        }),
        { numRuns: 40 },
      );
    });
  });
}
