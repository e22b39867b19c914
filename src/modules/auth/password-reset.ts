import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { randomToken, sha256 } from '../../lib/crypto.js';
import { errors } from '../../lib/errors.js';
import type { SecretBox } from '../../lib/secret-box.js';
import type { Throttle } from '../access/throttle.js';
import { recordAudit } from '../audit/audit-entry.js';
import { enqueueMail } from '../mail/mail.outbox.js';
import { passwordResetMail } from '../mail/mail.templates.js';
import { tenantUsable } from '../access/owner.repository.js';
import { findUserByEmail } from '../users/user.repository.js';
import { recordUsersRevoked, type Revocations } from '../credentials/revocations.js';
import { preparePassword } from '../users/user.service.js';

export const PASSWORD_RESET_TTL_MS = 30 * 60_000;
/** Reset mails one account gets at most in a window, however often it is asked for. */
const MAILS_PER_WINDOW = 3;
const WINDOW_MS = 15 * 60_000;

export interface PasswordResetDeps {
  db: Kysely<Database>;
  clock: Clock;
  throttle: Throttle;
  secretBox: SecretBox;
  /** The dashboard's reset page for a token, as an absolute URL. */
  resetUrl: (token: string) => string;
  /** Whether mails go out; without them a reset link is only ever handed to administrators (sign-in links). */
  mailing: boolean;
  /** Its session tokens stop with its sessions. */
  revocations: Pick<Revocations, 'markUsersRevoked'>;
  maxTokenTtlSeconds: number;
  log?: { warn(obj: object, msg: string): void };
}

/**
 * Password reset by mail. A request answers the same, at once, whether or not the address has an
 * account: the lookup and the mail happen after the answer. The link's token is stored hashed and
 * works once for 30 minutes; confirming it sets the password and ends every session of the user.
 */
export function createPasswordReset(deps: PasswordResetDeps) {
  const { db, clock, secretBox } = deps;

  async function mailLink(email: string): Promise<void> {
    const user = await findUserByEmail(db, email);
    if (!user || !user.is_active) return;
    const now = clock.now();
    await db.transaction().execute(async (trx) => {
      const recent = await trx
        .selectFrom('password_resets')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', user.id)
        .where('created_at', '>', new Date(now.getTime() - WINDOW_MS))
        .executeTakeFirstOrThrow();
      if (Number(recent.n) >= MAILS_PER_WINDOW) return;
      const token = randomToken(43);
      const expiresAt = new Date(now.getTime() + PASSWORD_RESET_TTL_MS);
      await trx
        .insertInto('password_resets')
        .values({ token_hash: sha256(token), user_id: user.id, created_at: now, expires_at: expiresAt })
        .execute();
      await enqueueMail(trx, secretBox, now, {
        organizationId: user.organization_id,
        tenantId: user.tenant_id,
        kind: 'password_reset',
        to: user.email,
        ...passwordResetMail({ url: deps.resetUrl(token), expiresAt }),
      });
    });
  }

  return {
    /** Counts the request against the address (429 past the sign-in budget), then answers; the rest runs after. */
    async request(email: string, ip: string): Promise<void> {
      const attempt = await deps.throttle.begin(`reset:${email.toLowerCase().slice(0, 320)}`, ip, { countBeforeCheck: false });
      // Every request counts, like a failed sign-in: an address cannot mail an account without end.
      setImmediate(() => {
        attempt
          .failed()
          .catch(() => {})
          .finally(() => attempt.release());
        if (!deps.mailing) return;
        mailLink(email).catch((error: unknown) => deps.log?.warn({ err: error }, 'a password reset could not be queued'));
      });
    },

    /** Spends the token: sets the password and ends every session of the user; the user's id, for a new session. */
    async confirm(token: string, password: string): Promise<string> {
      const passwordHash = (await preparePassword(password))!;
      const revokedAt = clock.now();
      const userId = await db.transaction().execute(async (trx) => {
        const now = clock.now();
        const reset = await trx
          .updateTable('password_resets')
          .set({ used_at: now })
          .where('token_hash', '=', sha256(token))
          .where('used_at', 'is', null)
          .where('expires_at', '>', now)
          .returning('user_id')
          .executeTakeFirst();
        const user =
          reset &&
          (await trx
            .selectFrom('users as u')
            .leftJoin('tenants as t', 't.id', 'u.tenant_id')
            .select(['u.id', 'u.organization_id', 'u.tenant_id', 'u.is_active', tenantUsable('t').as('tenant_usable')])
            .where('u.id', '=', reset.user_id)
            .executeTakeFirst());
        if (!user || !user.is_active || (user.tenant_id !== null && !user.tenant_usable)) {
          throw errors.gone('TOKEN_EXPIRED', 'This password reset link is used or expired; ask for a new one');
        }
        await trx.updateTable('users').set({ password_hash: passwordHash, updated_at: now }).where('id', '=', user.id).execute();
        // Whoever knew the old password is signed out; so is every other reset link.
        await trx.deleteFrom('sessions').where('user_id', '=', user.id).execute();
        await recordUsersRevoked(trx, [user.id], revokedAt, deps.maxTokenTtlSeconds);
        await trx.updateTable('password_resets').set({ used_at: now }).where('user_id', '=', user.id).where('used_at', 'is', null).execute();
        await recordAudit(trx, clock, {
          organizationId: user.organization_id,
          tenantId: user.tenant_id,
          actor: { type: 'user', id: user.id, credentialId: null },
          action: 'auth.password_reset',
          target: { type: 'user', id: user.id },
          meta: {},
        });
        return user.id;
      });
      deps.revocations.markUsersRevoked([userId], revokedAt);
      return userId;
    },
  };
}

export type PasswordReset = ReturnType<typeof createPasswordReset>;
