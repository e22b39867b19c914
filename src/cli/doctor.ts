import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { Redis } from 'ioredis';
import nodemailer from 'nodemailer';
import type { Config } from '../config.js';
import { DataDirBusyError } from '../db/data-dir.js';
import { createDb, isSchemaCurrent } from '../db/create-db.js';
import { rootKeyFile } from '../modules/system/keys.js';

interface Check {
  name: string;
  status: 'ok' | 'fail' | 'skipped';
  detail: string;
  hint?: string;
}

const TIMEOUT_MS = 5_000;
const withTimeout = <T>(promise: Promise<T>, what: string) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS).unref()),
  ]);

/** Where credentials could sit in a URL: only its scheme, host and port are shown. */
const shown = (url: string) => {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}${u.port ? `:${u.port}` : ''}`;
  } catch {
    return '(not a URL)';
  }
};

async function databaseChecks(config: Config, add: (c: Check) => void): Promise<void> {
  if (!config.databaseUrl) {
    // Opening an embedded store that does not exist would create one: doctor changes nothing.
    if (!existsSync(join(config.dataDir, 'PG_VERSION'))) {
      add({ name: 'database', status: 'skipped', detail: `no embedded database in ${config.dataDir} yet: the first start creates it` });
      return;
    }
  }
  let database: Awaited<ReturnType<typeof createDb>>;
  try {
    database = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1 });
  } catch (error) {
    // A running server owns the embedded store: that is no fault, but it cannot be opened beside it.
    if (error instanceof DataDirBusyError) {
      add({ name: 'database', status: 'skipped', detail: `${error.message.split('. ')[0]}; database checks skipped` });
      return;
    }
    add({ name: 'database reachable', status: 'fail', detail: (error as Error).message, hint: 'check DATABASE_URL or LANDLORD_DATA_DIR' });
    return;
  }
  try {
    try {
      await withTimeout(sql`select 1`.execute(database.db), 'the database');
    } catch (error) {
      add({ name: 'database reachable', status: 'fail', detail: (error as Error).message, hint: 'is PostgreSQL running, and does DATABASE_URL name it?' });
      return;
    }
    add({ name: 'database reachable', status: 'ok', detail: config.databaseUrl ? shown(config.databaseUrl) : config.dataDir });
    const current = await isSchemaCurrent(database.db).catch(() => false);
    add({
      name: 'migrations applied',
      status: current ? 'ok' : 'fail',
      detail: current ? 'the schema is current' : 'the schema is not current',
      hint: current ? undefined : 'run `landlord migrate` (or start the service, which migrates)',
    });
  } finally {
    await database.close();
  }
}

async function redisCheck(url: string): Promise<Check> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: TIMEOUT_MS,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await withTimeout(
      client.connect().then(() => client.ping()),
      'Redis',
    );
    return { name: 'Redis reachable', status: 'ok', detail: shown(url) };
  } catch (error) {
    return {
      name: 'Redis reachable',
      status: 'fail',
      detail: `${shown(url)}: ${(error as Error).message}`,
      hint: 'rate limits fall back to each process while it is away',
    };
  } finally {
    client.disconnect();
  }
}

async function smtpCheck(url: string): Promise<Check> {
  const transport = nodemailer.createTransport({ url, connectionTimeout: TIMEOUT_MS, greetingTimeout: TIMEOUT_MS, socketTimeout: TIMEOUT_MS } as never);
  try {
    await withTimeout(transport.verify(), 'the SMTP server');
    return { name: 'SMTP server reachable', status: 'ok', detail: shown(url) };
  } catch (error) {
    return {
      name: 'SMTP server reachable',
      status: 'fail',
      detail: `${shown(url)}: ${(error as Error).message}`,
      hint: 'mails wait in the outbox until it answers',
    };
  } finally {
    transport.close();
  }
}

/**
 * `landlord doctor [--json]`: checks what a start needs and says what to fix, changing nothing (no
 * data dir or database is created, nothing migrated). Exit code 1 when a check fails.
 */
export async function doctor(config: Config, options: { json?: boolean } = {}): Promise<number> {
  const checks: Check[] = [];
  const add = (c: Check) => void checks.push(c);
  const [major] = process.versions.node.split('.').map(Number);
  add({
    name: 'Node.js',
    status: major >= 20 ? 'ok' : 'fail',
    detail: process.versions.node,
    hint: major >= 20 ? undefined : 'Node.js 20 or newer is required',
  });
  add({ name: 'store', status: 'ok', detail: config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.dataDir}` });
  if (!config.databaseUrl && existsSync(config.dataDir)) {
    let writable = true;
    try {
      accessSync(config.dataDir, constants.W_OK);
    } catch {
      writable = false;
    }
    add({
      name: 'data dir writable',
      status: writable ? 'ok' : 'fail',
      detail: config.dataDir,
      hint: writable ? undefined : 'fix its permissions or set LANDLORD_DATA_DIR',
    });
  }
  const keyFile = rootKeyFile(config.dataDir);
  if (existsSync(keyFile)) {
    const mode = statSync(keyFile).mode & 0o777;
    const ok = (mode & 0o077) === 0;
    add({ name: 'root key file private', status: ok ? 'ok' : 'fail', detail: `mode ${mode.toString(8)}`, hint: ok ? undefined : `chmod 600 ${keyFile}` });
  }
  await databaseChecks(config, add);
  if (config.redisUrl) add(await redisCheck(config.redisUrl));
  if (config.smtpUrl) add(await smtpCheck(config.smtpUrl));
  const failures = checks.filter((c) => c.status === 'fail').length;
  if (options.json) {
    console.log(JSON.stringify({ ok: failures === 0, checks }, null, 2));
  } else {
    for (const c of checks) {
      const mark = c.status === 'ok' ? 'ok  ' : c.status === 'fail' ? 'FAIL' : '  - ';
      console.log(`${mark}  ${c.name}: ${c.detail}${c.status === 'fail' && c.hint ? `\n      ${c.hint}` : ''}`);
    }
    console.log(failures === 0 ? '\nall checks passed' : `\n${failures} check(s) failed`);
  }
  return failures === 0 ? 0 : 1;
}
