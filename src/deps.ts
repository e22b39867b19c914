import type { Kysely } from 'kysely';
import type { Database } from './db/schema.js';
import type { Config } from './config.js';
import { createDb, migrateToLatest, startMaintenance, type Db } from './db/create-db.js';
import { dbTimeouts } from './db/guarded-pool.js';
import { systemClock, type Clock } from './lib/clock.js';
import { createSecretBox, type SecretBox } from './lib/secret-box.js';
import { createApiKeyService, type ApiKeyService } from './modules/credentials/api-key.service.js';
import { createAuthenticator, type Authenticator } from './modules/auth/authenticator.js';
import { createKeyCache } from './modules/credentials/key-cache.js';
import { createKeyLookup } from './modules/credentials/key-lookup.js';
import { createOrganizationService, ensureDefaultOrganization, type OrganizationService } from './modules/organizations/organization.service.js';
import { createInvitationService, type InvitationService } from './modules/invitations/invitation.service.js';
import { countPendingInvitations } from './modules/invitations/invitation.repository.js';
import { dashboardPaths } from './lib/dashboard-links.js';
import { createPasswordReset, type PasswordReset } from './modules/auth/password-reset.js';
import { createMailer, type Mailer } from './modules/mail/mail.worker.js';
import { createSmtpSender } from './modules/mail/mail.sender.js';
import { createBudgetCache, type BudgetCache } from './modules/plans/budget-cache.js';
import { createPlanService, type PlanService } from './modules/plans/plan.service.js';
import { createRoleService, type RoleService } from './modules/roles/role.service.js';
import { createOidcClients } from './modules/sso/oidc-client.js';
import { createSsoConnectionService, type SsoConnectionService } from './modules/sso/sso-connection.service.js';
import { createSsoSignIn, type SsoSignIn } from './modules/sso/sso-sign-in.service.js';
import { ensureRootKey, loadSecretKey, type RootKeyState } from './modules/system/keys.js';
import { createTenantService, type TenantService } from './modules/tenants/tenant.service.js';
import { createTenantLifecycle, createTenantPurger, type TenantLifecycle } from './modules/tenants/tenant-lifecycle.js';
import { createRevocations, type Revocations } from './modules/credentials/revocations.js';
import { createSignInService, type SignInService } from './modules/auth/sign-in.service.js';
import { createThrottle, type Throttle } from './modules/access/throttle.js';
import { createUserService, type UserService } from './modules/users/user.service.js';
import { createEventService, type EventService } from './modules/events/event.service.js';
import { createAuditService, type AuditService } from './modules/audit/audit.service.js';
import { createOAuthService, type OAuthService } from './modules/oauth/oauth.service.js';
import { createWebhookService, type WebhookService } from './modules/webhooks/webhook.service.js';
import { fanOut } from './modules/webhooks/fan-out.js';
import { createChangeRecorder, type ChangeRecorder } from './modules/events/outbox.js';
import { createWorker, type Worker, type WorkerLog } from './modules/webhooks/worker.js';

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
  plans: PlanService;
  invitations: InvitationService;
  passwordReset: PasswordReset;
  roles: RoleService;
  ssoConnections: SsoConnectionService;
  sso: SsoSignIn;
  /** Each tenant's requestsPerMinute, for the rate limit. */
  budgets: BudgetCache;
  apiKeys: ApiKeyService;
  revocations: Revocations;
  oauth: OAuthService;
  throttle: Throttle;
  signIn: SignInService;
  users: UserService;
  events: EventService;
  audit: AuditService;
  webhooks: WebhookService;
  changes: ChangeRecorder;
  /** The webhook delivery worker over these parts (`serve` runs one beside the API). */
  createWorker(log: WorkerLog): Worker;
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
    options.database ??
    (await createDb({ databaseUrl: config.databaseUrl, dataDir: options.inMemory ? null : config.dataDir, timeouts: dbTimeouts(config.dbStatementTimeoutMs) }));
  try {
    const { db } = database;
    await migrateToLatest(database);
    database.protect();
    const stopMaintenance = startMaintenance(database);
    const defaultOrganizationId = await ensureDefaultOrganization(db, clock);
    const rootKey = await ensureRootKey(db, clock, config);
    const secretBox = createSecretBox(loadSecretKey(config));
    const revocations = createRevocations({
      db,
      clock,
      maxTokenTtlSeconds: config.tokenTtlSeconds,
      // Only PostgreSQL has other nodes whose changes must be picked up.
      pollMs: database.store === 'pglite' ? 0 : undefined,
    });
    await revocations.start();
    const throttle = createThrottle({ db, clock });
    const keyCache = createKeyCache();
    const keyLookup = createKeyLookup({ db, revocations, keyCache });
    const oauth = createOAuthService({
      db,
      clock,
      secretBox,
      revocations,
      issuer: config.publicUrl,
      tokenTtlSeconds: config.tokenTtlSeconds,
      rootKeyHash: rootKey.hash,
      throttle,
      keyLookup,
    });
    await oauth.start();
    const changes = createChangeRecorder({ clock, fanOut });
    const apiKeys = createApiKeyService({ db, clock, changes, revocations, keyCache });
    const signIn = createSignInService({ db, clock, throttle, userTokens: oauth });
    const users = createUserService({
      db,
      clock,
      changes,
      signIn,
      revocations,
      maxTokenTtlSeconds: config.tokenTtlSeconds,
      seatsHeld: (trx, tenantId) => countPendingInvitations(trx, tenantId, clock.now()),
      mail: config.smtpUrl ? { secretBox, signInUrl: (token) => `${config.publicUrl}${dashboardPaths.signIn(token)}` } : undefined,
    });
    const webhooks = createWebhookService({ db, clock, changes, secretBox, allowPrivate: config.webhooksAllowPrivate });
    const budgets = createBudgetCache({ db, clock });
    // Identity providers are reached under the webhooks' egress rules: tenant owners choose them.
    const oidc = createOidcClients({ allowPrivate: config.webhooksAllowPrivate });
    const redirectUri = `${config.publicUrl}/v1/auth/sso/callback`;
    const tenants = createTenantService({
      db,
      clock,
      onEntitlementsChanged: (tenantId) => budgets.forget(tenantId),
      changes,
      apiKeys,
      revocations,
      users,
      signIn,
      webhooks,
      maxTokenTtlSeconds: config.tokenTtlSeconds,
      retentionMs: config.tenantRetentionMs,
    });
    return {
      config,
      database,
      clock,
      secretBox,
      rootKey,
      defaultOrganizationId,
      authenticate: createAuthenticator({ db, clock, rootKeyHash: rootKey.hash, defaultOrganizationId, revocations, tokens: oauth.verifier, keyLookup }),
      tenants,
      organizations: createOrganizationService({ db, clock, changes, revocations, maxTokenTtlSeconds: config.tokenTtlSeconds }),
      plans: createPlanService({ db, clock, changes, onEntitlementsChanged: () => budgets.forget() }),
      roles: createRoleService({ db, clock, changes, holders: users.roleHolders }),
      ssoConnections: createSsoConnectionService({ db, clock, changes, secretBox, oidc, redirectUri }),
      sso: createSsoSignIn({ db, clock, secretBox, oidc, changes, users, redirectUri }),
      budgets,
      passwordReset: createPasswordReset({
        db,
        clock,
        throttle,
        revocations,
        maxTokenTtlSeconds: config.tokenTtlSeconds,
        secretBox,
        mailing: config.smtpUrl !== null,
        resetUrl: (token) => `${config.publicUrl}${dashboardPaths.resetPassword(token)}`,
      }),
      invitations: createInvitationService({
        db,
        clock,
        changes,
        secretBox,
        users,
        mailing: config.smtpUrl !== null,
        acceptUrl: (token) => `${config.publicUrl}${dashboardPaths.acceptInvitation(token)}`,
      }),
      apiKeys,
      revocations,
      oauth,
      throttle,
      signIn,
      users,
      events: createEventService({ db }),
      audit: createAuditService({ db }),
      webhooks,
      changes,
      createWorker: (log) =>
        withBackground(
          createWorker({ db, clock, secretBox, config, changes, log, listen: database.listen }),
          tenants,
          mailerFor({ db, clock, secretBox, config, log }),
          log,
        ),
      close: async () => {
        stopMaintenance();
        revocations.stop();
        await oidc.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
}

/** The mail worker when mails go out (LANDLORD_SMTP_URL), else none. */
function mailerFor(deps: { db: Kysely<Database>; clock: Clock; secretBox: SecretBox; config: Config; log: WorkerLog }): Mailer | null {
  const { config } = deps;
  if (!config.smtpUrl) return null;
  return createMailer({
    ...deps,
    sender: createSmtpSender(config.smtpUrl, config.mailFrom),
    retrySchedule: config.mailRetrySchedule,
    domain: new URL(config.publicUrl).hostname,
  });
}

/** The background work beside the webhook worker: deleted tenants are purged when their retention ends, and mails go out. */
function withBackground(worker: Worker, tenants: Pick<TenantLifecycle, 'purgeDue'>, mailer: Mailer | null, log: WorkerLog): Worker {
  const purger = createTenantPurger(tenants, { log });
  return {
    start() {
      worker.start();
      purger.start();
      mailer?.start();
    },
    async stop() {
      await Promise.all([worker.stop(), purger.stop(), mailer?.stop()]);
    },
    get stats() {
      return worker.stats;
    },
  };
}

/**
 * `landlord worker`: webhook delivery and tenant purges, with a small pool of its own. Secrets are sealed by the
 * API nodes; every node needs the same LANDLORD_SECRET_KEY.
 */
export async function createWorkerDeps(config: Config & { databaseUrl: string }, log: WorkerLog): Promise<{ worker: Worker; close(): Promise<void> }> {
  const database = await createDb({ databaseUrl: config.databaseUrl, dataDir: null, poolSize: 4, timeouts: dbTimeouts(config.dbStatementTimeoutMs) });
  try {
    await migrateToLatest(database);
    const { db } = database;
    const clock = systemClock;
    const changes = createChangeRecorder({ clock, fanOut });
    const worker = createWorker({ db, clock, secretBox: createSecretBox(loadSecretKey(config)), config, changes, log, listen: database.listen });
    const revocations = createRevocations({ db, clock, maxTokenTtlSeconds: config.tokenTtlSeconds, pollMs: 0 });
    const lifecycle = createTenantLifecycle({
      db,
      clock,
      changes,
      revocations,
      maxTokenTtlSeconds: config.tokenTtlSeconds,
      retentionMs: config.tenantRetentionMs,
    });
    const secretBox = createSecretBox(loadSecretKey(config));
    return { worker: withBackground(worker, lifecycle, mailerFor({ db, clock, secretBox, config, log }), log), close: () => database.close() };
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
}
