import { sql, type Kysely } from 'kysely';
import type { Database, UserRow } from '../../db/schema.js';
import { uniqueViolation } from '../../db/errors.js';
import { errors } from '../../http/errors.js';

export type Executor = Kysely<Database>;

export interface User {
  id: string;
  organizationId: string;
  tenantId: string | null;
  email: string;
  name: string;
  role: string;
  isActive: boolean;
  lastSignInAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** The only row-to-object mapping for users: the password hash never leaves the repository. */
export function toUser(row: UserRow): User {
  return {
    id: row.id,
    organizationId: row.organization_id,
    tenantId: row.tenant_id,
    email: row.email,
    name: row.name,
    role: row.role,
    isActive: row.is_active,
    lastSignInAt: row.last_sign_in_at ? row.last_sign_in_at.toISOString() : null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function rethrowEmailConflict(error: unknown): never {
  if (uniqueViolation(error) === 'users_email_key') {
    throw errors.conflict('EMAIL_OCCUPIED', 'A user with this email already exists', 'email');
  }
  throw error;
}

export async function insertUser(db: Executor, row: Omit<UserRow, 'is_active' | 'last_sign_in_at'> & { is_active?: boolean }): Promise<UserRow> {
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
