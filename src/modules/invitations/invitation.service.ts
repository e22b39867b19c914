import type { Kysely } from 'kysely';
import type { Database, InvitationRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { randomToken, sha256 } from '../../lib/crypto.js';
import { errors } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { SecretBox } from '../../lib/secret-box.js';
import { tenantUsable } from '../access/owner.repository.js';
import { resolveOwner, type Owner } from '../access/ownership.js';
import { assertMayHandOut, authorize, isAdministrator } from '../access/policy.js';
import { assertRolesExist } from '../roles/role-grants.js';
import { findRolesByKeys } from '../roles/role.repository.js';
import type { Principal } from '../access/principal.js';
import type { ChangeRecorder } from '../events/outbox.js';
import { enqueueMail } from '../mail/mail.outbox.js';
import { invitationMail } from '../mail/mail.templates.js';
import { assertWithinQuota } from '../plans/quota.js';
import { countOwners, findUserByEmail } from '../users/user.repository.js';
import { preparePassword, type UserService } from '../users/user.service.js';
import { findInvitation, findInvitationByTokenHash, listInvitations, pendingAt, statusOf, toInvitation } from './invitation.repository.js';
import type { Invitation, InvitationCreateInput, InvitationStatus } from './invitation.schemas.js';

const DEFAULT_HOURS = 168;

export interface InvitationServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
  changes: ChangeRecorder;
  secretBox: SecretBox;
  users: Pick<UserService, 'insertIn' | 'seatsTaken'>;
  /** The dashboard's acceptance page for a token, as an absolute URL. */
  acceptUrl: (token: string) => string;
  /** Whether mails go out (LANDLORD_SMTP_URL): then the link travels by mail only, never in a response. */
  mailing: boolean;
}

/** What a create or resend answers: the invitation, and the link when no mail carries it. */
export type SentInvitation = Invitation & { url?: string };

const gone = (detail = 'This invitation link is used, revoked or expired; ask for a new invitation') => errors.gone('TOKEN_EXPIRED', detail);

/**
 * Invitations to a tenant. The link's token is the only secret: stored as a hash, mailed through
 * the outbox in the same transaction (or handed back once when Landlord sends no mail). A pending
 * invitation holds a seat of `limits.users`; accepting creates the user with the invited role.
 */
