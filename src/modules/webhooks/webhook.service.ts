import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { errors, type FieldError } from '../../lib/errors.js';
import type { Clock } from '../../lib/clock.js';
import { isId, newId } from '../../lib/ids.js';
import { decodeCursor, encodeCursor } from '../../lib/pagination.js';
import type { SecretBox } from '../../lib/secret-box.js';
import { authorize } from '../access/policy.js';
import { type Owner, type OwnerRef, listScope, ownerOf, reachesRow, resolveOwner } from '../access/ownership.js';
import type { Principal } from '../access/principal.js';
import { EVENT_TYPES } from '../../operations.js';
import type { ChangeRecorder } from '../events/outbox.js';
import { assertWithinQuota } from '../plans/quota.js';
import { etagOf, ifMatchSatisfied } from '../../lib/etag.js';
import { generateWebhookSecret } from './signature.js';
import { urlProblem } from '../../lib/ssrf.js';
import {
  countTenantWebhooks,
  deleteWebhook,
  findDelivery,
  findWebhook,
  insertWebhook,
  listDeliveries,
  listWebhooks,
  requeueDelivery,
  toWebhook,
  updateWebhook,
  type WebhookFilter,
  type WebhookRow,
} from './webhook.repository.js';
import type { DeliveryListQueryInput, Webhook, WebhookListQueryInput, WebhookPatchInput } from './webhook.schemas.js';

export interface WebhookServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
  changes: ChangeRecorder;
  secretBox: SecretBox;
  /** LANDLORD_WEBHOOKS_ALLOW_PRIVATE: accept loopback and private destinations. */
  allowPrivate: boolean;
}

export interface WebhookInput {
  url: string;
  events?: string[];
  description?: string | null;
  isEnabled?: boolean;
}

const DEFAULT_OVERLAP_SECONDS = 86_400;
const KNOWN_EVENTS = new Set<string>(EVENT_TYPES);

export function webhookEtag(webhook: Webhook): string {
  return etagOf(webhook);
}

/** `["*"]` alone, or known event types (deduplicated); field errors otherwise. */
function checkEvents(events: string[], field: string): { events: string[]; errors: FieldError[] } {
  if (events.includes('*')) return { events: ['*'], errors: [] };
  const unknown = events.filter((e) => !KNOWN_EVENTS.has(e));
  if (unknown.length) {
    const message = `unknown event type${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')}; use "*" or: ${EVENT_TYPES.join(', ')}`;
    return { events, errors: [{ field, code: 'BAD_FORMAT', message }] };
  }
  return { events: [...new Set(events)], errors: [] };
}

/** Endpoints and deliveries page on their (time-ordered) id. */
const cursorAfter = (id: string) => encodeCursor({ i: id });
function idInCursor(cursor: string | undefined, prefix: 'whk' | 'dlv'): string | null {
  if (cursor === undefined) return null;
  const id = decodeCursor(cursor, (v) => (typeof v.i === 'string' && isId(v.i, prefix) ? v.i : null));
  if (id === null) throw errors.field('cursor', 'BAD_FORMAT', 'is not a cursor returned by this API');
  return id;
}

