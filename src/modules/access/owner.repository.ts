import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Owner } from './ownership.js';

/**
 * Whether the credentials of the tenant a query aliases as `alias` may be used: the one rule
 * behind API keys, tokens and sessions (and what other nodes poll for). A suspended tenant or one
 * pending deletion refuses them.
 */
export function tenantUsable(alias: string): RawBuilder<boolean> {
  const self = (column: string) => sql.ref(`${alias}.${column}`);
  // A root has no ancestors, and the lookup of none costs nothing.
  return sql<boolean>`(${self('is_active')} and ${self('deleted_at')} is null and not exists (
    select 1 from tenants a where a.id = any(${self('ancestor_ids')}) and not (a.is_active and a.deleted_at is null)))`;
}

/** `column` (a tenant id) is the tenant or one of its descendants: a subtree, through the ancestors index. */
export function inSubtree(column: string, tenantId: string): RawBuilder<boolean> {
  return sql<boolean>`(${sql.ref(column)} = ${tenantId} or ${sql.ref(column)} in (select d.id from tenants d where d.ancestor_ids @> array[${tenantId}]::text[]))`;
}

/** A tenant's organization and whether its credentials may be used (binding a token to it, checking one); deleted tenants too. */
export async function findTenantStatus(db: Kysely<Database>, id: string) {
  return db
    .selectFrom('tenants as t')
    .select(['t.id', 't.organization_id', 't.deleted_at', 't.ancestor_ids', tenantUsable('t').as('usable')])
    .where('t.id', '=', id)
    .executeTakeFirst();
}

/** The owner a tenant path names: the tenant and its organization, or nothing when it does not exist (or is deleted). */
export async function findTenantOwner(db: Kysely<Database>, tenantId: string): Promise<Owner | undefined> {
  const row = await findTenantStatus(db, tenantId);
  return row && !row.deleted_at ? { organizationId: row.organization_id, tenantId: row.id, ancestorIds: row.ancestor_ids } : undefined;
}

export async function organizationExists(db: Kysely<Database>, organizationId: string): Promise<boolean> {
  return !!(await db.selectFrom('organizations').select('id').where('id', '=', organizationId).executeTakeFirst());
}