export function createInvitationService(deps: InvitationServiceDeps) {
  const { db, clock, changes, secretBox } = deps;

  async function loadFor(caller: Principal, tenantId: string, invitationId: string, trx: Kysely<Database>, action: 'invitation.revoke' | 'invitation.resend') {
    const owner = await resolveOwner(trx, caller, { tenantId });
    const row = await findInvitation(trx, invitationId, true);
    if (!row || row.tenant_id !== owner.tenantId) throw errors.notFound('Invitation not found');
    authorize(caller, action);
    return { owner, row };
  }

  /** A fresh token for the invitation: mailed in this transaction, or returned for the response. */
  async function send(trx: Kysely<Database>, row: InvitationRow, token: string): Promise<string | undefined> {
    const url = deps.acceptUrl(token);
    if (!deps.mailing) return url;
    const tenant = await trx.selectFrom('tenants').select('display_name').where('id', '=', row.tenant_id).executeTakeFirstOrThrow();
    await enqueueMail(trx, secretBox, clock.now(), {
      organizationId: row.organization_id,
      tenantId: row.tenant_id,
      kind: 'invitation',
      to: row.email,
      ...invitationMail({ tenantName: tenant.display_name, url, expiresAt: row.expires_at }),
    });
    return undefined;
  }

  function record(
    trx: Kysely<Database>,
    caller: Principal | null,
    owner: Owner,
    operation: 'invitation.create' | 'invitation.revoke' | 'invitation.resend' | 'invitation.accept',
    object: Invitation,
    previous?: Invitation,
  ) {
    return changes.record(trx, caller, { ...owner, operation, target: { type: 'invitation', id: object.id }, object, previous });
  }

  return {
    async create(caller: Principal, tenantId: string, input: InvitationCreateInput): Promise<SentInvitation> {
      const owner = await resolveOwner(db, caller, { tenantId }, 'invitation.create');
      const role = input.role ?? 'member';
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        if (await findUserByEmail(trx, input.email)) throw errors.conflict('EMAIL_OCCUPIED', 'A user with this email already exists', 'email');
        const pending = await trx
          .selectFrom('invitations as i')
          .select('i.id')
          .where('i.tenant_id', '=', tenantId)
          .where(({ fn }) => fn('lower', ['i.email']), '=', input.email.toLowerCase())
          .where(pendingAt('i', now))
          .executeTakeFirst();
        if (pending) throw errors.conflict('INVITATION_PENDING', `${input.email} has a pending invitation (${pending.id}); resend it instead`, 'email');
        if (role !== 'owner' && (await countOwners(trx, tenantId)) === 0) {
          throw errors.field('role', 'BAD_FORMAT', 'the first user of a tenant must be its owner');
        }
        // Roles of the organization only, and none carrying more than the inviter holds.
        if (input.roles?.length) {
          const granted = await assertRolesExist(trx, owner.organizationId, input.roles, 'roles');
          assertMayHandOut(caller, { scopes: granted, application: !isAdministrator(caller) }, 'These roles');
        }
        if (role === 'owner') assertMayHandOut(caller, { role: 'owner', scopes: [] }, 'An invitation');
        const token = randomToken(43);
        const row = await trx
          .insertInto('invitations')
          .values({
            id: newId('inv', now.getTime()),
            organization_id: owner.organizationId,
            tenant_id: tenantId,
            email: input.email,
            role,
            roles: [...new Set(input.roles ?? [])],
            token_hash: sha256(token),
            expires_at: new Date(now.getTime() + (input.expiresInHours ?? DEFAULT_HOURS) * 3_600_000),
            created_at: now,
            updated_at: now,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        const url = await send(trx, row, token);
        const invitation = toInvitation(row, now);
        await record(trx, caller, owner, 'invitation.create', invitation);
        // A pending invitation holds a seat.
        await assertWithinQuota(trx, tenantId, 'users', deps.users.seatsTaken);
        return url ? { ...invitation, url } : invitation;
      });
    },

    async list(caller: Principal, tenantId: string, status?: InvitationStatus): Promise<Invitation[]> {
      await resolveOwner(db, caller, { tenantId }, 'invitation.list');
      const now = clock.now();
      return (await listInvitations(db, tenantId, now, status)).map((r) => toInvitation(r, now));
    },

    async revoke(caller: Principal, tenantId: string, invitationId: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const { owner, row } = await loadFor(caller, tenantId, invitationId, trx, 'invitation.revoke');
        const now = clock.now();
        const current = toInvitation(row, now);
        if (current.status !== 'pending')
          throw errors.conflict('INVITATION_NOT_PENDING', `The invitation is ${current.status}; only a pending one can be revoked`);
        const next = await trx
          .updateTable('invitations')
          .set({ revoked_at: now, updated_at: now })
          .where('id', '=', row.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        await record(trx, caller, owner, 'invitation.revoke', toInvitation(next, now), current);
      });
    },

    /** A new link with a new expiry (as long as the first one's); the old link stops working. */
    async resend(caller: Principal, tenantId: string, invitationId: string): Promise<SentInvitation> {
      return db.transaction().execute(async (trx) => {
        const { owner, row } = await loadFor(caller, tenantId, invitationId, trx, 'invitation.resend');
        const now = clock.now();
        const current = toInvitation(row, now);
        if (current.status === 'accepted' || current.status === 'revoked') {
          throw errors.conflict('INVITATION_NOT_PENDING', `The invitation is ${current.status}; invite again instead`);
        }
        const token = randomToken(43);
        const window = row.expires_at.getTime() - row.created_at.getTime();
        const next = await trx
          .updateTable('invitations')
          .set({ token_hash: sha256(token), expires_at: new Date(now.getTime() + window), updated_at: now })
          .where('id', '=', row.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        const url = await send(trx, next, token);
        const invitation = toInvitation(next, now);
        await record(trx, caller, owner, 'invitation.resend', invitation, current);
        return url ? { ...invitation, url } : invitation;
      });
    },

    /**
     * Spends the token: the user is created with the invited role in the same transaction, and
     * its id returned for the session. A used, revoked or expired token (or an unknown one) is 410.
     */
    async accept(input: { token: string; name: string; password: string }): Promise<string> {
      const passwordHash = (await preparePassword(input.password))!;
      return db.transaction().execute(async (trx) => {
        const row = await findInvitationByTokenHash(trx, sha256(input.token));
        const now = clock.now();
        if (!row || statusOf(row, now) !== 'pending') throw gone();
        const tenant = await trx.selectFrom('tenants as t').select(tenantUsable('t').as('usable')).where('t.id', '=', row.tenant_id).executeTakeFirst();
        if (!tenant?.usable) throw gone('The tenant of this invitation is not active');
        // Accepted first: its seat is the one the new user takes.
        const accepted = await trx
          .updateTable('invitations')
          .set({ accepted_at: now, updated_at: now })
          .where('id', '=', row.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        const owner = { organizationId: row.organization_id, tenantId: row.tenant_id };
        // Roles deleted since the invitation are left out (deleting a role takes it from everyone).
        const roles = row.roles.length ? (await findRolesByKeys(trx, row.organization_id, row.roles, true)).map((r) => r.key) : [];
        const user = await deps.users.insertIn(trx, owner, { email: row.email, name: input.name, role: row.role, passwordHash, roles });
        const done = await trx.updateTable('invitations').set({ user_id: user.id }).where('id', '=', row.id).returningAll().executeTakeFirstOrThrow();
        await record(trx, null, owner, 'invitation.accept', toInvitation(done, now), toInvitation({ ...accepted, accepted_at: null }, now));
        await changes.record(trx, null, { ...owner, operation: 'user.create', target: { type: 'user', id: user.id }, object: user });
        return user.id;
      });
    },
  };
}

export type InvitationService = ReturnType<typeof createInvitationService>;
