import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { eventsOf, type EventType, type Operation } from '../../operations.js';
import type { Principal } from '../access/principal.js';
import { actorOf, auditInsert, diff, withoutSecrets } from '../audit/audit-entry.js';

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

/** An event just written, as the fan-out sees it. */
export interface RecordedEvent {
  id: string;
  type: EventType;
  organizationId: string;
  tenantId: string | null;
  createdAt: Date;
  /** Deliver to this endpoint only, whatever it subscribes to. */
  onlyWebhookId?: string;
}

/** Turns an event into deliveries, in the same transaction (the webhooks module). */
export type FanOut = (trx: Kysely<Database>, event: RecordedEvent) => Promise<void>;

/**
 * One statement for an event: the next sequence number of its scope, the event row, and (for a
 * change's first event) the change's audit entry, so a change costs one round trip per event
 * rather than three. Data-modifying WITH clauses always run to completion, read or not.
 */
async function insertEvent(
  trx: Kysely<Database>,
  event: { id: string; organizationId: string; tenantId: string | null; scopeId: string; type: EventType; data: string; createdAt: Date },
  audit?: ReturnType<typeof auditInsert>,
): Promise<void> {
  const withSequence = trx.with('seq', (db) =>
    db
      .insertInto('event_sequences')
      .values({ scope_id: event.scopeId, last_sequence: 1 })
      .onConflict((oc) => oc.column('scope_id').doUpdateSet((eb) => ({ last_sequence: eb('event_sequences.last_sequence', '+', 1) })))
      .returning('last_sequence'),
  );
  // The audit CTE is never read: its type need not reach the statement's.
  const withAudit = (audit ? withSequence.with('audit', () => audit.returning('id')) : withSequence) as typeof withSequence;
  await withAudit
    .insertInto('events')
    .columns(['id', 'organization_id', 'tenant_id', 'sequence', 'type', 'data', 'created_at'])
    .expression((eb) =>
      eb
        .selectFrom('seq')
        .select([
          sql<string>`${event.id}::text`.as('id'),
          sql<string>`${event.organizationId}::text`.as('organization_id'),
          sql<string | null>`${event.tenantId}::text`.as('tenant_id'),
          'seq.last_sequence',
          sql<string>`${event.type}::text`.as('type'),
          sql<string>`${event.data}::jsonb`.as('data'),
          sql<Date>`${event.createdAt}::timestamptz`.as('created_at'),
        ]),
    )
    .execute();
}

export function createChangeRecorder(deps: { clock: Clock; fanOut: FanOut }) {
  const { clock, fanOut } = deps;
  return {
    /**
     * Records a change inside the caller's transaction: its audit entry, its events, and their
     * deliveries. Committing the change commits all of them; rolling it back leaves none, so no
     * event is lost or invented by a crash. `'system'`: a change Landlord makes on its own.
     */
    async record(trx: Kysely<Database>, principal: Principal | 'system' | null, change: Change): Promise<string[]> {
      const now = clock.now();
      const request = typeof principal === 'object' ? principal?.request : undefined;
      const object = change.object ? withoutSecrets(change.object) : null;
      const previous = change.previous ? withoutSecrets(change.previous) : null;
      let audit: ReturnType<typeof auditInsert> | undefined = auditInsert(trx, clock, {
        organizationId: change.organizationId,
        tenantId: change.tenantId,
        actor: actorOf(principal),
        action: change.operation,
        target: change.target,
        meta: { requestId: request?.id, ip: request?.ip ?? undefined, userAgent: request?.userAgent ?? undefined },
        changes: change.removed ? diff(object, null) : diff(previous, object),
      });
      const eventIds: string[] = [];
      const data = JSON.stringify(previous ? { object, previous } : { object });
      for (const type of [...eventsOf(change.operation), ...(change.alsoEvents ?? [])]) {
        const id = newId('evt', now.getTime());
        const scopeId = change.tenantId ?? change.organizationId;
        await insertEvent(trx, { id, organizationId: change.organizationId, tenantId: change.tenantId, scopeId, type, data, createdAt: now }, audit);
        audit = undefined;
        eventIds.push(id);
        await fanOut(trx, { id, type, organizationId: change.organizationId, tenantId: change.tenantId, createdAt: now, onlyWebhookId: change.onlyWebhookId });
      }
      // An operation without events (none today) still leaves its audit entry.
      if (audit) await audit.execute();
      return eventIds;
    },
  };
}

export type ChangeRecorder = ReturnType<typeof createChangeRecorder>;
