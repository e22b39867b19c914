import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from '../db/create-db.js';
import type { Clock } from '../lib/clock.js';
import { deliveryBacklog } from '../modules/webhooks/delivery.repository.js';
import { mailBacklog } from '../modules/mail/mail.outbox.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** This app's metrics, for a metrics port of its own. */
    metricsRegistry: Registry;
  }
}

/** A registry per app instance, so tests that build many apps do not share counters. */
export function registerMetrics(app: FastifyInstance, options: { processMetrics: boolean; database: Db; clock: Clock }): Registry {
  const registry = new Registry();
  registerStateGauges(registry, options.database, options.clock);
  app.decorate('metricsRegistry', registry);
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'landlord_' });
  const requests = new Counter({
    name: 'landlord_http_requests_total',
    help: 'HTTP requests by operation and status',
    labelNames: ['method', 'operation', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'landlord_http_request_duration_seconds',
    help: 'HTTP request duration by operation',
    labelNames: ['method', 'operation'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  app.addHook('onResponse', (request, reply, done) => {
    // The operation's name (src/operations.ts); routes outside the API (dashboard files, docs) by their path.
    const operation = request.routeOptions.schema?.operationId ?? request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, operation, status: reply.statusCode });
    duration.observe({ method: request.method, operation }, reply.elapsedTime / 1000);
    done();
  });
  return registry;
}

/** Gauges read at scrape time: the database pool and the webhook backlog. */
function registerStateGauges(registry: Registry, database: Db, clock: Clock) {
  const pool = (field: 'total' | 'idle' | 'waiting') => database.health()?.[field] ?? 0;
  new Gauge({
    name: 'landlord_db_up',
    help: '1 while the database answers, 0 while it is known to be away',
    registers: [registry],
    collect() {
      this.set(database.health()?.down ? 0 : 1);
    },
  });
  new Gauge({
    name: 'landlord_db_pool_connections',
    help: 'Database pool connections by state (PostgreSQL)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.set({ state: 'total' }, pool('total'));
      this.set({ state: 'idle' }, pool('idle'));
      this.set({ state: 'waiting' }, pool('waiting'));
    },
  });
  // One query per scrape serves both gauges (each collects on its own, in turn).
  let sample: { at: number; value: Promise<{ count: number; oldestCreatedAt: Date | null } | null> } | null = null;
  const backlog = () => {
    const now = Date.now();
    if (!sample || now - sample.at > 1000) sample = { at: now, value: deliveryBacklog(database.db).catch(() => null) };
    return sample.value;
  };
  // A database that is away leaves the last values (landlord_db_up says why).
  const count = new Gauge({
    name: 'landlord_webhook_backlog',
    help: 'Webhook deliveries not yet done (pending or being sent)',
    registers: [registry],
    async collect() {
      const b = await backlog();
      if (b) this.set(b.count);
    },
  });
  const age = new Gauge({
    name: 'landlord_webhook_backlog_oldest_age_seconds',
    help: 'Age of the oldest webhook delivery not yet done; 0 without backlog',
    registers: [registry],
    async collect() {
      const b = await backlog();
      if (b) this.set(b.oldestCreatedAt ? Math.max(0, (clock.now().getTime() - b.oldestCreatedAt.getTime()) / 1000) : 0);
    },
  });
  // The mail outbox, the same way.
  let mails: { at: number; value: Promise<{ count: number; oldestCreatedAt: Date | null } | null> } | null = null;
  const mailSample = () => {
    const now = Date.now();
    if (!mails || now - mails.at > 1000) mails = { at: now, value: mailBacklog(database.db).catch(() => null) };
    return mails.value;
  };
  new Gauge({
    name: 'landlord_mail_backlog',
    help: 'Mails not yet sent (pending or being sent)',
    registers: [registry],
    async collect() {
      const b = await mailSample();
      if (b) this.set(b.count);
    },
  });
  new Gauge({
    name: 'landlord_mail_backlog_oldest_age_seconds',
    help: 'Age of the oldest mail not yet sent; 0 without backlog',
    registers: [registry],
    async collect() {
      const b = await mailSample();
      if (b) this.set(b.oldestCreatedAt ? Math.max(0, (clock.now().getTime() - b.oldestCreatedAt.getTime()) / 1000) : 0);
    },
  });
  return { count, age };
}
