import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database, RoleRow } from '../../db/schema.js';
import type { Role } from './role.schemas.js';

export type RoleRecord = RoleRow & { user_count: number };

export function toRole(row: RoleRecord): Role {
  return {
    key: row.key,
    organizationId: row.organization_id,
    name: row.name,
    description: row.description,
    permissions: row.permissions,
    userCount: row.user_count,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function selectRoles(db: Kysely<Database>) {
  return db
    .selectFrom('roles as r')
    .selectAll('r')
    .select((eb) =>
      eb
        .selectFrom('users as u')
        .whereRef('u.organization_id', '=', 'r.organization_id')
        .where(sql<boolean>`r.key = any(u.roles)`)
        .select(sql<number>`count(*)::int`.as('c'))
        .$asScalar()
        .as('user_count'),
    );
}

export async function findRole(db: Kysely<Database>, organizationId: string, key: string, forUpdate = false): Promise<RoleRecord | undefined> {
  let q = selectRoles(db).where('r.organization_id', '=', organizationId).where('r.key', '=', key);
  if (forUpdate) q = q.forUpdate('r');
  return (await q.executeTakeFirst()) as RoleRecord | undefined;
}

/** An organization has few roles; they are listed whole, by key. */
export async function listRoles(db: Kysely<Database>, organizationId: string): Promise<RoleRecord[]> {
  return (await selectRoles(db).where('r.organization_id', '=', organizationId).orderBy('r.key').limit(1000).execute()) as RoleRecord[];
}

/**
 * The roles among `keys` that exist in the organization, with their permissions. `forShare`
 * locks them until the caller's transaction ends, so a role being granted cannot be deleted
 * (and its holders left with a key that names nothing) before the grant commits.
 */
export async function findRolesByKeys(
  db: Kysely<Database>,
  organizationId: string,
  keys: readonly string[],
  forShare = false,
): Promise<{ key: string; permissions: string[] }[]> {
  if (keys.length === 0) return [];
  let q = db
    .selectFrom('roles')
    .select(['key', 'permissions'])
    .where('organization_id', '=', organizationId)
    // One array parameter, so every number of keys shares one prepared statement.
    .where('key', '=', sql<string>`any(${[...keys]}::text[])`);
  if (forShare) q = q.forShare();
  return q.execute();
}

/**
 * Every permission of the custom roles a user holds, as an expression over a query of `users`
 * under `alias`: one subquery, so a session's request costs no extra round trip.
 */
export function rolePermissionsOf(alias: string): RawBuilder<string[]> {
  const u = (column: string) => sql.ref(`${alias}.${column}`);
  return sql<
    string[]
  >`array(select distinct p from roles r cross join lateral unnest(r.permissions) p where r.organization_id = ${u('organization_id')} and r.key = any(${u('roles')}) order by p)`;
}
