import { sql, type Kysely } from 'kysely';
import type { ApiKeyRow, Database } from '../../db/schema.js';
import { tenantUsable } from '../access/owner.repository.js';

export type Executor = Kysely<Database>;

export interface ApiKeyWithOwner extends ApiKeyRow {
  tenant_active: boolean | null;
}

export async function insertApiKey(
  db: Executor,
  row: Pick<ApiKeyRow, 'id' | 'organization_id' | 'tenant_id' | 'name' | 'prefix' | 'secret_hash' | 'scopes' | 'created_at' | 'expires_at'>,
): Promise<ApiKeyRow> {
  return db
    .insertInto('api_keys')
    .values({ ...row, scopes: JSON.stringify(row.scopes) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

function selectKeysWithOwner(db: Executor) {
  return db.selectFrom('api_keys as k').leftJoin('tenants as t', 't.id', 'k.tenant_id').selectAll('k').select(tenantUsable('t').as('tenant_active'));
}

/** The key whose current or previous (rotated) secret has this hash, with its tenant's status. */
export async function findApiKeyBySecretHash(db: Executor, hash: string): Promise<ApiKeyWithOwner | undefined> {
  return selectKeysWithOwner(db)
    .where((eb) => eb.or([eb('k.secret_hash', '=', hash), eb('k.previous_secret_hash', '=', hash)]))
    .executeTakeFirst();
}

/** A key by id (revoked ones too), with its tenant's status. */
export async function findApiKeyWithOwner(db: Executor, id: string): Promise<ApiKeyWithOwner | undefined> {
  return selectKeysWithOwner(db).where('k.id', '=', id).executeTakeFirst();
}

/** A tenant's keys that still work (not revoked, not expired): what limits.apiKeys counts. */
export async function countKeysInForce(db: Executor, tenant: { id: string; organizationId: string }, now: Date): Promise<number> {
  const row = await db
    .selectFrom('api_keys')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('organization_id', '=', tenant.organizationId)
    .where('tenant_id', '=', tenant.id)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .executeTakeFirstOrThrow();
  return row.n;
}

export async function listApiKeys(db: Executor, organizationId: string, tenantId: string | null): Promise<ApiKeyRow[]> {
  let q = db.selectFrom('api_keys').selectAll().where('organization_id', '=', organizationId).where('revoked_at', 'is', null);
  q = tenantId === null ? q.where('tenant_id', 'is', null) : q.where('tenant_id', '=', tenantId);
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1000).execute();
}

export async function findApiKey(db: Executor, id: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom('api_keys').selectAll().where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
}

export async function revokeApiKey(db: Executor, id: string, at: Date): Promise<void> {
  await db.updateTable('api_keys').set({ revoked_at: at }).where('id', '=', id).execute();
}

export async function touchApiKey(db: Executor, id: string, at: Date): Promise<void> {
  await db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute();
}

/** A tenant's active keys, oldest first (an export). */
export async function listTenantApiKeys(db: Executor, tenantId: string): Promise<ApiKeyRow[]> {
  return db.selectFrom('api_keys').selectAll().where('tenant_id', '=', tenantId).where('revoked_at', 'is', null).orderBy('created_at').execute();
}

/** Deletes a tenant's keys (the tenant is going); returns their ids so their tokens can be stopped. */
export async function deleteTenantApiKeys(db: Executor, tenantId: string): Promise<string[]> {
  return (await db.deleteFrom('api_keys').where('tenant_id', '=', tenantId).returning('id').execute()).map((k) => k.id);
}

/** Deletes every key of the organization (its own and any tenant's); their ids. */
export async function deleteOrganizationApiKeys(db: Executor, organizationId: string): Promise<string[]> {
  return (await db.deleteFrom('api_keys').where('organization_id', '=', organizationId).returning('id').execute()).map((k) => k.id);
}
