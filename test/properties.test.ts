import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, json, stores, type TestApp } from './helpers.js';

// Property tests against the real app (inject, real database): whatever a client puts into a
// tenant create body, the answer is a 201 that respects the domain rules or a 4xx problem, never a 500.

const SLUG = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const EXTERNAL_ID = /^[A-Za-z0-9_-]{1,255}$/;
/** Length as the API counts it (Unicode code points, like JSON Schema's maxLength). */
const chars = (s: string) => [...s].length;
/** Text PostgreSQL can store: no U+0000 and no unpaired UTF-16 surrogate. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the property is about NUL
const storableText = (s: string) => !/\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);

// ---------- JSON bodies with exact control over keys (`__proto__` as an own key) ----------

type J = null | boolean | number | string | { arr: J[] } | { obj: [string, J][] };

function toJson(value: J): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if ('arr' in value) return `[${value.arr.map(toJson).join(',')}]`;
  return `{${value.obj.map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`;
}

const longString = fc
  .tuple(fc.constantFrom('a', 'A', 'z9', '-', '_', 'é', '😀', ' '), fc.constantFrom(39, 40, 41, 62, 63, 64, 199, 200, 201, 254, 255, 256, 499, 500, 501, 2000))
  .map(([unit, n]) => unit.repeat(n));
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const weirdString = fc.oneof(
  fc.constantFrom('', ' ', '\t\n', '\u00a0', '\u200b', '\u0000', 'a\u0000b', 'null', '0', '-', '_', 'İstanbul', 'ß', 'ﬃ', '٣', 'Ⅻ'),
  fc.tuple(fc.string({ maxLength: 8 }), loneSurrogate, fc.string({ maxLength: 8 })).map(([a, s, b]) => a + s + b),
);
const anyString = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 2, arbitrary: longString },
  { weight: 2, arbitrary: weirdString },
);
const specialKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '', ' ', 'k'.repeat(40), 'k'.repeat(41));
const anyKey = fc.oneof(specialKey, fc.string({ maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 12 }), weirdString);

const { json: anyJson } = fc.letrec<{ json: J }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
    anyString,
    fc.array(tie('json'), { maxLength: 4 }).map((arr) => ({ arr })),
    fc.array(fc.tuple(anyKey, tie('json')), { maxLength: 4 }).map((obj) => ({ obj })),
  ),
}));

const uniqueName = fc
  .tuple(fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 })), fc.uuid())
  .map(([s, id]) => `${s} ${id}`);
const ABSENT = Symbol('absent');
type Field = J | typeof ABSENT;
/** A body field: mostly absent or valid, so that many bodies are accepted; sometimes anything at all. */
const field = (valid: fc.Arbitrary<J>, invalid: fc.Arbitrary<J>, absentWeight = 3): fc.Arbitrary<Field> =>
  fc.oneof(
    ...(absentWeight > 0 ? [{ weight: absentWeight, arbitrary: fc.constant<Field>(ABSENT) }] : []),
    { weight: 4, arbitrary: valid as fc.Arbitrary<Field> },
    { weight: 2, arbitrary: invalid as fc.Arbitrary<Field> },
  );

const nameArb = field(uniqueName, anyJson, 0);
const slugArb = field(fc.stringMatching(/^[a-z0-9][a-z0-9_-]{4,62}$/), fc.oneof(fc.stringMatching(/^[A-Za-z0-9_ .-]{0,70}$/), anyJson));
const externalIdArb = field(
  fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{6,255}$/), fc.constant(null)),
  fc.oneof(fc.stringMatching(/^[A-Za-z0-9_ .+-]{0,260}$/), anyJson),
);
const metadataKey = fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), specialKey);
const metadataValue = fc.oneof(fc.string({ maxLength: 500 }), fc.string({ unit: 'grapheme', maxLength: 40 }), longString, weirdString);
const metadataArb = field(
  fc.array(fc.tuple(metadataKey, metadataValue), { maxLength: 12 }).map((obj): J => ({ obj })),
  fc.oneof(
    fc.integer({ min: 49, max: 52 }).map((n): J => ({ obj: Array.from({ length: n }, (_, i) => [`k${i}`, 'v'] as [string, J]) })),
    fc.array(fc.tuple(anyKey, anyJson), { maxLength: 4 }).map((obj): J => ({ obj })),
    anyJson,
  ),
);

