import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database, InvitationRow } from '../../db/schema.js';
import type { Invitation, InvitationStatus } from './invitation.schemas.js';

export function statusOf(row: Pick<InvitationRow, 'accepted_at' | 'revoked_at' | 'expires_at'>, now: Date): InvitationStatus {
  if (row.accepted_at) return 'accepted';
  if (row.revoked_at) return 'revoked';
  return row.expires_at.getTime() <= now.getTime() ? 'expired' : 'pending';
}

export function toInvitation(row: InvitationRow, now: Date): Invitation {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    email: row.email,
    role: row.role as Invitation['role'],
    roles: row.roles,
    status: statusOf(row, now),
    expiresAt: row.expires_at.toISOString(),
    acceptedAt: row.accepted_at?.toISOString() ?? null,
    userId: row.user_id,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The SQL of "still pending at `now`", for an invitations row aliased `alias`. */
export function pendingAt(alias: string, now: Date): RawBuilder<boolean> {
  const col = (c: string) => sql.ref(`${alias}.${c}`);
  return sql<boolean>`(${col('accepted_at')} is null and ${col('revoked_at')} is null and ${col('expires_at')} > ${now})`;
}

export async function findInvitation(db: Kysely<Database>, id: string, forUpdate = false): Promise<InvitationRow | undefined> {
  let q = db.selectFrom('invitations').selectAll().where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function findInvitationByTokenHash(db: Kysely<Database>, hash: string): Promise<InvitationRow | undefined> {
  return db.selectFrom('invitations').selectAll().where('token_hash', '=', hash).forUpdate().executeTakeFirst();
}

export async function listInvitations(db: Kysely<Database>, tenantId: string, now: Date, status?: InvitationStatus): Promise<InvitationRow[]> {
  let q = db.selectFrom('invitations as i').selectAll('i').where('i.tenant_id', '=', tenantId);
  if (status === 'accepted') q = q.where('i.accepted_at', 'is not', null);
  if (status === 'revoked') q = q.where('i.accepted_at', 'is', null).where('i.revoked_at', 'is not', null);
  if (status === 'expired') q = q.where('i.accepted_at', 'is', null).where('i.revoked_at', 'is', null).where('i.expires_at', '<=', now);
  if (status === 'pending') q = q.where(pendingAt('i', now));
  return q.orderBy('i.created_at', 'desc').orderBy('i.id', 'desc').limit(100).execute();
}

/** Seats a tenant's pending invitations hold (limits.users counts them beside its users). */
export async function countPendingInvitations(db: Kysely<Database>, tenantId: string, now: Date): Promise<number> {
  const row = await db
    .selectFrom('invitations as i')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('i.tenant_id', '=', tenantId)
    .where(pendingAt('i', now))
    .executeTakeFirstOrThrow();
  return row.n;
}
