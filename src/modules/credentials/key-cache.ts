import type { ApiKeyWithOwner } from './api-key.repository.js';

/**
 * API-key lookups remembered for a moment, so a client making many calls costs one database
 * read per second instead of one per request. What must take effect at once is checked on every
 * hit anyway (revocations and deactivated tenants, kept current by the revocations poller), and
 * this node forgets a key the moment it rotates or revokes it; another node may accept a
 * rotated-out secret for at most `ttlMs` more.
 */
export interface KeyCache {
  get(hash: string, now: number): ApiKeyWithOwner | undefined;
  set(hash: string, key: ApiKeyWithOwner, now: number): void;
  forgetKey(keyId: string): void;
}

const MAX_ENTRIES = 10_000;

export function createKeyCache(ttlMs = 1000): KeyCache {
  const entries = new Map<string, { key: ApiKeyWithOwner; until: number }>();
  return {
    get(hash, now) {
      const entry = entries.get(hash);
      if (!entry) return undefined;
      if (entry.until <= now) {
        entries.delete(hash);
        return undefined;
      }
      return entry.key;
    },
    set(hash, key, now) {
      if (ttlMs <= 0) return;
      if (entries.size >= MAX_ENTRIES) entries.clear();
      entries.set(hash, { key, until: now + ttlMs });
    },
    forgetKey(keyId) {
      for (const [hash, entry] of entries) if (entry.key.id === keyId) entries.delete(hash);
    },
  };
}
