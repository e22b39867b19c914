import type { Kysely } from 'kysely';
import type { Database, SsoConnectionRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { errors } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { SecretBox } from '../../lib/secret-box.js';
import { resolveOwner, type Owner } from '../access/ownership.js';
import { assertMayHandOut, authorize } from '../access/policy.js';
import type { Principal } from '../access/principal.js';
import type { ChangeRecorder } from '../events/outbox.js';
import { IssuerError, type ConnectionCredentials, type OidcClients } from './oidc-client.js';
import { claimDomains, domainsOf, findConnection, listConnections, toConnection } from './sso.repository.js';
import type { SsoConnection, SsoConnectionCreateInput, SsoConnectionUpdateInput } from './sso.schemas.js';

export interface SsoConnectionServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
  changes: ChangeRecorder;
  secretBox: SecretBox;
  oidc: OidcClients;
  /** The one callback URL of the deployment, which every provider must be given. */
  redirectUri: string;
}

/** A tenant's connections to its identity providers. */
export function createSsoConnectionService(deps: SsoConnectionServiceDeps) {
  const { db, clock, changes, secretBox, oidc } = deps;

  async function present(executor: Kysely<Database>, row: SsoConnectionRow): Promise<SsoConnection> {
    const domains = await domainsOf(executor, [row.id]);
    return toConnection(row, domains.get(row.id) ?? [], deps.redirectUri);
  }

  /** Reads the issuer's discovery document; a provider that is not there is the caller's input problem (422 on `issuer`). */
  async function discoveredIssuer(credentials: ConnectionCredentials): Promise<string> {
    try {
      const config = await oidc.discover(credentials);
      return config.serverMetadata().issuer;
    } catch (error) {
      if (error instanceof IssuerError) throw errors.field('issuer', error.code, error.message);
      throw error;
    }
  }

  function checkRole(caller: Principal, role: string | undefined) {
    // Everyone who signs in through the connection gets this role: the caller must hold it.
    if (role === 'owner') assertMayHandOut(caller, { role: 'owner', scopes: [] }, 'an SSO connection');
  }

  /** The connection under the tenant's path: 404 unless the caller reaches both, then 403 unless it may do `action`. */
  async function load(
    caller: Principal,
    tenantId: string,
    connectionId: string,
    executor: Kysely<Database>,
    action: 'sso_connection.get' | 'sso_connection.update' | 'sso_connection.delete',
    lock = false,
  ) {
    const owner = await resolveOwner(executor, caller, { tenantId });
    const row = await findConnection(executor, connectionId, lock);
    if (!row || row.tenant_id !== owner.tenantId) throw errors.notFound('SSO connection not found');
    authorize(caller, action);
    return { owner, row };
  }

  function record(
    trx: Kysely<Database>,
    caller: Principal,
    owner: Owner,
    operation: 'sso_connection.create' | 'sso_connection.update' | 'sso_connection.delete',
    object: SsoConnection,
    previous?: SsoConnection,
  ) {
    return changes.record(trx, caller, {
      ...owner,
      operation,
      target: { type: 'sso_connection', id: object.id },
      object,
      previous,
      removed: operation === 'sso_connection.delete',
    });
  }

  return {
    async list(caller: Principal, tenantId: string): Promise<SsoConnection[]> {
      await resolveOwner(db, caller, { tenantId }, 'sso_connection.list');
      const rows = await listConnections(db, tenantId);
      const domains = await domainsOf(
        db,
        rows.map((r) => r.id),
      );
      return rows.map((r) => toConnection(r, domains.get(r.id) ?? [], deps.redirectUri));
    },

    async get(caller: Principal, tenantId: string, connectionId: string): Promise<SsoConnection> {
      const { row } = await load(caller, tenantId, connectionId, db, 'sso_connection.get');
      return present(db, row);
    },

    async create(caller: Principal, tenantId: string, input: SsoConnectionCreateInput): Promise<SsoConnection> {
      const owner = await resolveOwner(db, caller, { tenantId }, 'sso_connection.create');
      checkRole(caller, input.defaultRole);
      // Outside the transaction: a slow provider must not hold database locks.
      const issuer = await discoveredIssuer(input);
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('sso_connections')
          .values({
            id: newId('sso', now.getTime()),
            organization_id: owner.organizationId,
            tenant_id: tenantId,
            type: 'oidc',
            issuer,
            client_id: input.clientId,
            client_secret_sealed: secretBox.seal(input.clientSecret),
            default_role: input.defaultRole ?? 'member',
            is_enabled: input.isEnabled ?? true,
            created_at: now,
            updated_at: now,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await claimDomains(trx, row, input.domains);
        const connection = await present(trx, row);
        await record(trx, caller, owner, 'sso_connection.create', connection);
        return connection;
      });
    },

    async update(caller: Principal, tenantId: string, connectionId: string, input: SsoConnectionUpdateInput): Promise<SsoConnection> {
      const current = await load(caller, tenantId, connectionId, db, 'sso_connection.update');
      checkRole(caller, input.defaultRole);
      const credentialsChange = input.issuer !== undefined || input.clientId !== undefined || input.clientSecret !== undefined;
      const issuer = credentialsChange
        ? await discoveredIssuer({
            issuer: input.issuer ?? current.row.issuer,
            clientId: input.clientId ?? current.row.client_id,
            clientSecret: input.clientSecret ?? secretBox.open(current.row.client_secret_sealed),
          })
        : undefined;
      return db.transaction().execute(async (trx) => {
        const { owner, row } = await load(caller, tenantId, connectionId, trx, 'sso_connection.update', true);
        const previous = await present(trx, row);
        const next = await trx
          .updateTable('sso_connections')
          .set({
            ...(issuer !== undefined ? { issuer } : {}),
            ...(input.clientId !== undefined ? { client_id: input.clientId } : {}),
            ...(input.clientSecret !== undefined ? { client_secret_sealed: secretBox.seal(input.clientSecret) } : {}),
            ...(input.defaultRole !== undefined ? { default_role: input.defaultRole } : {}),
            ...(input.isEnabled !== undefined ? { is_enabled: input.isEnabled } : {}),
            updated_at: clock.now(),
          })
          .where('id', '=', row.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        if (input.domains) await claimDomains(trx, next, input.domains);
        const connection = await present(trx, next);
        await record(trx, caller, owner, 'sso_connection.update', connection, previous);
        return connection;
      });
    },

    async remove(caller: Principal, tenantId: string, connectionId: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const { owner, row } = await load(caller, tenantId, connectionId, trx, 'sso_connection.delete', true);
        const connection = await present(trx, row);
        await trx.deleteFrom('sso_connections').where('id', '=', row.id).execute();
        await record(trx, caller, owner, 'sso_connection.delete', connection);
      });
    },
  };
}

export type SsoConnectionService = ReturnType<typeof createSsoConnectionService>;
