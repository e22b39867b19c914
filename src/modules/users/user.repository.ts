import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { Database, UserRow } from '../../db/schema.js';
import { uniqueViolation } from '../../db/errors.js';
import { errors } from '../../lib/errors.js';
import { userPermissions } from '../access/policy.js';
import type { Role } from '../access/principal.js';
import { findRolesByKeys } from '../roles/role.repository.js';
import type { User } from './user.schemas.js';

export type Executor = Kysely<Database>;

/**
 * The only row-to-object mapping for users: the password hash never leaves the repository.
 * `rolePermissions`: the permissions of the custom roles the user holds (see `presentUsers`).
 */
export function toUser(row: UserRow, rolePermissions: readonly string[] = []): User {
  return {
    id: row.id,
    organizationId: row.organization_id,
    tenantId: row.tenant_id,
    email: row.email,
    name: row.name,
    role: row.role,
    roles: row.roles,
    permissions: userPermissions(row.role as Role, rolePermissions).permissions,
    isActive: row.is_active,
    lastSignInAt: row.last_sign_in_at ? row.last_sign_in_at.toISOString() : null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Users as the API shows them, with what their custom roles permit (one query per organization among them). */
export async function presentUsers(db: Executor, rows: readonly UserRow[]): Promise<User[]> {
  const keysByOrganization = new Map<string, Set<string>>();
  for (const row of rows) {
    if (row.roles.length === 0) continue;
    const keys = keysByOrganization.get(row.organization_id) ?? new Set<string>();
    for (const key of row.roles) keys.add(key);
    keysByOrganization.set(row.organization_id, keys);
  }
  const permissions = new Map<string, string[]>();
  for (const [organizationId, keys] of keysByOrganization) {
    for (const role of await findRolesByKeys(db, organizationId, [...keys])) permissions.set(`${organizationId}/${role.key}`, role.permissions);
  }
  return rows.map((row) =>
    toUser(
      row,
      row.roles.flatMap((key) => permissions.get(`${row.organization_id}/${key}`) ?? []),
    ),
  );
}

export const presentUser = async (db: Executor, row: UserRow): Promise<User> => (await presentUsers(db, [row]))[0];

/** Takes a custom role from every user of the organization holding it; the ids of those users. */
export async function removeRoleFromUsers(db: Executor, organizationId: string, key: string, now: Date): Promise<string[]> {
  const rows = await db
    .updateTable('users')
    .set({ roles: sql<string[]>`array_remove(roles, ${key})`, updated_at: now })
    .where('organization_id', '=', organizationId)
    .where(sql<boolean>`roles @> array[${key}]::text[]`)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** The ids of the users of the organization holding a custom role. */
export async function findRoleHolders(db: Executor, organizationId: string, key: string): Promise<string[]> {
  const rows = await db
    .selectFrom('users')
    .select('id')
    .where('organization_id', '=', organizationId)
    .where(sql<boolean>`roles @> array[${key}]::text[]`)
    .execute();
  return rows.map((r) => r.id);
}

export function rethrowEmailConflict(error: unknown): never {
  if (uniqueViolation(error) === 'users_email_key') {
    throw errors.conflict('EMAIL_OCCUPIED', 'A user with this email already exists', 'email');
  }
  throw error;
}

export async function insertUser(
  db: Executor,
  row: Omit<UserRow, 'is_active' | 'last_sign_in_at' | 'roles'> & { is_active?: boolean; roles?: string[] },
): Promise<UserRow> {
  return db.insertInto('users').values(row).returningAll().executeTakeFirstOrThrow().catch(rethrowEmailConflict);
}

export async function findUser(db: Executor, id: string, forUpdate = false): Promise<UserRow | undefined> {
  let q = db.selectFrom('users').selectAll().where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function findUserByEmail(db: Executor, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where(sql`lower(email)`, '=', email.toLowerCase()).executeTakeFirst();
}

export async function listUsers(db: Executor, where: { organizationId: string; tenantId: string | null }): Promise<UserRow[]> {
  let q = db.selectFrom('users').selectAll().where('organization_id', '=', where.organizationId);
  q = where.tenantId === null ? q.where('tenant_id', 'is', null) : q.where('tenant_id', '=', where.tenantId);
  return q.orderBy('created_at').orderBy('id').limit(1000).execute();
}

export async function countOwners(db: Executor, tenantId: string, excludingUserId?: string): Promise<number> {
  let q = db.selectFrom('users').select(sql<number>`count(*)::int`.as('c')).where('tenant_id', '=', tenantId).where('role', '=', 'owner');
  if (excludingUserId) q = q.where('id', '!=', excludingUserId);
  return (await q.executeTakeFirstOrThrow()).c;
}

export async function countTenantUsers(db: Executor, tenantId: string): Promise<number> {
  const row = await db.selectFrom('users').select(sql<number>`count(*)::int`.as('c')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
  return row.c;
}

/** Every user of a tenant, oldest first (an export). */
export async function listTenantUsers(db: Executor, tenantId: string): Promise<UserRow[]> {
  return db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').execute();
}

/** Every user of an organization, its tenants' included (the organization is going). */
export async function deleteOrganizationUsers(db: Executor, organizationId: string): Promise<void> {
  await db.deleteFrom('users').where('organization_id', '=', organizationId).execute();
}

export async function deleteTenantUsers(db: Executor, tenantId: string): Promise<void> {
  await db.deleteFrom('users').where('tenant_id', '=', tenantId).execute();
}

/** Makes a user of the organization who has no tenant yet (and is no superadmin) the tenant's owner; false when there is no such user. */
export async function adoptAsTenantOwner(db: Executor, userId: string, tenant: { organizationId: string; tenantId: string }, now: Date): Promise<boolean> {
  const moved = await db
    .updateTable('users')
    .set({ tenant_id: tenant.tenantId, role: 'owner', updated_at: now })
    .where('id', '=', userId)
    .where('organization_id', '=', tenant.organizationId)
    .where('tenant_id', 'is', null)
    .where('role', '!=', 'superadmin')
    .returning('id')
    .executeTakeFirst();
  return !!moved;
}

export type OwnerSummary = { id: string; name: string; email: string } | null;
type TenantsAsT = ExpressionBuilder<Database & { t: Database['tenants'] }, 't'>;

/** A tenant's user count, as a subquery of a query over `tenants as t`. */
export const tenantUserCount = (eb: TenantsAsT) =>
  eb.selectFrom('users as u').whereRef('u.tenant_id', '=', 't.id').select(sql<number>`count(*)::int`.as('c')).$asScalar();

/** A tenant's first owner, as a subquery of a query over `tenants as t`. */
export const tenantFirstOwner = (eb: TenantsAsT) =>
  eb
    .selectFrom('users as u')
    .whereRef('u.tenant_id', '=', 't.id')
    .where('u.role', '=', 'owner')
    .orderBy('u.created_at')
    .limit(1)
    .select(sql<OwnerSummary>`json_build_object('id', u.id, 'name', u.name, 'email', u.email)`.as('o'))
    .$asScalar();

/** User counts and first owners of many tenants in one grouped query (a page of a listing). */
export async function summarizeTenantUsers(db: Executor, tenantIds: string[]): Promise<Map<string, { userCount: number; owner: OwnerSummary }>> {
  const rows = await db
    .selectFrom('users as u')
    .select([
      'u.tenant_id',
      sql<number>`count(*)::int`.as('user_count'),
      sql<OwnerSummary>`(array_agg(json_build_object('id', u.id, 'name', u.name, 'email', u.email) order by u.created_at) filter (where u.role = 'owner'))[1]`.as(
        'owner',
      ),
    ])
    // One array parameter, so every page size shares one prepared statement.
    .where('u.tenant_id', '=', sql<string>`any(${tenantIds}::text[])`)
    .groupBy('u.tenant_id')
    .execute();
  return new Map(rows.map((r) => [r.tenant_id!, { userCount: r.user_count, owner: r.owner }]));
}
