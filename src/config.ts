import { resolve } from 'node:path';

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
  readonly webhooksAllowPrivate: boolean;
  readonly logLevel: LogLevel;
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
    webhooksAllowPrivate: boolVar(env, 'LANDLORD_WEBHOOKS_ALLOW_PRIVATE', false),
    logLevel,
  });
}
