import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { recordChange } from '../events/outbox.js';
import { toWebhook, type WebhookRow } from './webhook.repository.js';

/** A delivery a worker has claimed, with what it needs to send it. */
export interface ClaimedDelivery {
  id: string;
  attempts: number;
  /** The claim's lease; also its fencing token when the outcome is written. */
  lockedUntil: Date;
  webhook: {
    id: string;
    url: string;
    isEnabled: boolean;
    secretSealed: string;
    previousSecretSealed: string | null;
    previousSecretExpiresAt: Date | null;
    /** Whether it was failing when claimed (a success then has a streak to end). */
    failing: boolean;
  } | null;
  /** `data` is the stored JSON text, spliced into the body as is (no parse and re-serialize per attempt). */
  event: { id: string; type: string; createdAt: Date; organizationId: string; tenantId: string | null; data: string } | null;
}

/**
 * Claims up to `limit` due deliveries in one statement (its own short transaction): pending ones
 * whose time has come, and ones a worker claimed but never finished (it crashed or hung) once
 * their lease ran out. SKIP LOCKED lets any number of workers claim side by side without waiting
 * on or taking each other's rows. A claim moves `next_attempt_at` to the end of the lease, so
 * the due-index finds leased rows exactly when they become claimable again.
 */
export async function claimDeliveries(db: Kysely<Database>, now: Date, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
  const lease = new Date(now.getTime() + leaseMs);
  const { rows } = await sql<{
    id: string;
    attempts: number;
    webhook_id: string | null;
    url: string | null;
    is_enabled: boolean | null;
    secret_sealed: string | null;
    previous_secret_sealed: string | null;
    previous_secret_expires_at: Date | null;
    failing_since: Date | null;
    event_id: string | null;
    type: string | null;
    created_at: Date | null;
    organization_id: string | null;
    tenant_id: string | null;
    data: string | null;
  }>`
    with due as (
      select id from deliveries
      where next_attempt_at <= ${now} and (status = 'pending' or (status = 'sending' and locked_until <= ${now}))
      order by next_attempt_at
      limit ${limit}
      for update skip locked
    ), claimed as (
      update deliveries d
      set status = 'sending', locked_until = ${lease}, next_attempt_at = ${lease}, updated_at = ${now}
      from due where d.id = due.id
      returning d.id, d.attempts, d.webhook_id, d.event_id
    )
    select c.id, c.attempts, w.id as webhook_id, w.url, w.is_enabled, w.secret_sealed, w.previous_secret_sealed,
           w.previous_secret_expires_at, w.failing_since, e.id as event_id, e.type, e.created_at, e.organization_id, e.tenant_id, e.data::text as data
    from claimed c
    left join webhooks w on w.id = c.webhook_id
    left join events e on e.id = c.event_id`.execute(db);
  return rows.map((r) => ({
    id: r.id,
    attempts: Number(r.attempts),
    lockedUntil: lease,
    webhook: r.webhook_id
      ? {
          id: r.webhook_id,
          url: r.url!,
          isEnabled: r.is_enabled!,
          secretSealed: r.secret_sealed!,
          previousSecretSealed: r.previous_secret_sealed,
          previousSecretExpiresAt: r.previous_secret_expires_at,
          failing: r.failing_since !== null,
        }
      : null,
    event: r.event_id
      ? { id: r.event_id, type: r.type!, createdAt: r.created_at!, organizationId: r.organization_id!, tenantId: r.tenant_id, data: r.data! }
      : null,
  }));
}

export interface Outcome {
  deliveryId: string;
  webhookId: string | null;
  lockedUntil: Date;
  status: 'pending' | 'succeeded' | 'failed';
  nextAttemptAt: Date;
  /** Whether the endpoint answered 2xx (false also for a failed attempt that will be retried). */
  ok: boolean;
  /** false when nothing was sent (the endpoint was disabled): no verdict on its health. */
  sent: boolean;
  /** The endpoint had a failure streak when the delivery was claimed. */
  wasFailing: boolean;
  attempt: { attemptedAt: Date; statusCode: number | null; durationMs: number; error: string | null; responseExcerpt: string | null };
}

export interface HealthPolicy {
  disableAfterMs: number;
}

/**
 * Writes a batch of outcomes: each delivery's new state and its attempt in one statement, and,
 * when an endpoint's health changes, that too in the same transaction. The update is fenced by
 * the claim's lease: if this worker overran it and another worker claimed the delivery meanwhile,
 * this outcome is dropped rather than overwriting the newer one (the receiver may then see the
 * event twice: at least once, never lost). Returns the endpoints it disabled.
 */
