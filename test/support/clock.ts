import type { Clock } from '../../src/lib/clock.js';

/**
 * A clock a test moves forward. It runs at the real pace from wherever it was last moved to, so
 * code that only reads it behaves as with the system clock, and `advance`/`advanceTo` skip a wait
 * (a retry's backoff, a lease) at once instead of sleeping through it. It never goes back.
 */
export interface TestClock extends Clock {
  advance(ms: number): void;
  /** Moves the clock on to `at`, unless it is there already. */
  advanceTo(at: Date | string | number): void;
  /** Milliseconds skipped so far. */
  readonly skipped: number;
}

export function createTestClock(): TestClock {
  let offset = 0;
  return {
    now: () => new Date(Date.now() + offset),
    advance(ms) {
      offset += Math.max(0, ms);
    },
    advanceTo(at) {
      offset = Math.max(offset, new Date(at).getTime() - Date.now());
    },
    get skipped() {
      return offset;
    },
  };
}
