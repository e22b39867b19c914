import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parseDuration } from './lib/duration.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  readonly port: number;
  readonly host: string;
  /** PostgreSQL connection string; when absent the embedded PGlite store in `dataDir` is used. */
  readonly databaseUrl: string | null;
  readonly dataDir: string;
  readonly publicUrl: string;
  /** Superadmin key from the environment; when null one is generated on first start. */
  readonly rootKey: string | null;
  /** Key material that encrypts stored secrets; when null one is generated in `dataDir`. */
  readonly secretKey: string | null;
  readonly tokenTtlSeconds: number;
  /** How long a deleted tenant can be restored before it is purged (`LANDLORD_TENANT_RETENTION`). */
  readonly tenantRetentionMs: number;
  readonly webhooksAllowPrivate: boolean;
  /** Delays before each retry of a failed webhook delivery, in ms; its length is the number of retries. */
  readonly webhookRetrySchedule: readonly number[];
  /** An endpoint failing continuously for longer than this is disabled. */
  readonly webhookDisableAfterMs: number;
  /** How long one delivery attempt may take, connection to response. */
  readonly webhookTimeoutMs: number;
  readonly logLevel: LogLevel;
  /** Requests per minute per credential; 0 turns the limit off. */
  readonly rateLimitPerMinute: number;
  /** Redis that every API process counts rate limits in (`LANDLORD_REDIS_URL`); null: each process counts its own. */
  readonly redisUrl: string | null;
  /** The SMTP server mails go out through (`LANDLORD_SMTP_URL`); null: nothing is mailed and the API returns links instead. */
  readonly smtpUrl: string | null;
  /** The From of every mail (`LANDLORD_MAIL_FROM`). */
  readonly mailFrom: string;
  /** Delays before each retry of a mail the SMTP server did not take, in ms. */
  readonly mailRetrySchedule: readonly number[];
  /** PostgreSQL cancels a statement running longer than this; the client gives up 1 s later. */
  readonly dbStatementTimeoutMs: number;
  /** A port serving /metrics without credentials (null: none). */
  readonly metricsPort: number | null;
  /** The Bearer credential for /metrics on the API port (null: /metrics there answers 401). */
  readonly metricsToken: string | null;
  /** Which proxies' X-Forwarded-For to believe: none (false), any (true), a hop count, or addresses/CIDRs. */
  readonly trustProxy: boolean | number | readonly string[];
}

