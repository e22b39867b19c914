import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { keyProblem, needsTouch, type KeyProblem } from './api-key.js';
import { findApiKeyBySecretHash, touchApiKey, type ApiKeyWithOwner } from './api-key.repository.js';
import { createKeyCache, type KeyCache } from './key-cache.js';
import type { Revocations } from './revocations.js';

export type KeyCheck = { key: undefined; problem: 'unknown' } | { key: ApiKeyWithOwner; problem: KeyProblem | null };

export type KeyLookup = (hash: string, now: Date) => Promise<KeyCheck>;

/**
 * The API key a secret (by its hash) belongs to and what, if anything, keeps it from being used:
 * the one check behind bearer API keys and OAuth client authentication. Lookups go through the
 * key cache; revocations and deactivated tenants are checked on every use against the
 * revocations view, which is current for what the cache remembers.
 */
export function createKeyLookup(deps: { db: Kysely<Database>; revocations: Revocations; keyCache?: KeyCache }): KeyLookup {
  const { db, revocations } = deps;
  const cache = deps.keyCache ?? createKeyCache();
  return async (hash, now) => {
    let key = cache.get(hash, now.getTime());
    const cached = key !== undefined;
    if (!key) {
      key = await findApiKeyBySecretHash(db, hash);
      if (!key) return { key: undefined, problem: 'unknown' };
    }
    if (revocations.isKeyRevoked(key.id)) return { key, problem: 'revoked' };
    // A remembered lookup may predate a deactivation; the revocations view is current for it.
    const tenantActive = key.tenant_id === null || (cached ? !revocations.isTenantInactive(key.tenant_id) : key.tenant_active !== false);
    const problem = keyProblem(key, hash, now, tenantActive);
    // Only a key that may be used is remembered: a refused one is read again next time, so a
    // reactivation (or anything else that lifts the refusal) takes effect at once.
    if (!cached && !problem) cache.set(hash, key, now.getTime());
    if (!problem && needsTouch(key, now)) {
      key.last_used_at = now;
      touchApiKey(db, key.id, now).catch(() => {});
    }
    return { key, problem };
  };
}
