import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { Database, DeliveriesTable, WebhooksTable } from '../../db/schema.js';
import type { Delivery, Webhook } from './webhook.schemas.js';
import { notifyDeliveriesDue } from './delivery.repository.js';
import { deliveryBody } from './payload.js';

type Executor = Kysely<Database>;
export type WebhookRow = Selectable<WebhooksTable>;
export type DeliveryRow = Selectable<DeliveriesTable>;

export function toWebhook(row: WebhookRow, now: Date): Webhook {
  const previousLive = row.previous_secret_sealed !== null && row.previous_secret_expires_at !== null && row.previous_secret_expires_at > now;
  return {
    id: row.id,
    organizationId: row.organization_id,
    tenantId: row.tenant_id,
    url: row.url,
    events: row.events,
    description: row.description,
    isEnabled: row.is_enabled,
    disabledReason: row.disabled_reason,
    failingSince: row.failing_since ? row.failing_since.toISOString() : null,
    previousSecretExpiresAt: previousLive ? row.previous_secret_expires_at!.toISOString() : null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export async function insertWebhook(db: Executor, row: Insertable<WebhooksTable>): Promise<WebhookRow> {
  return db.insertInto('webhooks').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findWebhook(db: Executor, id: string, forUpdate = false): Promise<WebhookRow | undefined> {
  let query = db.selectFrom('webhooks').selectAll().where('id', '=', id);
  if (forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function updateWebhook(db: Executor, id: string, set: Updateable<WebhooksTable>): Promise<WebhookRow> {
  return db.updateTable('webhooks').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function deleteWebhook(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('webhooks').where('id', '=', id).execute();
}

export interface WebhookFilter {
  organizationId: string | null;
  /** undefined: any; null: organization-wide endpoints only. */
  tenantId?: string | null;
  /** Only endpoints of a tenant (none organization-wide). */
  tenantEndpointsOnly?: boolean;
}

/** The endpoints an event may go to: the enabled ones of its organization that see its tenant; or the one it is addressed to. */
export async function listSubscribers(
  db: Executor,
  event: { organizationId: string; tenantId: string | null; onlyWebhookId?: string },
): Promise<{ id: string; events: string[] }[]> {
  if (event.onlyWebhookId !== undefined) return db.selectFrom('webhooks').select(['id', 'events']).where('id', '=', event.onlyWebhookId).execute();
  let q = db.selectFrom('webhooks').select(['id', 'events']).where('organization_id', '=', event.organizationId).where('is_enabled', '=', true);
  const tenantId = event.tenantId;
  q = tenantId ? q.where((eb) => eb.or([eb('tenant_id', 'is', null), eb('tenant_id', '=', tenantId)])) : q.where('tenant_id', 'is', null);
  return q.execute();
}

/** Ends the failure streaks of these endpoints. */
export async function clearFailing(db: Executor, ids: string[]): Promise<void> {
  await db
    .updateTable('webhooks')
    .set({ failing_since: null })
    .where('id', 'in', [...ids].sort())
    .where('failing_since', 'is not', null)
    .execute();
}

/** Starts failure streaks (where none runs yet). */
export async function markFailing(db: Executor, ids: string[], now: Date): Promise<void> {
  await db
    .updateTable('webhooks')
    .set({ failing_since: now })
    .where('id', 'in', [...ids].sort())
    .where('failing_since', 'is', null)
    .execute();
}

/** Enabled endpoints among these whose failure streak began at or before `cutoff`, locked for the caller's transaction. */
export async function lockFailingSince(db: Executor, ids: string[], cutoff: Date): Promise<WebhookRow[]> {
  return db.selectFrom('webhooks').selectAll().where('id', 'in', ids).where('is_enabled', '=', true).where('failing_since', '<=', cutoff).forUpdate().execute();
}

/** A tenant's own endpoints, oldest first (an export). */
export async function listTenantWebhooks(db: Executor, tenantId: string): Promise<WebhookRow[]> {
  return db.selectFrom('webhooks').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').execute();
}

/** Newest first, keyset-paginated on the (time-ordered) id. */
export async function listWebhooks(db: Executor, filter: WebhookFilter, limit: number, beforeId: string | null): Promise<WebhookRow[]> {
  let query = db.selectFrom('webhooks').selectAll();
  if (filter.organizationId !== null) query = query.where('organization_id', '=', filter.organizationId);
  if (filter.tenantId === null) query = query.where('tenant_id', 'is', null);
  else if (filter.tenantId !== undefined) query = query.where('tenant_id', '=', filter.tenantId);
  else if (filter.tenantEndpointsOnly) query = query.where('tenant_id', 'is not', null);
  if (beforeId !== null) query = query.where('id', '<', beforeId);
  return query.orderBy('id', 'desc').limit(limit).execute();
}

type DeliveryWithType = DeliveryRow & {
  event_type: string | null;
  event_created_at: Date | null;
  event_organization_id: string | null;
  event_tenant_id: string | null;
  event_data: string | null;
};

export function toDelivery(row: DeliveryWithType, attempts: Selectable<Database['delivery_attempts']>[]): Delivery {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    eventId: row.event_id,
    eventType: row.event_type,
    status: row.status,
    attemptCount: row.attempts,
    nextAttemptAt: row.status === 'pending' ? row.next_attempt_at.toISOString() : null,
    lastStatusCode: row.last_status_code,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    completedAt: row.completed_at ? row.completed_at.toISOString() : null,
    attempts: attempts.map((a) => ({
      attemptedAt: a.attempted_at.toISOString(),
      statusCode: a.status_code,
      durationMs: a.duration_ms,
      error: a.error,
      responseExcerpt: a.response_excerpt,
    })),
    // Parsed from the very bytes the worker sends, so it is what the receiver got.
    payload:
      row.event_type !== null && row.event_created_at && row.event_organization_id && row.event_data !== null
        ? JSON.parse(
            deliveryBody({
              id: row.event_id,
              type: row.event_type,
              createdAt: row.event_created_at,
              organizationId: row.event_organization_id,
              tenantId: row.event_tenant_id,
              data: row.event_data,
            }),
          )
        : null,
  };
}

/** The event's columns a delivery shows its body with (data as the text the worker reads too). */
const eventColumns = [
  'e.type as event_type',
  'e.created_at as event_created_at',
  'e.organization_id as event_organization_id',
  'e.tenant_id as event_tenant_id',
  sql<string>`e.data::text`.as('event_data'),
] as const;

export interface DeliveryFilter {
  status?: DeliveryRow['status'];
  eventId?: string;
}

/** Deliveries of one endpoint, newest first, each with its attempts (oldest first). */
export async function listDeliveries(db: Executor, webhookId: string, filter: DeliveryFilter, limit: number, beforeId: string | null): Promise<Delivery[]> {
  let query = db
    .selectFrom('deliveries as d')
    .leftJoin('events as e', 'e.id', 'd.event_id')
    .selectAll('d')
    .select(eventColumns)
    .where('d.webhook_id', '=', webhookId);
  if (filter.status) query = query.where('d.status', '=', filter.status);
  if (filter.eventId) query = query.where('d.event_id', '=', filter.eventId);
  if (beforeId !== null) query = query.where('d.id', '<', beforeId);
  const rows = await query.orderBy('d.id', 'desc').limit(limit).execute();
  return withAttempts(db, rows);
}

export async function findDelivery(db: Executor, webhookId: string, deliveryId: string): Promise<Delivery | undefined> {
  const row = await db
    .selectFrom('deliveries as d')
    .leftJoin('events as e', 'e.id', 'd.event_id')
    .selectAll('d')
    .select(eventColumns)
    .where('d.id', '=', deliveryId)
    .where('d.webhook_id', '=', webhookId)
    .executeTakeFirst();
  return row ? (await withAttempts(db, [row]))[0] : undefined;
}

async function withAttempts(db: Executor, rows: DeliveryWithType[]): Promise<Delivery[]> {
  if (!rows.length) return [];
  const attempts = await db
    .selectFrom('delivery_attempts')
    .selectAll()
    .where(
      'delivery_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('id')
    .execute();
  const byDelivery = new Map<string, typeof attempts>();
  for (const a of attempts) byDelivery.set(a.delivery_id, [...(byDelivery.get(a.delivery_id) ?? []), a]);
  return rows.map((r) => toDelivery(r, byDelivery.get(r.id) ?? []));
}

/** Makes a delivery due now again (manual retry; workers are notified); false when a live worker is sending it right now. */
export async function requeueDelivery(db: Executor, deliveryId: string, now: Date): Promise<boolean> {
  const row = await db
    .updateTable('deliveries')
    .set({ status: 'pending', next_attempt_at: now, locked_until: null, completed_at: null, updated_at: now })
    .where('id', '=', deliveryId)
    .where((eb) => eb.or([eb('status', '!=', 'sending'), eb('locked_until', '<=', now)]))
    .returning('id')
    .executeTakeFirst();
  if (row) await notifyDeliveriesDue(db);
  return row !== undefined;
}

/** A tenant's endpoints, enabled or not: what limits.webhooks counts. */
export async function countTenantWebhooks(db: Kysely<Database>, tenant: { id: string; organizationId: string }): Promise<number> {
  const row = await db
    .selectFrom('webhooks')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('organization_id', '=', tenant.organizationId)
    .where('tenant_id', '=', tenant.id)
    .executeTakeFirstOrThrow();
  return row.n;
}
