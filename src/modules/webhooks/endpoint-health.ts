import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import type { ChangeRecorder } from '../events/outbox.js';
import { failPendingDeliveries, writeOutcomes, type Outcome } from './delivery.repository.js';
import { clearFailing, lockFailingSince, markFailing, toWebhook, updateWebhook } from './webhook.repository.js';

export interface HealthPolicy {
  disableAfterMs: number;
}

/**
 * Writes a worker's outcomes and keeps its endpoints' health. Any success clears an endpoint's
 * failure streak; a failure starts one. An endpoint failing for longer than `disableAfterMs` is
 * disabled (with a `webhook.disabled` event to the organization's other endpoints), and its queued
 * deliveries are failed: nobody is listening.
 */
export function createOutcomeRecorder(deps: { db: Kysely<Database>; clock: Clock; changes: ChangeRecorder; policy: HealthPolicy }) {
  const { db, clock, changes, policy } = deps;

  async function updateHealth(trx: Kysely<Database>, now: Date, outcomes: Outcome[]): Promise<string[]> {
    const healthy = new Set(outcomes.filter((o) => o.sent && o.ok && o.webhookId).map((o) => o.webhookId!));
    const failing = [...new Set(outcomes.filter((o) => o.sent && !o.ok && o.webhookId && !healthy.has(o.webhookId)).map((o) => o.webhookId!))].sort();
    if (healthy.size) await clearFailing(trx, [...healthy]);
    if (!failing.length) return [];
    await markFailing(trx, failing, now);
    const overdue = await lockFailingSince(trx, failing, new Date(now.getTime() - policy.disableAfterMs));
    for (const row of overdue) {
      const disabled = await updateWebhook(trx, row.id, {
        is_enabled: false,
        disabled_reason: `Every delivery failed since ${row.failing_since!.toISOString()}`,
        updated_at: now,
      });
      await failPendingDeliveries(trx, row.id, now);
      await changes.record(trx, 'system', {
        organizationId: row.organization_id,
        tenantId: row.tenant_id,
        operation: 'webhook.disable',
        target: { type: 'webhook', id: row.id },
        object: toWebhook(disabled, now),
        previous: toWebhook(row, now),
      });
    }
    return overdue.map((r) => r.id);
  }

  /** Writes the outcomes (health changes in the same transaction); returns the endpoints it disabled. */
  return async function recordOutcomes(outcomes: Outcome[]): Promise<string[]> {
    if (!outcomes.length) return [];
    const now = clock.now();
    // The common case, all well with healthy endpoints, is one round trip.
    const healthChanges = outcomes.some((o) => o.sent && (o.ok ? o.wasFailing : true));
    if (!healthChanges) {
      await writeOutcomes(db, now, outcomes);
      return [];
    }
    return db.transaction().execute(async (trx) => {
      const kept = await writeOutcomes(trx, now, outcomes);
      return updateHealth(
        trx,
        now,
        outcomes.filter((o) => kept.has(o.deliveryId)),
      );
    });
  };
}
