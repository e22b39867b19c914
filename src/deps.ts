import type { Config } from './config.js';
import { createDb, migrateToLatest, type Db } from './db/create-db.js';
import { systemClock, type Clock } from './lib/clock.js';
import { createSecretBox, type SecretBox } from './lib/secret-box.js';
import { createApiKeyService, type ApiKeyService } from './modules/credentials/api-key.service.js';
import { createAuthenticator, type Authenticator } from './modules/credentials/authenticator.js';
import { createOrganizationService, ensureDefaultOrganization, type OrganizationService } from './modules/organizations/organization.service.js';
import { ensureRootKey, loadSecretKey, type RootKeyState } from './modules/system/keys.js';
import { createTenantService, type TenantService } from './modules/tenants/tenant.service.js';
import { createRevocations, type Revocations } from './modules/access/revocations.js';
import { createOAuthService, type OAuthService } from './modules/oauth/oauth.service.js';

export interface Deps {
  config: Config;
  database: Db;
  clock: Clock;
  secretBox: SecretBox;
  rootKey: RootKeyState;
  defaultOrganizationId: string;
  authenticate: Authenticator;
  tenants: TenantService;
  organizations: OrganizationService;
  apiKeys: ApiKeyService;
  revocations: Revocations;
  oauth: OAuthService;
  close(): Promise<void>;
}

export interface DepsOptions {
  clock?: Clock;
  /** Use this database instead of opening one from the config (tests). */
  database?: Db;
  /** Keep the embedded database in memory instead of `config.dataDir` (tests). */
  inMemory?: boolean;
}

/** The one place the application is assembled: database, migrations, bootstrap data and services. */
export async function createDeps(config: Config, options: DepsOptions = {}): Promise<Deps> {
  const clock = options.clock ?? systemClock;
  const database =
    options.database ?? (await createDb({ databaseUrl: config.databaseUrl, dataDir: options.inMemory ? null : config.dataDir }));
  try {
    const { db } = database;
    await migrateToLatest(db);
    const defaultOrganizationId = await ensureDefaultOrganization(db, clock);
    const rootKey = await ensureRootKey(db, clock, config);
    const secretBox = createSecretBox(loadSecretKey(config));
    const revocations = createRevocations({ db, clock, maxTokenTtlSeconds: config.tokenTtlSeconds });
    await revocations.start();
    const oauth = createOAuthService({
      db,
      clock,
      secretBox,
      revocations,
      issuer: config.publicUrl,
      tokenTtlSeconds: config.tokenTtlSeconds,
    });
    await oauth.start();
    const apiKeys = createApiKeyService({ db, clock, revocations });
    return {
      config,
      database,
      clock,
      secretBox,
      rootKey,
      defaultOrganizationId,
      authenticate: createAuthenticator({ db, clock, rootKeyHash: rootKey.hash, defaultOrganizationId, revocations, tokens: oauth.verifier }),
      tenants: createTenantService({ db, clock, publicUrl: config.publicUrl, apiKeys, revocations }),
      organizations: createOrganizationService({ db, clock }),
      apiKeys,
      revocations,
      oauth,
      close: async () => {
        revocations.stop();
        await database.close();
      },
    };
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
}
