import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { expect } from 'expect';
import { keys } from '../src/cli/keys.js';
import { loadConfig } from '../src/config.js';
import { createDb, migrateToLatest } from '../src/db/create-db.js';

// The CLI opens the database itself, so it runs against an embedded database in a directory.
describe('landlord keys rotate', () => {
  it('creates a new active key, retires the old one and prints the new kid', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'landlord-keys-'));
    const config = loadConfig({ LANDLORD_DATA_DIR: dataDir, LANDLORD_SECRET_KEY: 'k'.repeat(40) });
    const printed: string[] = [];
    const log = console.log;
    const error = console.error;
    console.log = (line: string) => void printed.push(line);
    console.error = (line: string) => void printed.push(line);
    try {
      expect(await keys(config, 'rotate')).toBe(1);
      expect(printed.pop()).toMatch(/landlord migrate/);
      const setup = await createDb({ databaseUrl: null, dataDir });
      await migrateToLatest(setup);
      await setup.close();
      expect(await keys(config, 'rotate')).toBe(0);
      expect(await keys(config, 'rotate')).toBe(0);
      expect(await keys(config, 'spin')).toBe(2);
    } finally {
      console.log = log;
      console.error = error;
    }
    const kids = printed.filter((l) => l.startsWith('new signing key: ')).map((l) => l.slice('new signing key: '.length));
    expect(kids).toHaveLength(2);
    const check = await createDb({ databaseUrl: null, dataDir });
    try {
      const rows = await check.db.selectFrom('signing_keys').select(['kid', 'retired_at']).execute();
      const active = (kid: string) => rows.find((r) => r.kid === kid)?.retired_at === null;
      expect(rows).toHaveLength(2);
      expect([active(kids[0]), active(kids[1])]).toEqual([false, true]);
    } finally {
      await check.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
