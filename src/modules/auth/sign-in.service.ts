import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { errors } from '../../lib/errors.js';
import type { Clock } from '../../lib/clock.js';
import { randomToken, sha256 } from '../../lib/crypto.js';
import { newId } from '../../lib/ids.js';
import { findUser, findUserByEmail, presentUser } from '../users/user.repository.js';
import type { User } from '../users/user.schemas.js';
import { verifyPassword } from '../users/password.js';
import type { Attempt, Throttle } from '../access/throttle.js';
import { tenantUsable } from '../access/owner.repository.js';
import { findTenantEntitlements } from '../plans/plan.repository.js';
import { recordAudit } from '../audit/audit-entry.js';
import type { Role } from '../access/principal.js';
import type { UserTokenResponse, UserTokenSubject } from '../oauth/user-token-issuer.js';

export const SESSION_TTL_MS = 12 * 3600_000;
export const SIGN_IN_LINK_TTL_MS = 15 * 60_000;

/** A session as its user sees it: who, until when, and what the user's tenant is entitled to. */
export interface SessionView {
  user: User;
  expiresAt: Date;
  plan: string | null;
  features: Record<string, boolean | number | string>;
}

export interface SessionStart extends SessionView {
  token: string;
}

/** Signs session tokens (the oauth module, with the keys of every access token). */
export interface UserTokens {
  userToken(subject: UserTokenSubject, notAfter?: Date): Promise<UserTokenResponse>;
}

