import type { Clock } from '../lib/clock.js';

/** One token bucket: `capacity` requests of burst, refilled continuously at `perMinute`. */
export interface Bucket {
  /** What is counted, e.g. `cred:<principal id>` or `tenant:<tenant id>`. */
  readonly key: string;
  readonly capacity: number;
  readonly perMinute: number;
}

/** A bucket's state after a take, in the terms of the `RateLimit-*` and `Retry-After` headers. */
export interface Take {
  /** This bucket had a token for the request. */
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the bucket is full again. */
  readonly resetSeconds: number;
  /** Seconds until it has a token again; 0 when it has one. */
  readonly retryAfterSeconds: number;
}

/** Where token buckets are counted: in this process, or in a store every API process shares. */
export interface RateLimitStore {
  /**
   * Takes a token from every bucket at once, or from none when any of them is empty, so a refused
   * request costs no bucket anything. One result per bucket, in order.
   */
  take(buckets: readonly Bucket[]): Take[] | Promise<Take[]>;
  /** Resolves when the store can answer (or has given up waiting for now); never rejects. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** The headers' view of a bucket holding `tokens` (after the take, if there was one). */
export function describeBucket(bucket: Bucket, tokens: number, allowed: boolean): Take {
  const perSecond = bucket.perMinute / 60;
  return {
    allowed,
    limit: bucket.capacity,
    remaining: Math.floor(tokens),
    resetSeconds: Math.max(1, Math.ceil((bucket.capacity - tokens) / perSecond)),
    retryAfterSeconds: tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - tokens) / perSecond)),
  };
}

interface State {
  tokens: number;
  at: number;
  capacity: number;
  perMs: number;
}

/** Token buckets in this process's memory: with N API processes each counts on its own. */
export function createMemoryRateLimitStore(clock: Clock): RateLimitStore {
  const states = new Map<string, State>();
  let lastSweep = 0;
  return {
    take(buckets) {
      const now = clock.now().getTime();
      if (now - lastSweep > 60_000) {
        // Forget buckets idle long enough to be full again.
        for (const [key, s] of states) if (s.tokens + (now - s.at) * s.perMs >= s.capacity) states.delete(key);
        lastSweep = now;
      }
      const current = buckets.map((bucket) => {
        const perMs = bucket.perMinute / 60_000;
        const state = states.get(bucket.key) ?? { tokens: bucket.capacity, at: now, capacity: bucket.capacity, perMs };
        state.tokens = Math.min(bucket.capacity, state.tokens + Math.max(0, now - state.at) * perMs);
        state.at = now;
        state.capacity = bucket.capacity;
        state.perMs = perMs;
        states.set(bucket.key, state);
        return state;
      });
      const allowed = current.every((s) => s.tokens >= 1);
      return current.map((state, i) => {
        const had = state.tokens >= 1;
        if (allowed) state.tokens -= 1;
        return describeBucket(buckets[i]!, state.tokens, had);
      });
    },
    ready: async () => {},
    close: async () => {},
  };
}
