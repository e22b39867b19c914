import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { AppError } from '../../http/errors.js';
import type { Clock } from '../../lib/clock.js';

export interface ThrottlePolicy {
  /** Failures in a window before answers are slowed down. */
  slowAfter: number;
  /** Failures in a window before the key is locked out. */
  lockAfter: number;
  windowMs: number;
  lockMs: number;
  maxDelayMs: number;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = { slowAfter: 3, lockAfter: 10, windowMs: 15 * 60_000, lockMs: 15 * 60_000, maxDelayMs: 2000 };

export interface Throttle {
  /** Throws 429 with Retry-After when any key is locked; returns whether any key has failures on record. */
  check(keys: string[]): Promise<boolean>;
  /** Records a failure for each key and waits a growing delay (slows guessing without locking). */
  fail(keys: string[]): Promise<void>;
  succeed(key: string): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Failed-credential counting kept in the database, so every node sees the same counts. */
export function createThrottle(deps: { db: Kysely<Database>; clock: Clock; policy?: ThrottlePolicy }): Throttle {
  const { db, clock } = deps;
  const policy = deps.policy ?? DEFAULT_THROTTLE;
  return {
    async check(keys) {
      const now = clock.now().getTime();
      const rows = await db.selectFrom('login_throttle').selectAll().where('key', 'in', keys).execute();
      const lockedUntil = Math.max(0, ...rows.map((r) => r.locked_until?.getTime() ?? 0));
      if (lockedUntil > now) {
        const seconds = Math.ceil((lockedUntil - now) / 1000);
        throw new AppError(429, 'RATE_LIMITED', `Too many failed attempts; try again in ${seconds} s`, { headers: { 'retry-after': String(seconds) } });
      }
      return rows.length > 0;
    },
    async fail(keys) {
      const now = clock.now();
      let worst = 0;
      for (const key of keys) {
        const windowStart = new Date(now.getTime() - policy.windowMs);
        const row = await db
          .insertInto('login_throttle')
          .values({ key, failures: 1, window_start: now, locked_until: null })
          .onConflict((oc) =>
            oc.column('key').doUpdateSet((eb) => ({
              // A failure after the window has passed starts a new count.
              failures: eb.case().when('login_throttle.window_start', '<', windowStart).then(1).else(eb('login_throttle.failures', '+', 1)).end(),
              window_start: eb.case().when('login_throttle.window_start', '<', windowStart).then(now).else(eb.ref('login_throttle.window_start')).end(),
            })),
          )
          .returning(['failures'])
          .executeTakeFirstOrThrow();
        if (row.failures >= policy.lockAfter) {
          await db.updateTable('login_throttle').set({ locked_until: new Date(now.getTime() + policy.lockMs) }).where('key', '=', key).execute();
        }
        worst = Math.max(worst, row.failures);
      }
      if (worst >= policy.slowAfter) await sleep(Math.min(policy.maxDelayMs, 250 * 2 ** (worst - policy.slowAfter)));
    },
    async succeed(key) {
      await db.deleteFrom('login_throttle').where('key', '=', key).execute();
    },
  };
}
