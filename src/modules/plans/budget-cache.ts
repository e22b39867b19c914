import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { effectiveLimit } from './quota.js';

/**
 * Each tenant's `requestsPerMinute`, remembered for a few seconds so the rate limit costs no
 * database read per request. A change is seen at once on the node that made it (`forget`) and
 * within `ttlMs` on the others. Concurrent misses for one tenant share one read; a failed read
 * leaves the tenant unlimited for that request (the database being away is answered elsewhere).
 */
export function createBudgetCache(deps: { db: Kysely<Database>; clock: Clock; ttlMs?: number; maxEntries?: number }) {
  const ttlMs = deps.ttlMs ?? 5_000;
  const maxEntries = deps.maxEntries ?? 100_000;
  const entries = new Map<string, { value: number | null; until: number }>();
  const loading = new Map<string, Promise<number | null>>();

  async function load(tenantId: string): Promise<number | null> {
    try {
      const value = await effectiveLimit(deps.db, tenantId, 'requestsPerMinute');
      if (entries.size >= maxEntries) entries.clear();
      entries.set(tenantId, { value, until: deps.clock.now().getTime() + ttlMs });
      return value;
    } catch {
      return null;
    } finally {
      loading.delete(tenantId);
    }
  }

  return {
    /** The tenant's budget per minute, or null when it has none. */
    requestsPerMinute(tenantId: string): number | null | Promise<number | null> {
      const entry = entries.get(tenantId);
      if (entry && entry.until > deps.clock.now().getTime()) return entry.value;
      let pending = loading.get(tenantId);
      if (!pending) {
        pending = load(tenantId);
        loading.set(tenantId, pending);
      }
      return pending;
    },
    /** Forgets what is remembered (one tenant, or all after a plan changed). */
    forget(tenantId?: string) {
      if (tenantId === undefined) entries.clear();
      else entries.delete(tenantId);
    },
  };
}

export type BudgetCache = ReturnType<typeof createBudgetCache>;
