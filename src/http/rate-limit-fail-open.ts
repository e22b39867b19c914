import type { FastifyBaseLogger } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import type { Clock } from '../lib/clock.js';
import { createMemoryRateLimitStore, type RateLimitStore } from './rate-limit-store.js';
import { createRedisRateLimitStore } from './redis-rate-limit-store.js';

/** After a failed take, requests skip the shared store this long: a stalled Redis costs one timeout a second, not one a request. */
const PAUSE_MS = 1_000;

/**
 * The store rate limits are counted in: Redis when `redisUrl` is set, failing open to this
 * process's buckets; this process's buckets alone otherwise.
 */
export function createRateLimitStore(options: { redisUrl: string | null; clock: Clock; log: FastifyBaseLogger; registry: Registry }): RateLimitStore {
  const local = createMemoryRateLimitStore(options.clock);
  if (!options.redisUrl) return local;
  return failOpen(createRedisRateLimitStore(options.redisUrl), { fallback: local, log: options.log, registry: options.registry });
}

/**
 * A shared store that never refuses a request for its own failure: while it is unreachable or
 * slow, requests are counted in `fallback` (so each node still limits on its own). The outage is
 * logged once when it starts and once when it ends, and every failed take is counted in
 * `landlord_rate_limit_store_errors_total`.
 */
export function failOpen(shared: RateLimitStore, options: { fallback: RateLimitStore; log: FastifyBaseLogger; registry: Registry }): RateLimitStore {
  const { fallback, log } = options;
  const errors = new Counter({
    name: 'landlord_rate_limit_store_errors_total',
    help: 'Rate limit checks the shared store (Redis) failed or timed out; those requests were counted in the process instead',
    registers: [options.registry],
  });
  let attempts = 0;
  // While down: the attempt number at which the outage began; a success of a later attempt ends it.
  let downSince: number | null = null;
  let pausedUntil = 0;

  return {
    take(buckets) {
      if (pausedUntil > Date.now()) return fallback.take(buckets);
      const attempt = ++attempts;
      return Promise.resolve(shared.take(buckets)).then(
        (result) => {
          if (downSince !== null && attempt > downSince) {
            downSince = null;
            log.info('rate limit store is reachable again; limits are shared across processes again');
          }
          return result;
        },
        (error: unknown) => {
          errors.inc();
          pausedUntil = Date.now() + PAUSE_MS;
          if (downSince === null) {
            downSince = attempts;
            log.warn({ err: error }, 'rate limit store unreachable; requests are allowed and limited per process until it is back');
          }
          return fallback.take(buckets);
        },
      );
    },
    ready: () => shared.ready(),
    close: () => shared.close(),
  };
}
