import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { DataDirBusyError } from '../db/data-dir.js';
import { createDb, isSchemaCurrent } from '../db/create-db.js';

/** `landlord doctor`: checks what a start needs and says what to fix. Exit code 1 when something is wrong. */
export async function doctor(config: Config): Promise<number> {
  let failures = 0;
  const check = (ok: boolean, label: string, hint = '') => {
    console.log(`${ok ? 'ok  ' : 'FAIL'}  ${label}${!ok && hint ? `\n      ${hint}` : ''}`);
    if (!ok) failures++;
  };
  const [major] = process.versions.node.split('.').map(Number);
  check(major >= 20, `Node.js ${process.versions.node}`, 'Node.js 20 or newer is required');
  check(true, `database: ${config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.dataDir}`}`);
  if (!config.databaseUrl && existsSync(config.dataDir)) {
    let writable = true;
    try {
      accessSync(config.dataDir, constants.W_OK);
    } catch {
      writable = false;
    }
    check(writable, `data dir ${config.dataDir} is writable`, 'fix its permissions or set LANDLORD_DATA_DIR');
  }
  const keyFile = join(config.dataDir, 'root-key');
  if (existsSync(keyFile)) {
    const mode = statSync(keyFile).mode & 0o777;
    check((mode & 0o077) === 0, `root key file is private (mode ${mode.toString(8)})`, `chmod 600 ${keyFile}`);
  }
  try {
    const database = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      let current = false;
      try {
        current = await isSchemaCurrent(database.db);
      } catch {
        current = false;
      }
      check(true, 'database reachable');
      check(current, 'migrations applied', 'run `landlord migrate` (or start the service, which migrates)');
    } finally {
      await database.close();
    }
  } catch (error) {
    // A running server owns the embedded store: that is no fault, but it cannot be opened beside it.
    if (error instanceof DataDirBusyError) console.log(`  - ${error.message.split('. ')[0]}; database checks skipped`);
    else check(false, 'database reachable', (error as Error).message);
  }
  console.log(failures === 0 ? '\nall checks passed' : `\n${failures} check(s) failed`);
  return failures === 0 ? 0 : 1;
}
