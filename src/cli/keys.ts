import type { Config } from '../config.js';
import { createDb, isSchemaCurrent } from '../db/create-db.js';
import { systemClock } from '../lib/clock.js';
import { createSecretBox } from '../lib/secret-box.js';
import { createSigningKeys } from '../modules/oauth/signing-keys.js';
import { loadSecretKey } from '../modules/system/keys.js';

/**
 * `landlord keys rotate`: a new token-signing key becomes active and the old one is retired.
 * Retired keys keep verifying until their last token has expired, so nothing in flight breaks;
 * running nodes verify the new kid at once and sign with it within 30 seconds.
 */
export async function keys(config: Config, action: string | undefined): Promise<number> {
  if (action !== 'rotate') {
    console.error(`Unknown keys action "${action ?? ''}"; use: landlord keys rotate`);
    return 2;
  }
  const database = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    if (!(await isSchemaCurrent(database.db).catch(() => false))) {
      console.error('The database is not migrated; run `landlord migrate` first');
      return 1;
    }
    const signingKeys = createSigningKeys({
      db: database.db,
      clock: systemClock,
      secretBox: createSecretBox(loadSecretKey(config)),
      tokenTtlSeconds: config.tokenTtlSeconds,
    });
    const kid = await signingKeys.rotate();
    console.log(`new signing key: ${kid}`);
    return 0;
  } finally {
    await database.close();
  }
}
