import { after, before } from 'node:test';
import { expect } from 'expect';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import type { Store } from '../../src/db/create-db.js';
import { createTestApp, json, type TestApp } from '../helpers.js';

// What the tenant property tests share: generators of awkward input, the checks every answer must
// pass, and an app of their own to send it to.

export const SLUG = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const EXTERNAL_ID = /^[A-Za-z0-9_-]{1,255}$/;
/** Length as the API counts it (Unicode code points, like JSON Schema's maxLength). */
export const chars = (s: string) => [...s].length;
/** Text PostgreSQL can store: no U+0000 and no unpaired UTF-16 surrogate. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the property is about NUL
export const storableText = (s: string) => !/\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);

// ---------- JSON bodies with exact control over keys (`__proto__` as an own key) ----------

type J = null | boolean | number | string | { arr: J[] } | { obj: [string, J][] };

export function toJson(value: J): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if ('arr' in value) return `[${value.arr.map(toJson).join(',')}]`;
  return `{${value.obj.map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`;
}

export const longString = fc
  .tuple(fc.constantFrom('a', 'A', 'z9', '-', '_', 'é', '😀', ' '), fc.constantFrom(39, 40, 41, 62, 63, 64, 199, 200, 201, 254, 255, 256, 499, 500, 501, 2000))
  .map(([unit, n]) => unit.repeat(n));
export const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
export const weirdString = fc.oneof(
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
export const bodyArb: fc.Arbitrary<GeneratedBody> = fc
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
export function removedByParser(key: string, value: J): boolean {
  if (key === '__proto__') return true;
  return key === 'constructor' && value !== null && typeof value === 'object' && 'obj' in value && lastWins(value.obj).has('prototype');
}

/** What a client means by a JSON object: the last occurrence of a key wins. */
export function lastWins(entries: [string, J][]): Map<string, J> {
  const map = new Map<string, J>();
  for (const [k, v] of entries) {
    map.delete(k);
    map.set(k, v);
  }
  return map;
}

export function expectProblem(res: LightMyRequestResponse) {
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

export function expectDomainRules(tenant: any) {
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

export const NUM_RUNS = Number(process.env.PROPERTY_RUNS ?? 150);

export interface PropertiesFixture {
  /** Set by the `before` hook. */
  t: TestApp;
  /** POST a raw JSON text as a tenant create body. */
  post(body: string): Promise<LightMyRequestResponse>;
}

/** Registers, in the calling describe, the hooks that start an app on `store` and close it. */
export function usePropertiesFixture(store: Store): PropertiesFixture {
  const fx = {} as PropertiesFixture;
  fx.post = (body) => fx.t.call('POST', '/v1/tenants', { body, headers: { 'content-type': 'application/json' } });
  before(async () => {
    fx.t = await createTestApp(store);
  });
  after(async () => {
    await fx.t?.close();
  });
  return fx;
}
