import type { FastifyInstance } from 'fastify';
import type { Clock } from '../lib/clock.js';
import { errors } from '../lib/errors.js';

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A per-credential token bucket: `perMinute` requests of burst, refilled continuously, reported
 * on every response with the `RateLimit-*` headers. Counted per process: with N API processes
 * the effective budget is up to N times the limit, which keeps the hot path free of shared-state
 * round trips.
 */
export function registerRateLimit(app: FastifyInstance, options: { perMinute: number; clock: Clock }) {
  if (options.perMinute <= 0) return;
  const capacity = options.perMinute;
  const perMs = capacity / 60_000;
  const buckets = new Map<string, Bucket>();
  let lastSweep = 0;

  app.addHook('onRequest', (request, reply, done) => {
    const now = options.clock.now().getTime();
    if (now - lastSweep > 60_000) {
      // Forget credentials idle long enough to be full again.
      for (const [id, b] of buckets) if (b.tokens + (now - b.at) * perMs >= capacity) buckets.delete(id);
      lastSweep = now;
    }
    const id = request.principal?.id ?? `ip:${request.ip}`;
    const bucket = buckets.get(id) ?? { tokens: capacity, at: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.at) * perMs);
    bucket.at = now;
    buckets.set(id, bucket);
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    const remaining = Math.floor(bucket.tokens);
    reply.header('ratelimit-limit', String(capacity));
    reply.header('ratelimit-remaining', String(remaining));
    reply.header('ratelimit-reset', String(Math.max(1, Math.ceil((capacity - bucket.tokens) / perMs / 1000))));
    if (allowed) return done();
    const retry = Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
    done(errors.rateLimited(`Rate limit of ${capacity} requests per minute exceeded`, retry));
  });
}