export function createSignInService(deps: { db: Kysely<Database>; clock: Clock; throttle: Throttle; userTokens?: UserTokens }) {
  const { db, clock, throttle } = deps;

  async function startSession(
    userId: string,
    meta: { ip?: string; userAgent?: string; requestId?: string },
    action: 'auth.login' | 'auth.sign_in_link' | 'auth.invitation' | 'auth.sso',
    details?: Record<string, unknown>,
  ): Promise<SessionStart> {
    const now = clock.now();
    const token = randomToken(43);
    const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
    const user = await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('sessions')
        .values({
          id: newId('ses', now.getTime()),
          token_hash: sha256(token),
          user_id: userId,
          created_at: now,
          expires_at: expiresAt,
          ip: meta.ip ?? null,
          user_agent: meta.userAgent?.slice(0, 500) ?? null,
        })
        .execute();
      const row = await trx.updateTable('users').set({ last_sign_in_at: now }).where('id', '=', userId).returningAll().executeTakeFirstOrThrow();
      await recordAudit(trx, clock, {
        organizationId: row.organization_id,
        tenantId: row.tenant_id,
        actor: { type: 'user', id: row.id, credentialId: null },
        action,
        target: { type: 'user', id: row.id },
        meta,
        changes: details,
      });
      return row;
    });
    return { token, ...(await viewOf(await presentUser(db, user), expiresAt)) };
  }

  async function viewOf(user: User, expiresAt: Date): Promise<SessionView> {
    const entitlements = user.tenantId ? await findTenantEntitlements(db, user.tenantId) : undefined;
    return { user, expiresAt, plan: entitlements?.plan ?? null, features: entitlements?.features ?? {} };
  }

  async function session(token: string): Promise<SessionView> {
    const row = await db.selectFrom('sessions').select(['user_id', 'expires_at']).where('token_hash', '=', sha256(token)).executeTakeFirst();
    if (!row || row.expires_at.getTime() <= clock.now().getTime() || !(await usable(row.user_id))) {
      throw errors.unauthorized('The session has ended; sign in again');
    }
    const user = await findUser(db, row.user_id);
    return viewOf(await presentUser(db, user!), row.expires_at);
  }

  async function usable(userId: string): Promise<boolean> {
    const row = await db
      .selectFrom('users as u')
      .leftJoin('tenants as t', 't.id', 'u.tenant_id')
      .select(['u.is_active', tenantUsable('t').as('tenant_active'), 'u.tenant_id'])
      .where('u.id', '=', userId)
      .executeTakeFirst();
    return !!row && row.is_active && (row.tenant_id === null || row.tenant_active === true);
  }

  async function checkPassword(
    email: string,
    password: string,
    meta: { ip: string; userAgent?: string; requestId?: string },
    attempt: Attempt,
  ): Promise<SessionStart> {
    const user = await findUserByEmail(db, email);
    const ok = await verifyPassword(password, user?.password_hash ?? null);
    if (!ok || !user) {
      await recordAudit(db, clock, {
        organizationId: user?.organization_id ?? null,
        tenantId: user?.tenant_id ?? null,
        actor: { type: 'anonymous', id: null, credentialId: null },
        action: 'auth.login_failed',
        target: user ? { type: 'user', id: user.id } : undefined,
        meta,
        changes: { email },
      });
      await attempt.failed();
      throw errors.unauthorized('The email or password is not correct');
    }
    if (!(await usable(user.id))) {
      await attempt.failed();
      throw errors.unauthorized('This account is deactivated');
    }
    await attempt.succeeded();
    return startSession(user.id, meta, 'auth.login');
  }

  return {
    /** Email and password; failures are counted per account and per address, then slowed and refused. */
    async login(email: string, password: string, meta: { ip: string; userAgent?: string; requestId?: string }): Promise<SessionStart> {
      // Counted before the password is hashed: parallel guesses beyond the budget never reach the hash.
      const attempt = await throttle.begin(`email:${email.toLowerCase()}`, meta.ip);
      try {
        return await checkPassword(email, password, meta, attempt);
      } finally {
        attempt.release();
      }
    },

    /** A one-time sign-in link for the dashboard. */
    async createLink(executor: Kysely<Database>, userId: string): Promise<{ token: string; expiresAt: string }> {
      const now = clock.now();
      const token = randomToken(43);
      const expiresAt = new Date(now.getTime() + SIGN_IN_LINK_TTL_MS);
      await executor
        .insertInto('sign_in_links')
        .values({ token_hash: sha256(token), user_id: userId, created_at: now, expires_at: expiresAt })
        .execute();
      return { token, expiresAt: expiresAt.toISOString() };
    },

    /**
     * Opens a session for a user who just proved who they are another way: an accepted invitation,
     * or their tenant's identity provider (`details` names the connection in the audit entry).
     */
    startFor: (
      userId: string,
      meta: { ip?: string; userAgent?: string; requestId?: string },
      via: 'auth.invitation' | 'auth.sso' = 'auth.invitation',
      details?: Record<string, unknown>,
    ) => startSession(userId, meta, via, details),

    /** Spends a sign-in link (once) and opens a session. */
    async consumeLink(token: string, meta: { ip: string; userAgent?: string; requestId?: string }): Promise<SessionStart> {
      const attempt = await throttle.begin('sign_in_link', meta.ip);
      try {
        const now = clock.now();
        const link = await db
          .updateTable('sign_in_links')
          .set({ used_at: now })
          .where('token_hash', '=', sha256(token))
          .where('used_at', 'is', null)
          .where('expires_at', '>', now)
          .returning('user_id')
          .executeTakeFirst();
        if (!link || !(await usable(link.user_id))) {
          await attempt.failed();
          throw errors.unauthorized('This sign-in link is invalid, used or expired');
        }
        await attempt.succeeded();
        return await startSession(link.user_id, meta, 'auth.sign_in_link');
      } finally {
        attempt.release();
      }
    },

    session,

    /**
     * A short-lived token for the signed-in user of this session, saying who it is and what it may
     * do, for the platform's own backend to verify through the JWKS. It outlives neither the
     * session nor the user's permissions (a change revokes it).
     */
    async token(sessionToken: string, meta: { ip?: string; userAgent?: string; requestId?: string }): Promise<UserTokenResponse> {
      if (!deps.userTokens) throw new Error('no token issuer configured');
      const view = await session(sessionToken);
      const { user } = view;
      const issued = await deps.userTokens.userToken(
        {
          userId: user.id,
          organizationId: user.organizationId,
          tenantId: user.tenantId,
          role: user.role as Role,
          roles: user.roles,
          permissions: user.permissions,
          ...(user.tenantId ? { plan: view.plan, features: view.features } : {}),
        },
        view.expiresAt,
      );
      await recordAudit(db, clock, {
        organizationId: user.organizationId,
        tenantId: user.tenantId,
        actor: { type: 'user', id: user.id, credentialId: null },
        action: 'auth.token',
        target: { type: 'user', id: user.id },
        meta,
      });
      return issued;
    },

    async logout(token: string): Promise<void> {
      await db.deleteFrom('sessions').where('token_hash', '=', sha256(token)).execute();
    },
  };
}

export type SignInService = ReturnType<typeof createSignInService>;
