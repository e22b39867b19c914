import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { eventsOf, type EventType, type Operation } from '../../operations.js';
import type { Principal } from '../access/principal.js';
import { actorOf, diff, recordAudit, withoutSecrets } from '../audit/audit-entry.js';

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

async function nextSequence(trx: Kysely<Database>, scopeId: string): Promise<number> {
  const row = await trx
    .insertInto('event_sequences')
    .values({ scope_id: scopeId, last_sequence: 1 })
    .onConflict((oc) => oc.column('scope_id').doUpdateSet((eb) => ({ last_sequence: eb('event_sequences.last_sequence', '+', 1) })))
    .returning('last_sequence')
    .executeTakeFirstOrThrow();
  return Number(row.last_sequence);
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
      await recordAudit(trx, clock, {
        organizationId: change.organizationId,
        tenantId: change.tenantId,
        actor: actorOf(principal),
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
        await fanOut(trx, { id, type, organizationId: change.organizationId, tenantId: change.tenantId, createdAt: now, onlyWebhookId: change.onlyWebhookId });
      }
      return eventIds;
    },
  };
}

export type ChangeRecorder = ReturnType<typeof createChangeRecorder>;
