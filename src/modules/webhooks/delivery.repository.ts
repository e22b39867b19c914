import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { DeliveredEvent } from './payload.js';

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
  event: DeliveredEvent | null;
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

/**
 * Writes a batch of outcomes: each delivery's new state and its attempt in one statement. The
 * update is fenced by the claim's lease: if this worker overran it and another worker claimed the
 * delivery meanwhile, this outcome is dropped rather than overwriting the newer one (the receiver
 * may then see the event twice: at least once, never lost). Returns the deliveries it wrote.
 */
export async function writeOutcomes(executor: Kysely<Database>, now: Date, outcomes: Outcome[]): Promise<Set<string>> {
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
}

/** The notification channel that tells workers deliveries are due now (see notifyDeliveriesDue). */
export const DELIVERIES_DUE_CHANNEL = 'landlord_deliveries_due';

/**
 * Tells listening workers that deliveries are due now, so that they claim at once rather than at
 * their next poll. Inside a transaction the notification is sent when it commits (never for one
 * rolled back), and any number of them in one transaction reach a listener as one.
 */
export async function notifyDeliveriesDue(executor: Kysely<Database>): Promise<void> {
  await sql`select pg_notify(${DELIVERIES_DUE_CHANNEL}, '')`.execute(executor);
}

/** New deliveries, due at once; workers are notified when the transaction commits. */
export async function insertPendingDeliveries(
  trx: Kysely<Database>,
  rows: { id: string; webhook_id: string; event_id: string; next_attempt_at: Date; created_at: Date }[],
): Promise<void> {
  await trx
    .insertInto('deliveries')
    .values(rows.map((r) => ({ ...r, status: 'pending' as const, updated_at: r.created_at })))
    .execute();
  await notifyDeliveriesDue(trx);
}

/** Fails an endpoint's queued deliveries (it was disabled: nobody is listening). */
export async function failPendingDeliveries(trx: Kysely<Database>, webhookId: string, now: Date): Promise<void> {
  await trx
    .updateTable('deliveries')
    .set({ status: 'failed', completed_at: now, updated_at: now })
    .where('webhook_id', '=', webhookId)
    .where('status', '=', 'pending')
    .execute();
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
  if (claims.length) await notifyDeliveriesDue(db);
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

const tenantEndpoints = (trx: Kysely<Database>, tenantId: string) => trx.selectFrom('webhooks').select('id').where('tenant_id', '=', tenantId);

/** Holds the queued deliveries to a tenant's own endpoints until `until` (a deleted tenant's: its purge removes them). */
export async function holdTenantDeliveries(trx: Kysely<Database>, tenantId: string, until: Date): Promise<void> {
  await trx
    .updateTable('deliveries')
    .set({ next_attempt_at: until, updated_at: until })
    .where('status', '=', 'pending')
    .where('webhook_id', 'in', tenantEndpoints(trx, tenantId))
    .execute();
}

/** Makes the held deliveries to a tenant's own endpoints due now (a restored tenant's); workers are told at the commit. */
export async function resumeTenantDeliveries(trx: Kysely<Database>, tenantId: string, now: Date): Promise<void> {
  const { numUpdatedRows } = await trx
    .updateTable('deliveries')
    .set({ next_attempt_at: now, updated_at: now })
    .where('status', '=', 'pending')
    .where('next_attempt_at', '>', now)
    .where('webhook_id', 'in', tenantEndpoints(trx, tenantId))
    .executeTakeFirst();
  if (numUpdatedRows > 0n) await notifyDeliveriesDue(trx);
}
