import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { errors } from '../../lib/errors.js';
import type { Clock } from '../../lib/clock.js';
import { addressBucket } from '../../lib/ip.js';

export interface ThrottlePolicy {
  /** Failures one address may make, on any accounts, in a window before it is locked out. */
  addressLimit: number;
  /** Failures one address may make against one account (or client) before that pair is locked out. */
  pairLimit: number;
  /** Failures on an account, from anywhere, before its answers are slowed down. */
  slowAfter: number;
  windowMs: number;
  lockMs: number;
  maxDelayMs: number;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = { addressLimit: 10, pairLimit: 5, slowAfter: 3, windowMs: 15 * 60_000, lockMs: 15 * 60_000, maxDelayMs: 2000 };

/** One sign-in or client authentication attempt, counted before its secret is checked. */
export interface Attempt {
  succeeded(): Promise<void>;
  /** Records the failure and waits a delay that grows with the account's failures. */
  failed(): Promise<void>;
  /** Neither (the check itself failed): frees the attempt's place without a verdict. Safe after either. */
  release(): void;
}

export interface Throttle {
  /**
   * Counts an attempt on `subject` (`email:…`, `client:…`) from `address` before any secret is
   * hashed; throws 429 with Retry-After when the address, or the address against this subject, has
   * spent its budget, counting the attempts still being checked.
   */
  begin(subject: string, address: string, options?: BeginOptions): Promise<Attempt>;
}

export interface BeginOptions {
  /**
   * true (the default, for passwords): attempts still being checked count against the budget, so
   * parallel guesses are refused before they reach a deliberately slow hash. false (for high-entropy
   * secrets whose check is cheap, such as API keys): only failures count, so a client may run many
   * requests at once; each failure is counted atomically in the database and those beyond the
   * budget answer 429, however many run side by side.
   */
  countBeforeCheck?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tooMany(seconds: number) {
  return errors.rateLimited(`Too many failed attempts; try again in ${seconds} s`, seconds);
}

/**
 * Failed-credential counting. Lockouts are per address and per address+account, never per account
 * alone: a stranger guessing at an account from elsewhere cannot lock its owner out; failures on
 * the account from anywhere only slow its answers down. Failures live in the database, so every
 * node sees them; attempts still in progress are counted in this process, so parallel guesses are
 * refused before they reach the (deliberately slow) password hash.
 */
export function createThrottle(deps: { db: Kysely<Database>; clock: Clock; policy?: ThrottlePolicy }): Throttle {
  const { db, clock } = deps;
  const policy = deps.policy ?? DEFAULT_THROTTLE;
  const inFlight = new Map<string, number>();
  const hold = (key: string, by: number) => {
    const n = (inFlight.get(key) ?? 0) + by;
    if (n <= 0) inFlight.delete(key);
    else inFlight.set(key, n);
  };

  async function record(keys: string[], now: Date): Promise<Map<string, number>> {
    const windowStart = new Date(now.getTime() - policy.windowMs);
    const rows = await db
      .insertInto('login_throttle')
      .values(keys.map((key) => ({ key, failures: 1, window_start: now, locked_until: null })))
      .onConflict((oc) =>
        oc.column('key').doUpdateSet((eb) => ({
          // A failure after the window has passed starts a new count.
          failures: eb
            .case()
            .when('login_throttle.window_start', '<', windowStart)
            .then(1)
            .else(eb('login_throttle.failures', '+', 1))
            .end(),
          window_start: eb.case().when('login_throttle.window_start', '<', windowStart).then(now).else(eb.ref('login_throttle.window_start')).end(),
        })),
      )
      .returning(['key', 'failures'])
      .execute();
    return new Map(rows.map((r) => [r.key, r.failures]));
  }

  return {
    async begin(subject, address, options = {}) {
      const countBeforeCheck = options.countBeforeCheck ?? true;
      const bucket = addressBucket(address);
      const ipKey = `ip:${bucket}`;
      const pairKey = `pair:${subject}|${bucket}`;
      const limits = new Map([
        [ipKey, policy.addressLimit],
        [pairKey, policy.pairLimit],
      ]);
      const now = clock.now();
      const windowStart = now.getTime() - policy.windowMs;
      const rows = await db.selectFrom('login_throttle').selectAll().where('key', 'in', [ipKey, pairKey, subject]).execute();
      const failures = new Map(rows.filter((r) => r.window_start.getTime() >= windowStart).map((r) => [r.key, r.failures]));
      const lockedUntil = Math.max(0, ...rows.filter((r) => r.key !== subject).map((r) => r.locked_until?.getTime() ?? 0));
      if (lockedUntil > now.getTime()) throw tooMany(Math.ceil((lockedUntil - now.getTime()) / 1000));
      for (const [key, limit] of limits) {
        if ((failures.get(key) ?? 0) + (countBeforeCheck ? (inFlight.get(key) ?? 0) : 0) >= limit) throw tooMany(1);
      }
      if (countBeforeCheck) for (const key of limits.keys()) hold(key, 1);
      let settled = false;
      const release = () => {
        if (settled) return false;
        settled = true;
        if (countBeforeCheck) for (const key of limits.keys()) hold(key, -1);
        return true;
      };
      return {
        release: () => void release(),
        async succeeded() {
          if (!release()) return;
          // A success ends the account's streak and this address's against it; the address's other failures stay.
          if (failures.has(subject) || failures.has(pairKey)) await db.deleteFrom('login_throttle').where('key', 'in', [subject, pairKey]).execute();
        },
        async failed() {
          if (settled) return;
          const at = clock.now();
          let counts: Map<string, number>;
          try {
            counts = await record([ipKey, pairKey, subject], at);
            const reached = [...limits].filter(([key, limit]) => (counts.get(key) ?? 0) >= limit).map(([key]) => key);
            if (reached.length) {
              await db
                .updateTable('login_throttle')
                .set({ locked_until: new Date(at.getTime() + policy.lockMs) })
                .where('key', 'in', reached)
                .execute();
            }
          } finally {
            // Only after the failure is on record: the next attempt must see it.
            release();
          }
          // Counted after the check: the failures beyond the budget (parallel ones included) are refused.
          if (!countBeforeCheck && [...limits].some(([key, limit]) => (counts.get(key) ?? 0) > limit)) throw tooMany(Math.ceil(policy.lockMs / 1000));
          const worst = counts.get(subject) ?? 0;
          if (worst >= policy.slowAfter) await sleep(Math.min(policy.maxDelayMs, 250 * 2 ** (worst - policy.slowAfter)));
        },
      };
    },
  };
}
