import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { expect } from 'expect';
import { randomToken } from '../src/lib/crypto.js';
import { api, expectCleanExit, runCli, startService, tempDir } from './child-service.js';

/** Tenants with their users and keys, as the export shows them (less what moves on its own). */
async function inventory(call: ReturnType<typeof api>) {
  const tenants: { id: string; name: string }[] = [];
  let next: string | null = '/v1/tenants?limit=100&ordering=createdAt&count=false';
  while (next) {
    const page: any = await (await call('GET', next)).json();
    tenants.push(...page.results.map((t: any) => ({ id: t.id, name: t.name })));
    next = page.next ? new URL(page.next).pathname + new URL(page.next).search : null;
  }
  const details = [];
  for (const t of tenants) {
    const exported: any = await (await call('GET', `/v1/tenants/${t.id}/export`)).json();
    details.push({
      id: t.id,
      name: t.name,
      users: exported.users.map((u: any) => u.email).sort(),
      keys: exported.apiKeys.map((k: any) => k.id).sort(),
    });
  }
  return details;
}

describe('landlord backup and restore (embedded store)', () => {
  it('backs up a live server under writes and restores the same tenants, users and keys, whose secrets still work', { timeout: 600_000 }, async () => {
    const rootKey = `lk_root_${randomToken(43)}`;
    const dataDir = join(tempDir(), 'data');
    const service = await startService({ LANDLORD_DATA_DIR: dataDir, LANDLORD_ROOT_KEY: rootKey });
    const call = api(service, rootKey);
    const first = await (await call('POST', '/v1/tenants', { name: 'Before the backup', apiKey: {}, owner: { email: 'owner@before.example' } })).json();

    // Writes keep coming while the backup is taken.
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        const res = await call('POST', '/v1/tenants', { name: `During ${written}`, owner: { email: `during-${written}@example.com` } });
        expect(res.status).toBe(201);
        written++;
      }
    })();
    while (written < 3) await new Promise((r) => setTimeout(r, 20));
    const file = join(tempDir(), 'landlord.tar.gz');
    const taken = await runCli(['backup', file], { LANDLORD_DATA_DIR: dataDir, LANDLORD_ROOT_KEY: rootKey, PORT: String(service.port) });
    writing = false;
    await writer;
    expect([taken.code, taken.stderr]).toEqual([0, '']);
    expect(taken.stdout).toContain('through it');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const original = await inventory(call);
    await expectCleanExit(service);

    const restoredDir = join(tempDir(), 'restored');
    const loaded = await runCli(['restore', file], { LANDLORD_DATA_DIR: restoredDir });
    expect([loaded.code, loaded.stderr]).toEqual([0, '']);
    expect(loaded.stdout).toMatch(/restored: \d+ tenants, \d+ users/);
    // The running server's lock did not come along: the copy has no owner until it starts.
    expect(readdirSync(restoredDir)).not.toContain('landlord.pid');
    const again = await startService({ LANDLORD_DATA_DIR: restoredDir, LANDLORD_ROOT_KEY: rootKey });
    try {
      const restored = await inventory(api(again, rootKey));
      // A consistent copy: every tenant is whole, and the tenants are the first n of those written.
      expect(restored.length).toBeGreaterThanOrEqual(4);
      expect(restored).toEqual(original.slice(0, restored.length));
      // The secret key came along: the tenant's API key (hashed) and sealed secrets work on the copy.
      const me = await fetch(`${again.base}/v1/tenants/me`, { headers: { authorization: `Bearer ${first.apiKey.secret}` } });
      expect([me.status, (await me.json()).id]).toEqual([200, first.id]);
    } finally {
      await expectCleanExit(again);
    }
  });

  it('refuses to restore over a data dir that holds anything, and says what a file that is no backup is', { timeout: 200_000 }, async () => {
    const busy = tempDir();
    writeFileSync(join(busy, 'something'), 'x');
    const file = join(tempDir(), 'junk.tar.gz');
    writeFileSync(file, 'this is not a backup');
    const over = await runCli(['restore', file], { LANDLORD_DATA_DIR: busy });
    expect([over.code, over.stderr]).toEqual([1, expect.stringContaining('is not empty')]);
    const fresh = join(tempDir(), 'fresh');
    const junk = await runCli(['restore', file], { LANDLORD_DATA_DIR: fresh });
    expect(junk.code).toBe(1);
    expect(junk.stderr).toContain('could not be loaded');
    expect(existsSync(fresh) ? readdirSync(fresh) : []).toEqual([]);
    const missing = await runCli(['backup', join(tempDir(), 'x.tar.gz')], { LANDLORD_DATA_DIR: join(tempDir(), 'none') });
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining('no embedded database')]);
  });
});
