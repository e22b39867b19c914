import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { newId } from '../../lib/ids.js';
import type { RecordedEvent } from '../events/outbox.js';
import { insertPendingDeliveries } from './delivery.repository.js';
import { listSubscribers } from './webhook.repository.js';

/**
 * One delivery per endpoint that subscribes to the event, written in the event's transaction:
 * the enabled endpoints of its organization (all of them for an organization's event, the
 * organization-wide ones and the tenant's own for a tenant's), whose event list names its type
 * or `*`. A test ping goes to its one endpoint only.
 */
export async function fanOut(trx: Kysely<Database>, event: RecordedEvent): Promise<void> {
  const endpoints = await listSubscribers(trx, event);
  const targets = event.onlyWebhookId !== undefined ? endpoints : endpoints.filter((h) => h.events.includes('*') || h.events.includes(event.type));
  if (!targets.length) return;
  const at = event.createdAt;
  await insertPendingDeliveries(
    trx,
    targets.map((h) => ({ id: newId('dlv', at.getTime()), webhook_id: h.id, event_id: event.id, next_attempt_at: at, created_at: at })),
  );
}
