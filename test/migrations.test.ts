import { sql } from 'kysely';
import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { createMigrator, isSchemaCurrent, type Db } from '../src/db/create-db.js';
import { createTestDatabase, stores, type TestDatabase } from './helpers.js';

for (const store of stores) {
  describe(`migrations on ${store}`, () => {
    let testDb: TestDatabase;
    let database: Db;
    before(async () => {
      testDb = await createTestDatabase(store);
      database = await testDb.open();
    });
    after(async () => {
      await database?.close();
      await testDb?.drop();
    });

    const tables = async () =>
      (
        await sql<{
          table_name: string;
        }>`select table_name from information_schema.tables where table_schema = current_schema() and table_name not like 'landlord_migrations%' order by table_name`.execute(
          database.db,
        )
      ).rows.map((r) => r.table_name);

    it('applies every migration, rolls all back, and applies them again', async () => {
      const migrator = createMigrator(database.db);
      const up = await migrator.migrateToLatest();
      expect(up.error).toBeUndefined();
      expect(await isSchemaCurrent(database.db)).toBe(true);
      const created = await tables();
      expect(created).toEqual(
        expect.arrayContaining([
          'api_keys',
          'audit_logs',
          'deliveries',
          'delivery_attempts',
          'event_sequences',
          'events',
          'idempotency_keys',
          'login_throttle',
          'webhooks',
          'organizations',
          'revoked_tokens',
          'sessions',
          'sign_in_links',
          'signing_keys',
          'system',
          'tenants',
          'users',
        ]),
      );

      for (;;) {
        const step = await migrator.migrateDown();
        expect(step.error).toBeUndefined();
        if ((step.results ?? []).length === 0) break;
      }
      expect(await tables()).toEqual([]);
      expect(await isSchemaCurrent(database.db)).toBe(false);

      const again = await migrator.migrateToLatest();
      expect(again.error).toBeUndefined();
      expect(await tables()).toEqual(created);
    });
  });
}