export function createWebhookService(deps: WebhookServiceDeps) {
  const { db, clock, changes, secretBox, allowPrivate } = deps;
  const at = (field: string, name: string) => (field ? `${field}.${name}` : name);

  function checkUrl(url: string, field: string): FieldError[] {
    const problem = urlProblem(url, allowPrivate);
    return problem ? [{ field, code: 'BAD_URL', message: problem }] : [];
  }

  /** Creates an endpoint inside the caller's transaction (also used by tenant create); returns it with its one-time secret. */
  async function createIn(trx: Kysely<Database>, caller: Principal, owner: Owner, input: WebhookInput, field = ''): Promise<Webhook & { secret: string }> {
    authorize(caller, 'webhook.create');
    const events = checkEvents(input.events ?? ['*'], at(field, 'events'));
    const fieldErrors = [...checkUrl(input.url, at(field, 'url')), ...events.errors];
    if (fieldErrors.length) throw errors.validation(fieldErrors);
    const now = clock.now();
    const secret = generateWebhookSecret();
    const row = await insertWebhook(trx, {
      id: newId('whk', now.getTime()),
      organization_id: owner.organizationId,
      tenant_id: owner.tenantId,
      url: input.url,
      events: JSON.stringify(events.events),
      description: input.description ?? null,
      is_enabled: input.isEnabled ?? true,
      secret_sealed: secretBox.seal(secret),
      created_at: now,
      updated_at: now,
    });
    const webhook = toWebhook(row, now);
    await changes.record(trx, caller, {
      ...owner,
      operation: 'webhook.create',
      target: { type: 'webhook', id: webhook.id },
      object: webhook,
    });
    await assertWithinQuota(trx, owner.tenantId, 'webhooks', countTenantWebhooks);
    return { ...webhook, secret };
  }

  async function load(caller: Principal, id: string, executor: Kysely<Database> = db, forUpdate = false): Promise<WebhookRow> {
    const row = await findWebhook(executor, id, forUpdate);
    if (!row || !(await reachesRow(executor, caller, row))) throw errors.notFound('Webhook not found');
    return row;
  }

  /** Loads, checks visibility (404) then permission (403) and If-Match (412), and changes the endpoint in one transaction. */
  async function change<T>(
    caller: Principal,
    id: string,
    operation: 'webhook.update' | 'webhook.delete' | 'webhook.rotate_secret',
    ifMatch: string | undefined,
    apply: (trx: Kysely<Database>, row: WebhookRow, current: Webhook) => Promise<T>,
  ): Promise<T> {
    return db.transaction().execute(async (trx) => {
      const row = await load(caller, id, trx, true);
      authorize(caller, operation);
      const current = toWebhook(row, clock.now());
      if (!ifMatchSatisfied(ifMatch, webhookEtag(current))) throw errors.preconditionFailed();
      return apply(trx, row, current);
    });
  }

  function audit(
    trx: Kysely<Database>,
    caller: Principal,
    row: WebhookRow,
    operation: 'webhook.update' | 'webhook.delete' | 'webhook.rotate_secret',
    object: object,
    previous?: object,
  ) {
    return changes.record(trx, caller, {
      ...ownerOf(row),
      operation,
      target: { type: 'webhook', id: row.id },
      object,
      previous,
      removed: operation === 'webhook.delete',
    });
  }

  return {
    createIn,

    async create(caller: Principal, target: OwnerRef, input: WebhookInput) {
      if (!('tenantId' in target) && caller.tenantId !== null) {
        throw errors.forbidden('Tenant credentials manage webhooks under /v1/tenants/{id}/webhooks');
      }
      const owner = await resolveOwner(db, caller, target);
      return db.transaction().execute((trx) => createIn(trx, caller, owner, input));
    },

    async list(caller: Principal, target: OwnerRef, query: WebhookListQueryInput) {
      let filter: WebhookFilter;
      if ('tenantId' in target) {
        filter = await resolveOwner(db, caller, target);
      } else if (query.organizationId !== undefined && caller.tenantId === null) {
        filter = { organizationId: (await resolveOwner(db, caller, { organizationId: query.organizationId })).organizationId };
      } else {
        // Tenant-bound callers: their tenant's endpoints; administrators: their organization's, tenant ones included.
        const scope = listScope(caller);
        filter = scope.tenantId !== null ? scope : { organizationId: scope.organizationId };
      }
      if (query.tenantId !== undefined && filter.tenantId === undefined) filter.tenantId = query.tenantId;
      if (query.organizationWide !== undefined && filter.tenantId === undefined) {
        filter = query.organizationWide ? { ...filter, tenantId: null } : { ...filter, tenantEndpointsOnly: true };
      }
      authorize(caller, 'webhook.list');
      const limit = query.limit ?? 20;
      const rows = await listWebhooks(db, filter, limit + 1, idInCursor(query.cursor, 'whk'));
      const now = clock.now();
      const results = rows.slice(0, limit).map((r) => toWebhook(r, now));
      const next = rows.length > limit ? { cursor: cursorAfter(results.at(-1)!.id) } : null;
      return { results, next };
    },

    async get(caller: Principal, id: string): Promise<Webhook> {
      const row = await load(caller, id);
      authorize(caller, 'webhook.get');
      return toWebhook(row, clock.now());
    },

    update(caller: Principal, id: string, input: WebhookPatchInput, ifMatch?: string): Promise<Webhook> {
      return change(caller, id, 'webhook.update', ifMatch, async (trx, row, current) => {
        const events = input.events ? checkEvents(input.events, 'events') : undefined;
        const fieldErrors = [...(input.url !== undefined ? checkUrl(input.url, 'url') : []), ...(events?.errors ?? [])];
        if (fieldErrors.length) throw errors.validation(fieldErrors);
        const now = clock.now();
        const updated = await updateWebhook(trx, id, {
          ...(input.url !== undefined ? { url: input.url } : {}),
          ...(events ? { events: JSON.stringify(events.events) } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          // Enabling starts afresh: the failure streak that disabled it is over.
          ...(input.isEnabled !== undefined ? { is_enabled: input.isEnabled, disabled_reason: null } : {}),
          ...(input.isEnabled === true && !row.is_enabled ? { failing_since: null } : {}),
          updated_at: now,
        });
        const next = toWebhook(updated, now);
        await audit(trx, caller, row, 'webhook.update', next, current);
        return next;
      });
    },

    remove(caller: Principal, id: string, ifMatch?: string): Promise<void> {
      // Its deliveries go with it (ON DELETE CASCADE); a worker sending one right now drops the outcome.
      return change(caller, id, 'webhook.delete', ifMatch, async (trx, row, current) => {
        await deleteWebhook(trx, id);
        await audit(trx, caller, row, 'webhook.delete', current);
      });
    },

    /** A new secret, shown once; the previous one keeps signing for `overlapSeconds` so receivers can switch without a gap. */
    rotateSecret(caller: Principal, id: string, overlapSeconds = DEFAULT_OVERLAP_SECONDS): Promise<Webhook & { secret: string }> {
      return change(caller, id, 'webhook.rotate_secret', undefined, async (trx, row, current) => {
        const now = clock.now();
        const secret = generateWebhookSecret();
        const updated = await updateWebhook(trx, id, {
          secret_sealed: secretBox.seal(secret),
          previous_secret_sealed: overlapSeconds > 0 ? row.secret_sealed : null,
          previous_secret_expires_at: overlapSeconds > 0 ? new Date(now.getTime() + overlapSeconds * 1000) : null,
          updated_at: now,
        });
        const next = toWebhook(updated, now);
        await audit(trx, caller, row, 'webhook.rotate_secret', { ...next, overlapSeconds }, current);
        return { ...next, secret };
      });
    },

    /** Emits a `webhook.test` event delivered to this endpoint only. */
    async test(caller: Principal, id: string): Promise<{ eventId: string; deliveryId: string }> {
      return db.transaction().execute(async (trx) => {
        const row = await load(caller, id, trx);
        authorize(caller, 'webhook.test');
        if (!row.is_enabled) throw errors.conflict('WEBHOOK_DISABLED', 'The webhook is disabled; enable it first');
        const [eventId] = await changes.record(trx, caller, {
          organizationId: row.organization_id,
          tenantId: row.tenant_id,
          operation: 'webhook.test',
          target: { type: 'webhook', id },
          object: { webhookId: id, message: 'A test event sent from the Landlord API' },
          onlyWebhookId: id,
        });
        const delivery = await trx.selectFrom('deliveries').select('id').where('event_id', '=', eventId).executeTakeFirstOrThrow();
        return { eventId, deliveryId: delivery.id };
      });
    },

    async deliveries(caller: Principal, id: string, query: DeliveryListQueryInput) {
      await load(caller, id);
      authorize(caller, 'webhook.delivery_list');
      const limit = query.limit ?? 20;
      const rows = await listDeliveries(db, id, { status: query.status, eventId: query.eventId }, limit + 1, idInCursor(query.cursor, 'dlv'));
      const results = rows.slice(0, limit);
      const next = rows.length > limit ? { cursor: cursorAfter(results.at(-1)!.id) } : null;
      return { results, next };
    },

    /** Makes a delivery due now (after it failed for good, or to skip the wait before its next retry). */
    async retry(caller: Principal, id: string, deliveryId: string) {
      return db.transaction().execute(async (trx) => {
        const row = await load(caller, id, trx);
        const delivery = await findDelivery(trx, id, deliveryId);
        if (!delivery) throw errors.notFound('Delivery not found');
        authorize(caller, 'webhook.delivery_retry');
        if (!row.is_enabled) throw errors.conflict('WEBHOOK_DISABLED', 'The webhook is disabled; enable it first');
        if (!(await requeueDelivery(trx, deliveryId, clock.now()))) {
          throw errors.conflict('DELIVERY_IN_PROGRESS', 'The delivery is being sent right now');
        }
        await changes.record(trx, caller, {
          organizationId: row.organization_id,
          tenantId: row.tenant_id,
          operation: 'webhook.delivery_retry',
          target: { type: 'delivery', id: deliveryId },
          object: { webhookId: id, deliveryId, eventId: delivery.eventId },
        });
        // Read in the same transaction: the answer is the delivery as queued, not as a worker that
        // claims it the moment it commits has it by then.
        return (await findDelivery(trx, id, deliveryId))!;
      });
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
