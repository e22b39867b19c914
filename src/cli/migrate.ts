import type { Config } from '../config.js';
import type { Migrator } from 'kysely/migration';
import { createDb, createMigrator } from '../db/create-db.js';

/** `landlord migrate [up|down|status]`: prints each step, exits non-zero on failure. */
export async function migrate(config: Config, direction: string): Promise<number> {
  if (!['up', 'down', 'status'].includes(direction)) {
    console.error(`Unknown migrate direction "${direction}": use up, down or status`);
    return 2;
  }
  const database = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    return await database.unbounded((db) => run(createMigrator(db), direction));
  } finally {
    await database.close();
  }
}

async function run(migrator: Migrator, direction: string): Promise<number> {
  {
    if (direction === 'status') {
      for (const m of await migrator.getMigrations()) {
        console.log(`${m.executedAt ? 'applied' : 'pending'}  ${m.name}`);
      }
      return 0;
    }
    const result = direction === 'down' ? await migrator.migrateDown() : await migrator.migrateToLatest();
    for (const r of result.results ?? []) console.log(`${r.status.padEnd(7)}  ${r.direction}  ${r.migrationName}`);
    if (result.error) {
      console.error(`migration failed: ${(result.error as Error).message}`);
      return 1;
    }
    if ((result.results ?? []).length === 0) console.log('nothing to do');
    return 0;
  }
}
