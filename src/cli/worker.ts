import { onShutdown } from './signals.js';
import { pino } from 'pino';
import type { Config } from '../config.js';
import { createDb, migrateToLatest } from '../db/create-db.js';
import { dbTimeouts } from '../db/guarded-pool.js';
import { systemClock } from '../lib/clock.js';
import { createSecretBox } from '../lib/secret-box.js';
import { loadSecretKey } from '../modules/system/keys.js';
import { createWorker } from '../modules/webhooks/worker.js';

/**
 * `landlord worker`: webhook delivery only, for scaling out next to `landlord serve --no-worker`.
 * PostgreSQL only: the embedded database belongs to one process, and `landlord start` already
 * runs a worker beside the API there.
 */
export async function runWorker(config: Config): Promise<number> {
  if (!config.databaseUrl) {
    console.error('landlord worker needs DATABASE_URL (PostgreSQL); with the embedded database, `landlord start` runs the worker');
    return 1;
  }
  const log = pino({ level: config.logLevel });
  const database = await createDb({ databaseUrl: config.databaseUrl, dataDir: null, poolSize: 4, timeouts: dbTimeouts(config.dbStatementTimeoutMs) });
  await migrateToLatest(database);
  // Secrets are sealed by the API nodes; every node needs the same LANDLORD_SECRET_KEY.
  const secretBox = createSecretBox(loadSecretKey(config));
  const worker = createWorker({ db: database.db, clock: systemClock, secretBox, config, log });

  onShutdown(log, 'finishing the deliveries in flight', async () => {
    await worker.stop();
    await database.close();
  });

  worker.start();
  process.stdout.write('\n  Landlord webhook worker is running\n  Database:       PostgreSQL\n\n');
  return -1;
}
