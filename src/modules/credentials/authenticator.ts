import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { errors } from '../../http/errors.js';
import type { Clock } from '../../lib/clock.js';
import { safeEqual } from '../../lib/crypto.js';
import type { Principal } from '../access/principal.js';
import { defaultScopes } from '../access/principal.js';
import { hashSecret, looksLikeSecret } from './api-key.js';
import { findApiKeyBySecretHash, touchApiKey } from './api-key.repository.js';

// lastUsedAt is informational; writing it on every request would turn each read into a write.
const TOUCH_INTERVAL_MS = 60_000;

export interface AuthenticatorDeps {
  db: Kysely<Database>;
  clock: Clock;
  rootKeyHash: string;
  defaultOrganizationId: string;
}

export type Authenticator = (authorization: string | undefined) => Promise<Principal>;

/** Extracts the credential from `Bearer <x>` or its alias `Token <x>`. */
export function parseAuthorization(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^(?:Bearer|Token)\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}

export function createAuthenticator(deps: AuthenticatorDeps): Authenticator {
  const rootPrincipal: Principal = Object.freeze({
    kind: 'root',
    id: 'root',
    role: 'superadmin',
    organizationId: deps.defaultOrganizationId,
    tenantId: null,
    scopes: new Set(defaultScopes('superadmin')),
  });

  return async function authenticate(authorization) {
    const credential = parseAuthorization(authorization);
    if (!credential) throw errors.unauthorized();
    if (!looksLikeSecret(credential)) throw errors.unauthorized('The credential is not valid');
    const hash = hashSecret(credential);
    if (safeEqual(hash, deps.rootKeyHash)) return rootPrincipal;

    const key = await findApiKeyBySecretHash(deps.db, hash);
    const now = deps.clock.now();
    if (!key || key.revoked_at) throw errors.unauthorized('The credential is not valid');
    if (key.expires_at && key.expires_at.getTime() <= now.getTime()) throw errors.unauthorized('The API key has expired');
    if (key.tenant_id && key.tenant_active === false) throw errors.unauthorized('The tenant is deactivated');
    if (!key.last_used_at || now.getTime() - key.last_used_at.getTime() > TOUCH_INTERVAL_MS) {
      touchApiKey(deps.db, key.id, now).catch(() => {});
    }
    return {
      kind: 'api_key',
      id: key.id,
      role: key.tenant_id ? 'owner' : 'admin',
      organizationId: key.organization_id,
      tenantId: key.tenant_id,
      scopes: new Set(key.scopes as unknown as string[]),
    };
  };
}