export async function recordOutcomes(db: Kysely<Database>, clock: Clock, outcomes: Outcome[], policy: HealthPolicy): Promise<string[]> {
  if (!outcomes.length) return [];
  const now = clock.now();
  // The common case, all well with healthy endpoints, is one round trip.
  const healthChanges = outcomes.some((o) => o.sent && (o.ok ? o.wasFailing : true));
  const write = async (executor: Kysely<Database>) => {
    const values = sql.join(
      outcomes.map(
        (o) =>
          sql`(${o.deliveryId}::text, ${o.lockedUntil}::timestamptz, ${o.status}::text, ${o.nextAttemptAt}::timestamptz, ${o.status === 'pending' ? null : now}::timestamptz,
               ${o.attempt.attemptedAt}::timestamptz, ${o.attempt.statusCode}::int, ${o.attempt.durationMs}::int, ${o.attempt.error}::text, ${o.attempt.responseExcerpt}::text)`,
      ),
    );
    const { rows } = await sql<{ id: string }>`
      with v (id, locked_until, status, next_attempt_at, completed_at, attempted_at, status_code, duration_ms, error, response_excerpt) as (values ${values}),
      updated as (
        update deliveries d
        set status = v.status, attempts = d.attempts + 1, next_attempt_at = v.next_attempt_at, locked_until = null,
            last_status_code = v.status_code, completed_at = v.completed_at, updated_at = ${now}
        from v
        where d.id = v.id and d.status = 'sending' and d.locked_until = v.locked_until
        returning d.id
      ), attempts as (
        insert into delivery_attempts (delivery_id, attempted_at, status_code, duration_ms, error, response_excerpt)
        select v.id, v.attempted_at, v.status_code, v.duration_ms, v.error, v.response_excerpt from v join updated u on u.id = v.id
      )
      select id from updated`.execute(executor);
    return new Set(rows.map((r) => r.id));
  };
  if (!healthChanges) {
    await write(db);
    return [];
  }
  return db.transaction().execute(async (trx) => {
    const kept = await write(trx);
    return updateHealth(trx, clock, now, outcomes.filter((o) => kept.has(o.deliveryId)), policy);
  });
}

/** Gives claims that were never sent back to the queue, due now (a stopping worker's prefetched ones). */
export async function releaseDeliveries(db: Kysely<Database>, now: Date, claims: Pick<ClaimedDelivery, 'id' | 'lockedUntil'>[]): Promise<void> {
  for (const claim of claims) {
    await db
      .updateTable('deliveries')
      .set({ status: 'pending', next_attempt_at: now, locked_until: null, updated_at: now })
      .where('id', '=', claim.id)
      .where('status', '=', 'sending')
      .where('locked_until', '=', claim.lockedUntil)
      .execute();
  }
}

/**
 * Any success clears an endpoint's failure streak; a failure starts one. An endpoint failing for
 * longer than `disableAfterMs` is disabled (with a `webhook.disabled` event to the organization's
 * other endpoints), and its queued deliveries are failed: nobody is listening.
 */
async function updateHealth(trx: Kysely<Database>, clock: Clock, now: Date, outcomes: Outcome[], policy: HealthPolicy): Promise<string[]> {
  const healthy = new Set(outcomes.filter((o) => o.sent && o.ok && o.webhookId).map((o) => o.webhookId!));
  const failing = [...new Set(outcomes.filter((o) => o.sent && !o.ok && o.webhookId && !healthy.has(o.webhookId)).map((o) => o.webhookId!))].sort();
  if (healthy.size) {
    await trx.updateTable('webhooks').set({ failing_since: null }).where('id', 'in', [...healthy].sort()).where('failing_since', 'is not', null).execute();
  }
  if (!failing.length) return [];
  await trx.updateTable('webhooks').set({ failing_since: now }).where('id', 'in', failing).where('failing_since', 'is', null).execute();
  const cutoff = new Date(now.getTime() - policy.disableAfterMs);
  const before = await trx
    .selectFrom('webhooks')
    .selectAll()
    .where('id', 'in', failing)
    .where('is_enabled', '=', true)
    .where('failing_since', '<=', cutoff)
    .forUpdate()
    .execute();
  for (const row of before) {
    const reason = `Every delivery failed since ${row.failing_since!.toISOString()}`;
    const disabled: WebhookRow = await trx
      .updateTable('webhooks')
      .set({ is_enabled: false, disabled_reason: reason, updated_at: now })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('deliveries')
      .set({ status: 'failed', completed_at: now, updated_at: now })
      .where('webhook_id', '=', row.id)
      .where('status', '=', 'pending')
      .execute();
    await recordChange(trx, clock, 'system', {
      organizationId: row.organization_id,
      tenantId: row.tenant_id,
      operation: 'webhook.disable',
      target: { type: 'webhook', id: row.id },
      object: toWebhook(disabled, now),
      previous: toWebhook(row, now),
    });
  }
  return before.map((r) => r.id);
}

/** Deliveries not yet done (pending or being sent), and when the oldest of them was created. */
export async function deliveryBacklog(db: Kysely<Database>): Promise<{ count: number; oldestCreatedAt: Date | null }> {
  const row = await db
    .selectFrom('deliveries')
    .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.min('created_at').as('oldest')])
    .where('status', 'in', ['pending', 'sending'])
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), oldestCreatedAt: (row.oldest as Date | null) ?? null };
}
