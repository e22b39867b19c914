import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Owner } from './ownership.js';

/** A tenant's organization and whether it is active (binding a token to it, checking one). */
export async function findTenantStatus(db: Kysely<Database>, id: string) {
  return db.selectFrom('tenants').select(['id', 'organization_id', 'is_active']).where('id', '=', id).executeTakeFirst();
}

/** The owner a tenant path names: the tenant and its organization, or nothing when it does not exist. */
export async function findTenantOwner(db: Kysely<Database>, tenantId: string): Promise<Owner | undefined> {
  const row = await findTenantStatus(db, tenantId);
  return row && { organizationId: row.organization_id, tenantId: row.id };
}

export async function organizationExists(db: Kysely<Database>, organizationId: string): Promise<boolean> {
  return !!(await db.selectFrom('organizations').select('id').where('id', '=', organizationId).executeTakeFirst());
}
