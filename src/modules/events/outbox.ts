import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import type { Principal } from '../access/principal.js';
import { eventsOf, type EventType, type Operation } from '../../operations.js';

export interface Actor {
  type: 'root' | 'api_key' | 'user' | 'system' | 'anonymous';
  id: string | null;
  credentialId: string | null;
}

export interface Change {
  organizationId: string;
  tenantId: string | null;
  /** The operation: its name is the audit action, and it emits the events `src/operations.ts` lists for it. */
  operation: Operation;
  target: { type: string; id: string };
  /** Events this change emits beyond the operation's own (a deactivation beside `tenant.updated`). */
  alsoEvents?: EventType[];
  object?: object | null;
  previous?: object | null;
  /** The change removes `object` (a delete, a revocation): its audit diff runs from it to nothing. */
  removed?: boolean;
  /** Restricts delivery to one endpoint (test pings). */
  onlyWebhookId?: string;
}

// Never copied into events or audit entries, whatever object they sit in.
const SECRET_FIELDS = new Set(['secret', 'password', 'passwordHash', 'password_hash', 'secret_hash', 'secretHash', 'token', 'apiSecret']);

export function withoutSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutSecrets) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!SECRET_FIELDS.has(k)) out[k] = withoutSecrets(v);
    return out as T;
  }
  return value;
}

/** The fields that differ between two versions, as `{field: {from, to}}`; a field absent or null on both sides is no change. */
export function diff(previous: object | null | undefined, next: object | null | undefined): Record<string, { from: unknown; to: unknown }> {
  const a = (withoutSecrets(previous ?? {}) ?? {}) as Record<string, unknown>;
  const b = (withoutSecrets(next ?? {}) ?? {}) as Record<string, unknown>;
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (key === 'updatedAt') continue;
    const from = a[key] ?? null;
    const to = b[key] ?? null;
    if (JSON.stringify(from) !== JSON.stringify(to)) out[key] = { from, to };
  }
  return out;
}

/** `'system'`: a change Landlord makes on its own (the webhook worker disabling a failing endpoint). */
export function actorOf(principal: Principal | 'system' | null | undefined): Actor {
  if (principal === 'system') return { type: 'system', id: null, credentialId: null };
  if (!principal) return { type: 'anonymous', id: null, credentialId: null };
  if (principal.kind === 'root') return { type: 'root', id: 'root', credentialId: 'root' };
  if (principal.kind === 'session') return { type: 'user', id: principal.userId, credentialId: principal.id };
  return { type: 'api_key', id: principal.id, credentialId: principal.id };
}

async function nextSequence(trx: Kysely<Database>, scopeId: string): Promise<number> {
  const row = await trx
    .insertInto('event_sequences')
    .values({ scope_id: scopeId, last_sequence: 1 })
    .onConflict((oc) => oc.column('scope_id').doUpdateSet((eb) => ({ last_sequence: eb('event_sequences.last_sequence', '+', 1) })))
    .returning('last_sequence')
    .executeTakeFirstOrThrow();
  return Number(row.last_sequence);
}

/**
 * Records a change inside the caller's transaction: its audit entry, its events, and one
 * delivery per subscribed endpoint. Committing the change commits all of them; rolling it back
 * leaves none, so no event is lost or invented by a crash.
 */
export async function recordChange(trx: Kysely<Database>, clock: Clock, principal: Principal | 'system' | null, change: Change): Promise<string[]> {
  const now = clock.now();
  const actor = actorOf(principal);
  const request = typeof principal === 'object' ? principal?.request : undefined;
  const object = change.object ? withoutSecrets(change.object) : null;
  const previous = change.previous ? withoutSecrets(change.previous) : null;
  await recordAudit(trx, clock, {
    organizationId: change.organizationId,
    tenantId: change.tenantId,
    actor,
    action: change.operation,
    target: change.target,
    meta: { requestId: request?.id, ip: request?.ip ?? undefined, userAgent: request?.userAgent ?? undefined },
    changes: change.removed ? diff(object, null) : diff(previous, object),
  });

  const eventIds: string[] = [];
  for (const type of [...eventsOf(change.operation), ...(change.alsoEvents ?? [])]) {
    const id = newId('evt', now.getTime());
    const sequence = await nextSequence(trx, change.tenantId ?? change.organizationId);
    const data = previous ? { object, previous } : { object };
    await trx
      .insertInto('events')
      .values({ id, organization_id: change.organizationId, tenant_id: change.tenantId, sequence, type, data: JSON.stringify(data), created_at: now })
      .execute();
    eventIds.push(id);
    let hooks = trx
      .selectFrom('webhooks')
      .select(['id', 'events'])
      .where('organization_id', '=', change.organizationId)
      .where('is_enabled', '=', true);
    hooks = change.tenantId
      ? hooks.where((eb) => eb.or([eb('tenant_id', 'is', null), eb('tenant_id', '=', change.tenantId)]))
      : hooks.where('tenant_id', 'is', null);
    if (change.onlyWebhookId) hooks = trx.selectFrom('webhooks').select(['id', 'events']).where('id', '=', change.onlyWebhookId);
    const targets = (await hooks.execute()).filter(
      (h) => change.onlyWebhookId !== undefined || h.events.includes('*') || h.events.includes(type),
    );
    if (targets.length) {
      await trx
        .insertInto('deliveries')
        .values(
          targets.map((h) => ({
            id: newId('dlv', now.getTime()),
            webhook_id: h.id,
            event_id: id,
            status: 'pending' as const,
            next_attempt_at: now,
            created_at: now,
            updated_at: now,
          })),
        )
        .execute();
    }
  }
  return eventIds;
}

/** Audit entry for something that is not a change of a resource (sign-ins). */
export async function recordAudit(
  db: Kysely<Database>,
  clock: Clock,
  entry: { organizationId: string | null; tenantId: string | null; actor: Actor; action: Operation; target?: { type: string; id: string }; meta: { requestId?: string; ip?: string; userAgent?: string }; changes?: Record<string, unknown> },
): Promise<void> {
  const now = clock.now();
  await db
    .insertInto('audit_logs')
    .values({
      id: newId('aud', now.getTime()),
      organization_id: entry.organizationId,
      tenant_id: entry.tenantId,
      occurred_at: now,
      actor_type: entry.actor.type,
      actor_id: entry.actor.id,
      credential_id: entry.actor.credentialId,
      action: entry.action,
      target_type: entry.target?.type ?? null,
      target_id: entry.target?.id ?? null,
      ip: entry.meta.ip ?? null,
      user_agent: entry.meta.userAgent?.slice(0, 500) ?? null,
      request_id: entry.meta.requestId ?? null,
      changes: entry.changes ? JSON.stringify(withoutSecrets(entry.changes)) : null,
    })
    .execute();
}