export class ConfigError extends Error {}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function intVar(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function boolVar(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`);
}

function durationVar(env: NodeJS.ProcessEnv, name: string, fallback: string, min: number, max: number): number {
  const raw = env[name] || fallback;
  const ms = parseDuration(raw);
  if (ms === null) throw new ConfigError(`${name} must be a duration such as 500ms, 10s, 5m, 2h or 5d, got "${raw}"`);
  if (ms < min || ms > max) throw new ConfigError(`${name} must be between ${min} ms and ${max} ms, got "${raw}"`);
  return ms;
}

const DEFAULT_RETRY_SCHEDULE = '5s,5m,30m,2h,5h,10h,10h';

function scheduleVar(env: NodeJS.ProcessEnv, name: string, fallback = DEFAULT_RETRY_SCHEDULE): number[] {
  const raw = env[name] || fallback;
  const parts = raw.split(',').map((p) => p.trim());
  const delays = parts.map(parseDuration);
  if (parts.length > 20 || delays.some((d) => d === null || d < 10 || d > 7 * 86_400_000)) {
    throw new ConfigError(`${name} must be a comma-separated list of at most 20 durations between 10ms and 7d (like "5s,5m,30m"), got "${raw}"`);
  }
  return delays as number[];
}

function trustProxyVar(env: NodeJS.ProcessEnv, name: string): boolean | number | string[] {
  const raw = (env[name] ?? '').trim();
  if (raw === '' || ['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  if (['true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  const entries = raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const maxBits = family === 6 ? 128 : 32;
    if (!family || extra !== undefined || (bits !== undefined && (!/^\d+$/.test(bits) || Number(bits) > maxBits))) {
      throw new ConfigError(`${name} must be true, a hop count, or a comma-separated list of IP addresses or CIDRs, got "${entry}"`);
    }
  }
  return entries;
}

function validRedisUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    const db = url.pathname.replace(/^\//, '');
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '' && (db === '' || /^\d{1,5}$/.test(db));
  } catch {
    return false;
  }
}

/** Reads and validates the environment once; the result is frozen and passed around as a value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = intVar(env, 'PORT', 8080, 0, 65535);
  const host = env.HOST || '0.0.0.0';
  const databaseUrl = env.DATABASE_URL || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must start with postgres:// or postgresql://');
  }
  const dataDir = resolve(env.LANDLORD_DATA_DIR || './.landlord');
  const publicUrl = (env.LANDLORD_PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, '');
  try {
    const u = new URL(publicUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
  } catch {
    throw new ConfigError(`LANDLORD_PUBLIC_URL must be an http(s) URL, got "${publicUrl}"`);
  }
  const rootKey = env.LANDLORD_ROOT_KEY || null;
  if (rootKey !== null && rootKey.length < 32) {
    throw new ConfigError('LANDLORD_ROOT_KEY must be at least 32 characters long');
  }
  if (env.LANDLORD_SECRET_KEY && env.LANDLORD_SECRET_KEY.length < 32) {
    throw new ConfigError('LANDLORD_SECRET_KEY must be at least 32 characters long');
  }
  if (env.LANDLORD_METRICS_TOKEN && env.LANDLORD_METRICS_TOKEN.length < 16) {
    throw new ConfigError('LANDLORD_METRICS_TOKEN must be at least 16 characters long');
  }
  const redisUrl = env.LANDLORD_REDIS_URL || null;
  if (redisUrl !== null && !validRedisUrl(redisUrl)) {
    // Not echoed: the URL may carry a password.
    throw new ConfigError('LANDLORD_REDIS_URL must be a redis:// or rediss:// URL with a host, like redis://127.0.0.1:6379/0');
  }
  const smtpUrl = env.LANDLORD_SMTP_URL || null;
  if (smtpUrl !== null && !/^smtps?:\/\/[^/\s]+/.test(smtpUrl)) {
    // Not echoed: the URL may carry a password.
    throw new ConfigError('LANDLORD_SMTP_URL must be an smtp:// or smtps:// URL with a host, like smtps://user:password@smtp.example.com:465');
  }
  const mailFrom = env.LANDLORD_MAIL_FROM || `Landlord <no-reply@${new URL(publicUrl).hostname}>`;
  if (/[\r\n]/.test(mailFrom) || !/@[^@\s>]+>?$/.test(mailFrom)) {
    throw new ConfigError('LANDLORD_MAIL_FROM must be an email address, optionally with a name: "Acme <no-reply@acme.example>"');
  }
  const logLevel = (env.LANDLORD_LOG_LEVEL || 'info').toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LANDLORD_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  }
  return Object.freeze({
    port,
    host,
    databaseUrl,
    dataDir,
    publicUrl,
    rootKey,
    secretKey: env.LANDLORD_SECRET_KEY || null,
    tokenTtlSeconds: intVar(env, 'LANDLORD_TOKEN_TTL', 3600, 60, 86400 * 30),
    tenantRetentionMs: durationVar(env, 'LANDLORD_TENANT_RETENTION', '30d', 0, 3650 * 86_400_000),
    webhooksAllowPrivate: boolVar(env, 'LANDLORD_WEBHOOKS_ALLOW_PRIVATE', false),
    webhookRetrySchedule: Object.freeze(scheduleVar(env, 'LANDLORD_WEBHOOK_RETRY_SCHEDULE')),
    webhookDisableAfterMs: durationVar(env, 'LANDLORD_WEBHOOK_DISABLE_AFTER', '5d', 1000, 365 * 86_400_000),
    webhookTimeoutMs: durationVar(env, 'LANDLORD_WEBHOOK_TIMEOUT', '10s', 100, 60_000),
    logLevel,
    rateLimitPerMinute: intVar(env, 'LANDLORD_RATE_LIMIT', 6000, 0, 100_000_000),
    redisUrl,
    smtpUrl,
    mailFrom,
    mailRetrySchedule: Object.freeze(scheduleVar(env, 'LANDLORD_MAIL_RETRY_SCHEDULE', '10s,1m,5m,30m,2h,6h')),
    trustProxy: trustProxyVar(env, 'LANDLORD_TRUST_PROXY'),
    dbStatementTimeoutMs: durationVar(env, 'LANDLORD_DB_STATEMENT_TIMEOUT', '3s', 100, 600_000),
    metricsPort: env.LANDLORD_METRICS_PORT ? intVar(env, 'LANDLORD_METRICS_PORT', 0, 1, 65535) : null,
    metricsToken: env.LANDLORD_METRICS_TOKEN || null,
  });
}
