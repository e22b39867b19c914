import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Config } from '../config.js';
import { DataDirBusyError, LOCK_FILE } from '../db/data-dir.js';
import { createDb } from '../db/create-db.js';
import { rootKeyAtHand } from '../modules/system/keys.js';
import { localServerUrl } from './api-client.js';

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Writes the file whole or not at all, readable by its owner only (it holds the data dir's secrets). */
function writeAtomically(file: string, content: Buffer) {
  const partial = `${file}.partial`;
  writeFileSync(partial, content, { mode: 0o600 });
  renameSync(partial, file);
}

/** The running server that owns the data dir, on this machine, asked with the root key. */
async function throughServer(config: Config): Promise<Buffer> {
  const base = localServerUrl(config);
  const rootKey = rootKeyAtHand(config).key;
  if (!rootKey) throw new Error(`a server owns ${config.dataDir}, and no root key is at hand to ask it (set LANDLORD_ROOT_KEY)`);
  console.log(`a server owns ${config.dataDir}: taking the backup through it at ${base}`);
  const res = await fetch(`${base}/v1/backup`, { headers: { authorization: `Bearer ${rootKey}` }, signal: AbortSignal.timeout(600_000) });
  if (!res.ok) throw new Error(`the server answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return Buffer.from(await res.arrayBuffer());
}

/**
 * `landlord backup <file>`: a consistent copy of the embedded store, taken by this process when no
 * server runs, or through the running server (which owns the data dir) when one does.
 */
export async function backup(config: Config, file: string): Promise<number> {
  if (config.databaseUrl) {
    console.error('This configuration uses PostgreSQL (DATABASE_URL): back it up with pg_dump, for example `pg_dump -Fc "$DATABASE_URL" > landlord.dump`');
    return 1;
  }
  if (!existsSync(join(config.dataDir, 'PG_VERSION'))) {
    console.error(`There is no embedded database in ${config.dataDir} to back up`);
    return 1;
  }
  let copy: Buffer;
  try {
    const database = await createDb({ databaseUrl: null, dataDir: config.dataDir });
    try {
      console.log(`backing up ${config.dataDir}`);
      copy = Buffer.from(await (await database.dump!()).arrayBuffer());
    } finally {
      await database.close();
    }
  } catch (error) {
    if (!(error instanceof DataDirBusyError)) throw error;
    copy = await throughServer(config);
  }
  writeAtomically(file, copy);
  console.log(`wrote ${file} (${mb(copy.length)})`);
  return 0;
}

/** `landlord restore <file>`: loads a backup into an empty data dir (never over an existing one). */
export async function restore(config: Config, file: string): Promise<number> {
  if (config.databaseUrl) {
    console.error('This configuration uses PostgreSQL (DATABASE_URL): restore a pg_dump backup with pg_restore');
    return 1;
  }
  if (!existsSync(file)) {
    console.error(`No such file: ${file}`);
    return 1;
  }
  if (existsSync(config.dataDir) && readdirSync(config.dataDir).length > 0) {
    console.error(`${config.dataDir} is not empty: restore loads a backup into an empty or new data dir only (set LANDLORD_DATA_DIR)`);
    return 1;
  }
  const content = readFileSync(file);
  console.log(`restoring ${file} (${mb(content.length)}) into ${config.dataDir}`);
  let database: Awaited<ReturnType<typeof createDb>>;
  try {
    database = await createDb({ databaseUrl: null, dataDir: config.dataDir, load: new Blob([content]) });
  } catch (error) {
    // Nothing half-loaded stays behind: the data dir was empty before.
    for (const entry of existsSync(config.dataDir) ? readdirSync(config.dataDir) : []) rmSync(join(config.dataDir, entry), { recursive: true, force: true });
    console.error(`${file} could not be loaded (${(error as Error).message}); is it a backup made by \`landlord backup\`?`);
    return 1;
  }
  try {
    const { rows } = await sql<{
      tenants: number;
      users: number;
    }>`select (select count(*)::int from tenants) as tenants, (select count(*)::int from users) as users`.execute(database.db);
    console.log(`restored: ${rows[0].tenants} tenants, ${rows[0].users} users`);
  } finally {
    await database.close();
  }
  // A backup taken through a running server carries that server's lock; the restored dir has no owner yet.
  rmSync(join(config.dataDir, LOCK_FILE), { force: true });
  return 0;
}
