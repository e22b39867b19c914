import type { Kysely } from 'kysely';
import * as oidc from 'openid-client';
import type { Database } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { sha256 } from '../../lib/crypto.js';
import { AppError } from '../../lib/errors.js';
import type { SecretBox } from '../../lib/secret-box.js';
import { recordAudit } from '../audit/audit-entry.js';
import type { ChangeRecorder } from '../events/outbox.js';
import { findUserByEmail } from '../users/user.repository.js';
import type { UserService } from '../users/user.service.js';
import { ProviderUnavailableError, type OidcClients } from './oidc-client.js';
import { isNetworkFailure } from '../../lib/network-errors.js';
import { findUsableConnection } from './sso.repository.js';

/** How long a sign-in may take between leaving for the provider and coming back. */
export const SSO_ATTEMPT_TTL_MS = 10 * 60_000;

export type SsoFailure =
  | 'SSO_NOT_CONFIGURED'
  | 'SSO_STATE_INVALID'
  | 'SSO_BROWSER_MISMATCH'
  | 'SSO_PROVIDER_ERROR'
  | 'SSO_PROVIDER_UNAVAILABLE'
  | 'SSO_TOKEN_INVALID'
  | 'SSO_EMAIL_MISSING'
  | 'SSO_EMAIL_NOT_VERIFIED'
  | 'SSO_EMAIL_DOMAIN'
  | 'SSO_EMAIL_OTHER_TENANT'
  | 'SSO_IDENTITY_CONFLICT'
  | 'SSO_USER_INACTIVE'
  | 'SSO_TENANT_INACTIVE'
  | 'SSO_SEATS_FULL';

/** A sign-in that ends without a session: the browser is sent back to the sign-in page with this code. */
export class SsoError extends Error {
  constructor(
    readonly code: SsoFailure,
    message: string,
    readonly connection?: { id: string; organizationId: string; tenantId: string },
  ) {
    super(message);
  }
}

export interface SsoSignInDeps {
  db: Kysely<Database>;
  clock: Clock;
  secretBox: SecretBox;
  oidc: OidcClients;
  changes: ChangeRecorder;
  users: Pick<UserService, 'insertIn'>;
  redirectUri: string;
}

type Meta = { ip?: string; userAgent?: string; requestId?: string };

const domainOf = (email: string) => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

/**
 * Sign-in through a tenant's identity provider: the authorization code flow with PKCE, `state`
 * and `nonce`, each attempt stored (verifier sealed) under the hash of its state, bound to the
 * browser that started it (a cookie's hash) and spent once. The code exchange and every check of
 * the ID token (issuer, audience, signature through the provider's JWKS, expiry, nonce, algorithm)
 * are openid-client's. The user is found by the provider's subject once linked, else by email
 * within the connection's tenant only, else created with the connection's default role.
 */
