import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FieldError } from './errors.js';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const TIMEZONES = new Set<string>([...Intl.supportedValuesOf('timeZone'), 'UTC', 'Etc/UTC', 'GMT']);

function isTimezone(value: string): boolean {
  if (TIMEZONES.has(value)) return true;
  try {
    // Aliases such as "Europe/Kiev" are valid IANA names that supportedValuesOf leaves out.
    return new Intl.DateTimeFormat('en', { timeZone: value }).resolvedOptions().timeZone.length > 0 && value.includes('/');
  } catch {
    return false;
  }
}

function isHttpUrl(value: string): boolean {
  if (value.length > 2048) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

function isLocale(value: string): boolean {
  try {
    return Intl.getCanonicalLocales(value).length === 1;
  } catch {
    return false;
  }
}

// RFC 3339 date-time, restricted to what both JavaScript and PostgreSQL hold: years 0001-9999 and
// no leap second (23:59:60 is valid RFC 3339, but Date cannot represent it).
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

export function isStorableTimestamp(value: string): boolean {
  const m = TIMESTAMP.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (year < 1 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false;
  const offset = m[8]!;
  if (offset.length === 6 && (Number(offset.slice(1, 3)) > 23 || Number(offset.slice(4, 6)) > 59)) return false;
  // Day of month in range for that month (Date rolls 02-30 over to March).
  if (day > new Date(Date.UTC(2000, month, 0)).getUTCDate() || (month === 2 && day === 29 && !isLeapYear(year))) return false;
  // An offset can carry 0001-01-01 or 9999-12-31 out of the range as an instant in UTC.
  const instant = Date.parse(value.replace(' ', 'T'));
  return instant >= FIRST_INSTANT && instant <= LAST_INSTANT;
}

const FIRST_INSTANT = Date.parse('0001-01-01T00:00:00Z');
const LAST_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');

const isLeapYear = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

function createAjv(coerce: boolean, allErrors = !coerce): Ajv {
  const ajv = new Ajv({
    allErrors,
    coerceTypes: coerce,
    useDefaults: coerce,
    removeAdditional: false,
    strict: false,
    verbose: true,
  });
  addFormats(ajv, ['email', 'uri', 'date']);
  ajv.addFormat('date-time', { type: 'string', validate: isStorableTimestamp });
  ajv.addFormat('timezone', { type: 'string', validate: isTimezone });
  ajv.addFormat('http-url', { type: 'string', validate: isHttpUrl });
  ajv.addFormat('locale', { type: 'string', validate: isLocale });
  return ajv;
}

// Bodies are strict and never coerced ("true" is not a boolean); query strings and path
// parameters arrive as text, so they are coerced to the declared types.
const bodyAjv = createAjv(false);
const firstErrorAjv = createAjv(false, false);

/** Bodies with more values than this are reported by their first error only. */
const MAX_NODES_FOR_ALL_ERRORS = 20_000;

/** Values (keys, items, scalars) in a parsed JSON body, counted up to `limit` + 1. */
function countNodes(value: unknown, limit: number): number {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length && count <= limit) {
    const v = stack.pop();
    count++;
    if (v !== null && typeof v === 'object') for (const item of Object.values(v)) stack.push(item);
  }
  return count;
}
const paramAjv = createAjv(true);

/** Query strings and path parameters: text coerced to the declared types. */
export const compileParamsValidator = (schema: object): ValidateFunction => paramAjv.compile(schema);

/**
 * A request body: strict (never coerced). No body at all (undefined, or null from an empty
 * request) is validated as `{}`: optional-body actions pass, and creates report their required fields.
 */
export function compileBodyValidator(schema: object): ValidateFunction {
  const quick = firstErrorAjv.compile(schema);
  const full = bodyAjv.compile(schema);
  const wrapped = (data: unknown) => {
    const value = data === undefined || data === null ? {} : data;
    // The common case, a valid body, stops here. Every error of an invalid one is collected only
    // when the body is of a sensible size: 300,000 bad items would otherwise cost seconds and a
    // response of megabytes; such a body gets its first error.
    const ok = quick(value);
    if (ok) wrapped.errors = null;
    else if (countNodes(value, MAX_NODES_FOR_ALL_ERRORS) > MAX_NODES_FOR_ALL_ERRORS) wrapped.errors = quick.errors;
    else {
      full(value);
      wrapped.errors = full.errors;
    }
    return ok;
  };
  wrapped.errors = null as ValidateFunction['errors'];
  return wrapped as unknown as ValidateFunction;
}

const cache = new WeakMap<object, ValidateFunction>();

/** Validates a value against a body schema outside a route (batch items); returns field errors. */
export function validateBody(schema: object, value: unknown, prefix = ''): FieldError[] {
  let validate = cache.get(schema);
  if (!validate) {
    validate = bodyAjv.compile(schema);
    cache.set(schema, validate);
  }
  return validate(value) ? [] : toFieldErrors(validate.errors ?? [], prefix);
}

/** A problem lists at most this many field errors (the contract's limit). */
export const MAX_FIELD_ERRORS = 100;

const DEFAULT_FORMAT_CODES: Record<string, string> = {
  email: 'BAD_EMAIL',
  'http-url': 'BAD_URL',
  uri: 'BAD_URL',
};

function joinPath(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('.');
}

function pathOf(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

/** The schema an error was raised by, with our `x-` annotations. */
const schemaOf = (e: ErrorObject) => (e.parentSchema ?? {}) as Record<string, unknown>;

function describe(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'maxLength':
      return `must be at most ${p.limit} characters`;
    case 'minLength':
      return p.limit === 1 ? 'must not be empty' : `must be at least ${p.limit} characters`;
    case 'maxProperties':
      return `must have at most ${p.limit} keys`;
    case 'maxItems':
      return `must have at most ${p.limit} items`;
    case 'minItems':
      return `must have at least ${p.limit} items`;
    case 'format':
      return `must be a valid ${p.format}`;
    case 'pattern':
      return (schemaOf(e)['x-pattern-message'] as string | undefined) ?? `must match ${p.pattern}`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'const':
      return `must be ${String(p.allowedValue)}`;
    default:
      return e.message ?? 'is invalid';
  }
}

/** Maps AJV errors to the contract's field errors: one entry per field, the first problem wins. */
export function toFieldErrors(ajvErrors: ErrorObject[], prefix = ''): FieldError[] {
  const out = new Map<string, FieldError>();
  const add = (field: string, code: string, message: string) => {
    const key = joinPath(prefix, field) || '(body)';
    if (!out.has(key)) out.set(key, { field: key, code, message });
  };
  for (const e of ajvErrors) {
    if (out.size >= MAX_FIELD_ERRORS) break;
    const base = pathOf(e.instancePath);
    const parent = schemaOf(e);
    const code = parent['x-error-code'] as string | undefined;
    const p = e.params as Record<string, unknown>;
    if (e.keyword === 'propertyNames') continue; // reported by the nested error below with its name
    if (e.propertyName !== undefined) {
      const schemaCode = code ?? 'BAD_FORMAT';
      add(joinPath(base, e.propertyName), schemaCode, `key ${describe(e)}`);
      continue;
    }
    switch (e.keyword) {
      case 'additionalProperties': {
        const name = String(p.additionalProperty);
        const readOnly = (parent['x-read-only'] as string[] | undefined) ?? [];
        if (readOnly.includes(name)) add(joinPath(base, name), 'READ_ONLY', 'is read-only');
        else add(joinPath(base, name), 'UNKNOWN_FIELD', 'is not a known field');
        break;
      }
      case 'required':
        add(joinPath(base, String(p.missingProperty)), 'REQUIRED', 'is required');
        break;
      case 'maxLength':
        add(base, code ?? 'TOO_LONG', describe(e));
        break;
      case 'format':
        add(base, code ?? DEFAULT_FORMAT_CODES[String(p.format)] ?? 'BAD_FORMAT', describe(e));
        break;
      case 'type':
        add(base, code ?? 'BAD_FORMAT', `must be ${Array.isArray(p.type) ? p.type.join(' or ') : p.type}`);
        break;
      default:
        add(base, code ?? 'BAD_FORMAT', describe(e));
    }
  }
  return [...out.values()];
}

// PostgreSQL text and jsonb cannot hold U+0000, and an unpaired UTF-16 surrogate is not Unicode
// text at all (the driver would store it as U+FFFD). JSON can only carry either as a \u escape.
const UNSTORABLE_ESCAPE = /\\u(?:0000|d[89a-f])/i;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding U+0000 is the point
export const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The field of the first key or string in a parsed JSON body that cannot be stored, or null. */
export function unstorableTextField(jsonText: string, value: unknown): string | null {
  if (!UNSTORABLE_ESCAPE.test(jsonText)) return null;
  const visit = (v: unknown, path: string): string | null => {
    if (typeof v === 'string') return UNSTORABLE.test(v) ? path : null;
    if (v === null || typeof v !== 'object') return null;
    for (const [key, item] of Object.entries(v)) {
      const field = joinPath(path, key);
      if (UNSTORABLE.test(key)) return field;
      const found = visit(item, field);
      if (found !== null) return found;
    }
    return null;
  };
  const found = visit(value, '');
  return found === null ? null : found || '(body)';
}