interface GeneratedBody {
  fields: [string, J][];
}
const bodyArb: fc.Arbitrary<GeneratedBody> = fc
  .record({
    name: nameArb,
    slug: slugArb,
    externalId: externalIdArb,
    metadata: metadataArb,
    extra: fc.oneof({ weight: 4, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.array(fc.tuple(anyKey, anyJson), { minLength: 1, maxLength: 2 }) }),
  })
  .map(({ extra, ...known }) => ({
    fields: [...(Object.entries(known).filter(([, v]) => v !== ABSENT) as [string, J][]), ...extra],
  }));

/** Keys the JSON parser drops as prototype-poisoning protection (secure-json-parse, action "remove"). */
function removedByParser(key: string, value: J): boolean {
  if (key === '__proto__') return true;
  return key === 'constructor' && value !== null && typeof value === 'object' && 'obj' in value && lastWins(value.obj).has('prototype');
}

/** What a client means by a JSON object: the last occurrence of a key wins. */
function lastWins(entries: [string, J][]): Map<string, J> {
  const map = new Map<string, J>();
  for (const [k, v] of entries) {
    map.delete(k);
    map.set(k, v);
  }
  return map;
}

function expectProblem(res: LightMyRequestResponse) {
  expect(res.statusCode).toBeGreaterThanOrEqual(400);
  expect(res.statusCode).toBeLessThan(500);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = json(res);
  expect(problem.status).toBe(res.statusCode);
  expect(typeof problem.code).toBe('string');
  expect(problem.code.length).toBeGreaterThan(0);
  if (res.statusCode === 422) {
    expect(Array.isArray(problem.errors)).toBe(true);
    expect(problem.errors.length).toBeGreaterThan(0);
    for (const e of problem.errors) {
      for (const key of ['field', 'code', 'message']) {
        expect(typeof e[key]).toBe('string');
        expect(e[key].length).toBeGreaterThan(0);
      }
    }
  }
}

function expectDomainRules(tenant: any) {
  expect(tenant.slug).toMatch(SLUG);
  if (tenant.externalId !== null) expect(tenant.externalId).toMatch(EXTERNAL_ID);
  const entries = Object.entries(tenant.metadata as Record<string, unknown>);
  expect(entries.length).toBeLessThanOrEqual(50);
  for (const [key, value] of entries) {
    expect(chars(key)).toBeGreaterThanOrEqual(1);
    expect(chars(key)).toBeLessThanOrEqual(40);
    expect(typeof value).toBe('string');
    expect(chars(value as string)).toBeLessThanOrEqual(500);
  }
  expect(typeof tenant.name).toBe('string');
  expect(tenant.name).toMatch(/\S/u);
  expect(chars(tenant.name)).toBeLessThanOrEqual(200);
}

const NUM_RUNS = Number(process.env.PROPERTY_RUNS ?? 150);

for (const store of stores) {
  describe(`tenant create properties on ${store}`, () => {
    let t: TestApp;
    const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
    before(async () => {
      t = await createTestApp(store);
    });
    after(async () => {
      await t?.close();
    });

    const post = (body: string) => t.call('POST', '/v1/tenants', { body, headers: { 'content-type': 'application/json' } });

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
            deleted = await t.call('DELETE', `/v1/tenants/${created.id}`);
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
          expect((await t.call('DELETE', `/v1/tenants/${created.id}`)).statusCode).toBe(204);
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
          expect((await t.call('DELETE', `/v1/tenants/${created.id}`)).statusCode).toBe(204);
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
          for (const c of created) expect((await t.call('DELETE', `/v1/tenants/${c.id}`)).statusCode).toBe(204);
        }),
        { numRuns: 40 },
      );
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
