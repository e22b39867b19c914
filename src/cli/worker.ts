import { onShutdown } from './signals.js';
import { pino } from 'pino';
import type { Config } from '../config.js';
import { createWorkerDeps } from '../deps.js';

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
  const { worker, close } = await createWorkerDeps({ ...config, databaseUrl: config.databaseUrl }, log);

  onShutdown(log, 'finishing the deliveries in flight', async () => {
    await worker.stop();
    await close();
  });

  worker.start();
  process.stdout.write('\n  Landlord webhook worker is running\n  Database:       PostgreSQL\n\n');
  return -1;
}