export function createSsoSignIn(deps: SsoSignInDeps) {
  const { db, clock, secretBox, oidc: clients } = deps;

  function credentialsOf(row: { id: string; issuer: string; client_id: string; client_secret_sealed: string; updated_at: Date }) {
    return clients.configurationFor(`${row.id}:${row.updated_at.getTime()}`, {
      issuer: row.issuer,
      clientId: row.client_id,
      clientSecret: secretBox.open(row.client_secret_sealed),
    });
  }

  async function configuration(row: Parameters<typeof credentialsOf>[0], connection: SsoError['connection']) {
    try {
      return await credentialsOf(row);
    } catch (error) {
      if (error instanceof ProviderUnavailableError)
        throw new SsoError('SSO_PROVIDER_UNAVAILABLE', 'The identity provider did not answer; try again in a moment', connection);
      throw new SsoError('SSO_PROVIDER_ERROR', 'The identity provider is not set up correctly', connection);
    }
  }

  /** The user this identity signs in as: linked before, found by email in the tenant, or created now. */
  async function userFor(
    connection: { id: string; organization_id: string; tenant_id: string; default_role: string },
    identity: { subject: string; email: string; name: string },
  ): Promise<string> {
    const ref = { id: connection.id, organizationId: connection.organization_id, tenantId: connection.tenant_id };
    return db.transaction().execute(async (trx) => {
      const now = clock.now();
      const linked = await trx
        .selectFrom('sso_identities as i')
        .innerJoin('users as u', 'u.id', 'i.user_id')
        .select(['u.id', 'u.is_active', 'u.tenant_id'])
        .where('i.connection_id', '=', connection.id)
        .where('i.subject', '=', identity.subject)
        .executeTakeFirst();
      let userId: string;
      if (linked) {
        if (!linked.is_active) throw new SsoError('SSO_USER_INACTIVE', 'This account is deactivated', ref);
        await trx
          .updateTable('sso_identities')
          .set({ last_sign_in_at: now })
          .where('connection_id', '=', connection.id)
          .where('subject', '=', identity.subject)
          .execute();
        return linked.id;
      }
      const existing = await findUserByEmail(trx, identity.email);
      if (existing) {
        // Never merged across tenants: an address known elsewhere is not this provider's to vouch for.
        if (existing.tenant_id !== connection.tenant_id) {
          throw new SsoError('SSO_EMAIL_OTHER_TENANT', `${identity.email} belongs to an account outside this organization's tenant`, ref);
        }
        if (!existing.is_active) throw new SsoError('SSO_USER_INACTIVE', 'This account is deactivated', ref);
        const other = await trx
          .selectFrom('sso_identities')
          .select('subject')
          .where('connection_id', '=', connection.id)
          .where('user_id', '=', existing.id)
          .executeTakeFirst();
        if (other) throw new SsoError('SSO_IDENTITY_CONFLICT', `${identity.email} is linked to another identity of this provider`, ref);
        userId = existing.id;
      } else {
        const owner = { organizationId: connection.organization_id, tenantId: connection.tenant_id };
        const user = await deps.users
          .insertIn(trx, owner, { email: identity.email, name: identity.name, role: connection.default_role, passwordHash: null })
          .catch((error: unknown) => {
            if (error instanceof AppError && error.code === 'QUOTA_EXCEEDED')
              throw new SsoError('SSO_SEATS_FULL', 'The tenant has no seat left for a new user', ref);
            throw error;
          });
        await deps.changes.record(trx, null, { ...owner, operation: 'user.create', target: { type: 'user', id: user.id }, object: user });
        userId = user.id;
      }
      await trx
        .insertInto('sso_identities')
        .values({ connection_id: connection.id, subject: identity.subject, user_id: userId, created_at: now, last_sign_in_at: now })
        .execute();
      return userId;
    });
  }

  return {
    /** Whether an email's domain signs in through a provider (the sign-in page asks before offering it). */
    async lookup(email: string): Promise<boolean> {
      const row = await findUsableConnection(db, { domain: domainOf(email) });
      return !!row?.tenant_usable;
    },

    /** Where to send the browser, and the attempt it carries; `browser` is the browser's binding secret. */
    async start(by: { email?: string; connectionId?: string }, browser: string): Promise<URL> {
      const row = by.connectionId
        ? await findUsableConnection(db, { id: by.connectionId })
        : by.email
          ? await findUsableConnection(db, { domain: domainOf(by.email) })
          : undefined;
      if (!row) throw new SsoError('SSO_NOT_CONFIGURED', 'No single sign-on is set up for this address');
      const ref = { id: row.id, organizationId: row.organization_id, tenantId: row.tenant_id };
      if (!row.tenant_usable) throw new SsoError('SSO_TENANT_INACTIVE', 'This tenant is suspended or deleted', ref);
      const config = await configuration(row, ref);
      const now = clock.now();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const verifier = oidc.randomPKCECodeVerifier();
      await db.deleteFrom('sso_attempts').where('expires_at', '<', now).execute();
      await db
        .insertInto('sso_attempts')
        .values({
          state_hash: sha256(state),
          connection_id: row.id,
          browser_hash: sha256(browser),
          nonce,
          code_verifier_sealed: secretBox.seal(verifier),
          created_at: now,
          expires_at: new Date(now.getTime() + SSO_ATTEMPT_TTL_MS),
        })
        .execute();
      return oidc.buildAuthorizationUrl(config, {
        redirect_uri: deps.redirectUri,
        scope: 'openid email profile',
        state,
        nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        ...(by.email ? { login_hint: by.email } : {}),
      });
    },

    /**
     * The provider's answer at the callback URL (`search`, as received): spends the attempt, checks
     * the browser, exchanges the code and validates the ID token, then finds or creates the user.
     * Answers the user's id; any failure is an SsoError, and an audit entry when the tenant is known.
     */
    async callback(search: string, browser: string | undefined, meta: Meta): Promise<{ userId: string; connectionId: string }> {
      const params = new URLSearchParams(search);
      const state = params.get('state');
      if (!state) throw new SsoError('SSO_STATE_INVALID', 'The answer of the identity provider carries no state');
      const attempt = await db.deleteFrom('sso_attempts').where('state_hash', '=', sha256(state)).returningAll().executeTakeFirst();
      if (!attempt || attempt.expires_at.getTime() <= clock.now().getTime()) {
        throw new SsoError('SSO_STATE_INVALID', 'This sign-in is unknown, already used or expired; start again');
      }
      const row = await findUsableConnection(db, { id: attempt.connection_id });
      if (!row) throw new SsoError('SSO_NOT_CONFIGURED', 'The SSO connection of this sign-in is gone or disabled');
      const ref = { id: row.id, organizationId: row.organization_id, tenantId: row.tenant_id };
      try {
        if (!browser || sha256(browser) !== attempt.browser_hash) {
          throw new SsoError('SSO_BROWSER_MISMATCH', 'This sign-in was started in another browser; start again here', ref);
        }
        if (!row.tenant_usable) throw new SsoError('SSO_TENANT_INACTIVE', 'This tenant is suspended or deleted', ref);
        const config = await configuration(row, ref);
        let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
        try {
          tokens = await oidc.authorizationCodeGrant(config, new URL(`${deps.redirectUri}${search}`), {
            pkceCodeVerifier: secretBox.open(attempt.code_verifier_sealed),
            expectedState: state,
            expectedNonce: attempt.nonce,
            idTokenExpected: true,
          });
        } catch (error) {
          if (error instanceof oidc.AuthorizationResponseError) {
            throw new SsoError('SSO_PROVIDER_ERROR', `The identity provider refused the sign-in (${error.error})`, ref);
          }
          if (isNetworkFailure(error)) throw new SsoError('SSO_PROVIDER_UNAVAILABLE', 'The identity provider did not answer; try again in a moment', ref);
          throw new SsoError('SSO_TOKEN_INVALID', `The identity provider's answer did not pass validation: ${(error as Error).message}`, ref);
        }
        const claims = tokens.claims()!;
        let email = typeof claims.email === 'string' ? claims.email : undefined;
        let verified = claims.email_verified;
        let name = typeof claims.name === 'string' ? claims.name : undefined;
        if (!email && config.serverMetadata().userinfo_endpoint) {
          try {
            const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
            email = typeof info.email === 'string' ? info.email : undefined;
            verified = info.email_verified;
            name ??= typeof info.name === 'string' ? info.name : undefined;
          } catch (error) {
            if (isNetworkFailure(error)) throw new SsoError('SSO_PROVIDER_UNAVAILABLE', 'The identity provider did not answer; try again in a moment', ref);
            throw new SsoError('SSO_TOKEN_INVALID', `The identity provider's user info did not pass validation: ${(error as Error).message}`, ref);
          }
        }
        if (!email) throw new SsoError('SSO_EMAIL_MISSING', 'The identity provider did not say which email address signed in', ref);
        if (verified === false) throw new SsoError('SSO_EMAIL_NOT_VERIFIED', `The identity provider has not verified ${email}`, ref);
        const domains = await db.selectFrom('sso_domains').select('domain').where('connection_id', '=', row.id).execute();
        if (!domains.some((d) => d.domain === domainOf(email))) {
          throw new SsoError('SSO_EMAIL_DOMAIN', `${email} is not in a domain of this SSO connection`, ref);
        }
        const userId = await userFor(row, { subject: claims.sub, email, name: (name ?? email.slice(0, email.indexOf('@'))).slice(0, 200) });
        return { userId, connectionId: row.id };
      } catch (error) {
        if (error instanceof SsoError) {
          await recordAudit(db, clock, {
            organizationId: ref.organizationId,
            tenantId: ref.tenantId,
            actor: { type: 'anonymous', id: null, credentialId: null },
            action: 'auth.sso_failed',
            target: { type: 'sso_connection', id: ref.id },
            meta,
            changes: { code: error.code },
          });
        }
        throw error;
      }
    },
  };
}

export type SsoSignIn = ReturnType<typeof createSsoSignIn>;
