import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { expect } from 'expect';
import { randomToken } from '../src/lib/crypto.js';
import { LOCK_FILE } from '../src/db/data-dir.js';
import { expectCleanExit, killAll, runCli, startService, tempDir } from './child-service.js';

// The embedded store as an operator meets it: its files, and who may open it.

/** Paths under `dir` whose mode lets anyone but the owner in. */
function openToOthers(dir: string): string[] {
  const out: string[] = [];
  const visit = (path: string) => {
    const stat = statSync(path);
    if ((stat.mode & 0o077) !== 0) out.push(`${(stat.mode & 0o777).toString(8)} ${path}`);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
  };
  visit(dir);
  return out;
}

describe('the embedded store', () => {
  after(() => {
    killAll();
  });

  it('keeps its files owner-only, belongs to one process at a time, and is free again after a stop', { timeout: 300_000 }, async () => {
    const dataDir = join(tempDir(), 'data');
    const env = { LANDLORD_DATA_DIR: dataDir, LANDLORD_ROOT_KEY: `lk_root_${randomToken(43)}` };
    const first = await startService(env);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dataDir)).toContain('pg_hba.conf');
    expect(openToOthers(dataDir)).toEqual([]);
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(true);

    // A second server, and a CLI command that would write, are refused with a clear message.
    const second = await runCli(['start'], { ...env, PORT: '0' });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`The data directory ${dataDir} is in use by another Landlord process (pid ${first.child.pid})`);
    expect(second.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    const rotate = await runCli(['keys', 'rotate'], env);
    expect(rotate.code).toBe(1);
    expect(rotate.stderr).toContain('is in use by another Landlord process');
    // The running server was not disturbed.
    expect((await fetch(`${first.base}/readyz`)).status).toBe(200);

    await expectCleanExit(first);
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
    expect(openToOthers(dataDir)).toEqual([]);
    const rotated = await runCli(['keys', 'rotate'], env);
    expect({ code: rotated.code, out: rotated.stdout }).toEqual({ code: 0, out: expect.stringContaining('new signing key: ') });
  });

  it('takes over the lock of a process that was killed', { timeout: 300_000 }, async () => {
    const dataDir = join(tempDir(), 'data');
    const env = { LANDLORD_DATA_DIR: dataDir, LANDLORD_ROOT_KEY: `lk_root_${randomToken(43)}` };
    const killed = await startService(env);
    expect((await killed.stop('SIGKILL')).signal).toBe('SIGKILL');
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(true);
    const again = await startService(env);
    expect((await fetch(`${again.base}/readyz`)).status).toBe(200);
    await expectCleanExit(again);
  });
});
