import type { FastifyInstance, FastifyReply } from 'fastify';
import { errors } from '../lib/errors.js';
import type { Principal } from '../modules/access/principal.js';
import type { Bucket, RateLimitStore, Take } from './rate-limit-store.js';

export interface RateLimitOptions {
  /** Requests a minute per credential (burst and refill); 0 turns the per-credential limit off. */
  perMinute: number;
  store: RateLimitStore;
  /**
   * Requests a minute all credentials of a tenant share, for a tenant-bound principal; null for
   * none. Called on every request of such a principal: it should answer from memory, and only
   * return a promise when it must read (a tenant it has not seen lately).
   */
  tenantBudget?: (principal: Principal) => number | null | Promise<number | null>;
}

/**
 * Token buckets per credential (and per tenant, with `tenantBudget`), reported on every response
 * with the `RateLimit-*` headers of the tighter bucket. With a shared store (Redis) every API
 * process counts against the same buckets; see rate-limit-fail-open.ts for when it is away.
 */
export function registerRateLimit(app: FastifyInstance, options: RateLimitOptions) {
  const { perMinute, store, tenantBudget } = options;
  if (perMinute <= 0 && !tenantBudget) return;

  app.addHook('onRequest', (request, reply, done) => {
    const principal = request.principal as Principal | null;
    const buckets: Bucket[] = [];
    if (perMinute > 0) buckets.push({ key: principal ? `cred:${principal.id}` : `ip:${request.ip}`, capacity: perMinute, perMinute });
    const take = (budget: number | null) => {
      // A budget of nothing refuses everything, with no bucket that would ever refill.
      if (budget === 0) return done(errors.rateLimited("The tenant's entitlements allow no requests (limits.requestsPerMinute is 0)", 60));
      if (budget !== null) buckets.push({ key: `tenant:${principal!.tenantId}`, capacity: budget, perMinute: budget });
      if (buckets.length === 0) return done();
      const taken = store.take(buckets);
      if (Array.isArray(taken)) return done(answer(reply, taken));
      taken.then((result) => done(answer(reply, result)), done);
    };
    const budget = principal?.tenantId && tenantBudget ? tenantBudget(principal) : null;
    if (budget instanceof Promise) budget.then(take, done);
    else take(budget);
  });
}

/** Sets the headers of the tighter bucket; the error when any bucket is empty. */
function answer(reply: FastifyReply, taken: Take[]) {
  let tightest = taken[0]!;
  for (const t of taken) if (t.remaining < tightest.remaining || (t.remaining === tightest.remaining && t.resetSeconds > tightest.resetSeconds)) tightest = t;
  reply.header('ratelimit-limit', String(tightest.limit));
  reply.header('ratelimit-remaining', String(tightest.remaining));
  reply.header('ratelimit-reset', String(tightest.resetSeconds));
  if (taken.every((t) => t.allowed)) return undefined;
  // Nothing was taken from any bucket: the request may go ahead once every one of them has a token.
  const retry = Math.max(...taken.map((t) => t.retryAfterSeconds));
  const refused = taken.find((t) => !t.allowed)!;
  return errors.rateLimited(`Rate limit of ${refused.limit} requests per minute exceeded`, retry);
}
