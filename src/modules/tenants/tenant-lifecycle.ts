import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { errors } from '../../lib/errors.js';
import { ifMatchSatisfied } from '../../lib/etag.js';
import { authorize } from '../access/policy.js';
import { assertReaches } from '../access/ownership.js';
import type { Principal } from '../access/principal.js';
import { deleteTenantApiKeys } from '../credentials/api-key.repository.js';
import { recordKeysGone, type Revocations } from '../credentials/revocations.js';
import type { ChangeRecorder } from '../events/outbox.js';
import { holdTenantDeliveries, resumeTenantDeliveries } from '../webhooks/delivery.repository.js';
import { countTenantUsers, deleteTenantUsers } from '../users/user.repository.js';
import { tenantEtag } from './tenant.js';
import { applyStates, countChildren, subtreeStates, type TenantStates } from './tenant-hierarchy.js';
import { deleteTenant, findTenantById, lockNextDuePurge, toTenant, updateTenantRow } from './tenant.repository.js';
import type { Tenant } from './tenant.schemas.js';

export interface TenantLifecycleDeps {
  db: Kysely<Database>;
  clock: Clock;
  changes: ChangeRecorder;
  revocations: Revocations;
  maxTokenTtlSeconds: number;
  /** How long a deleted tenant stays restorable. */
  retentionMs: number;
}

export interface RemoveOptions {
  /** Delete its users with it (they are kept, for a restore, until the purge). */
  force: boolean;
  /** Remove it for good now instead of at the end of the retention period. */
  purge: boolean;
}

/**
 * Deleting, restoring and purging tenants. A DELETE only schedules the purge: the tenant reads as
 * 404 and its credentials stop at once, but its row, users, keys and webhooks stay as they were
 * until `purgeAt`, so a restore brings everything back. The purge removes them for good.
 */
export function createTenantLifecycle(deps: TenantLifecycleDeps) {
  const { db, clock, changes, revocations } = deps;

  /** The tenant, deleted or not, locked; 404 when the caller does not reach it. */
  async function lockAny(trx: Kysely<Database>, caller: Principal | 'system', id: string): Promise<Tenant> {
    const row = await findTenantById(trx, id, true);
    if (caller !== 'system') assertReaches(caller, row && { organizationId: row.organization_id, tenantId: row.id, ancestorIds: row.ancestor_ids }, 'Tenant');
    if (!row) throw errors.notFound('Tenant not found');
    return toTenant(row);
  }

  /** Removes the tenant's keys, users and row (its webhooks and their deliveries cascade); the ids of the keys it had. */
  async function purgeRows(trx: Kysely<Database>, id: string): Promise<string[]> {
    const keyIds = await deleteTenantApiKeys(trx, id);
    // Their unexpired tokens must stop on every node, although the rows are gone.
    await recordKeysGone(trx, keyIds, clock.now(), deps.maxTokenTtlSeconds);
    await deleteTenantUsers(trx, id);
    await deleteTenant(trx, id);
    return keyIds;
  }

  const forgetKeys = (keyIds: string[]) => {
    for (const keyId of keyIds) revocations.markKeyRevoked(keyId);
  };

  return {
    async remove(caller: Principal, id: string, options: RemoveOptions, ifMatch?: string): Promise<void> {
      let keyIds: string[] = [];
      await db.transaction().execute(async (trx) => {
        const current = await lockAny(trx, caller, id);
        const pending = current.status === 'pending_deletion';
        // A deleted tenant is gone for every read; only purging it early still names it.
        if (pending && !options.purge) throw errors.notFound('Tenant not found');
        authorize(caller, 'tenant.delete');
        if (!ifMatchSatisfied(ifMatch, tenantEtag(current))) throw errors.preconditionFailed();
        if (current.deletionProtection) {
          throw errors.conflict('DELETION_PROTECTED', 'The tenant has deletion protection; turn it off (deletionProtection: false) before deleting it');
        }
        const children = await countChildren(trx, id);
        if (children > 0) {
          throw errors.conflict(
            'TENANT_HAS_CHILDREN',
            `The tenant has ${children} child tenant${children === 1 ? '' : 's'} (deleted ones count until they are purged); move, delete or purge them first`,
          );
        }
        if (!pending) {
          const users = await countTenantUsers(trx, id);
          if (users > 0 && !options.force) {
            throw errors.conflict('TENANT_HAS_USERS', `The tenant still has ${users} user${users === 1 ? '' : 's'}; delete them first or pass ?force=true`);
          }
        }
        const scope = { organizationId: current.organizationId, tenantId: id, target: { type: 'tenant', id } };
        if (options.purge) {
          keyIds = await purgeRows(trx, id);
          await changes.record(trx, caller, {
            ...scope,
            operation: pending ? 'tenant.purge' : 'tenant.delete',
            alsoEvents: pending ? [] : ['tenant.purged'],
            removed: true,
            object: current,
          });
          return;
        }
        const now = clock.now();
        const purgeAt = new Date(now.getTime() + deps.retentionMs);
        await updateTenantRow(trx, id, { deleted_at: now, purge_at: purgeAt, status_changed_at: now });
        const next = toTenant((await findTenantById(trx, id))!);
        await changes.record(trx, caller, { ...scope, operation: 'tenant.delete', object: next, previous: current });
        // Its own endpoints hear nothing more while it is deleted (tenant.deleted included); a restore resumes them.
        await holdTenantDeliveries(trx, id, purgeAt);
      });
      // Its keys, tokens and sessions stop at once on this node; the others learn within a poll.
      revocations.markTenantActive(id, false);
      forgetKeys(keyIds);
    },

    async restore(caller: Principal, id: string): Promise<Tenant> {
      let states: TenantStates = [];
      const restored = await db.transaction().execute(async (trx) => {
        const current = await lockAny(trx, caller, id);
        authorize(caller, 'tenant.restore');
        if (current.status !== 'pending_deletion') throw errors.conflict('TENANT_NOT_DELETED', 'The tenant is not deleted; there is nothing to restore');
        const now = clock.now();
        if (new Date(current.purgeAt!).getTime() <= now.getTime()) {
          throw errors.conflict('RETENTION_OVER', `The tenant's retention period ended at ${current.purgeAt}; it is being purged`);
        }
        await updateTenantRow(trx, id, { deleted_at: null, purge_at: null, status_changed_at: now });
        await resumeTenantDeliveries(trx, id, now);
        // Usable again, unless it or an ancestor is suspended.
        states = await subtreeStates(trx, id);
        const next = toTenant((await findTenantById(trx, id))!);
        await changes.record(trx, caller, {
          organizationId: next.organizationId,
          tenantId: id,
          operation: 'tenant.restore',
          target: { type: 'tenant', id },
          object: next,
          previous: current,
        });
        return next;
      });
      applyStates(revocations, states);
      return restored;
    },

    /**
     * Purges every deleted tenant whose time has come, one transaction each; the number purged.
     * Any number of workers may run this side by side: each locks the tenant it purges and skips
     * those another holds, and a purged tenant is gone for the next, so each is purged once.
     */
    async purgeDue(): Promise<number> {
      let purged = 0;
      for (;;) {
        const keyIds = await db.transaction().execute(async (trx) => {
          const id = await lockNextDuePurge(trx, clock.now());
          if (!id) return null;
          const current = await lockAny(trx, 'system', id);
          const gone = await purgeRows(trx, id);
          await changes.record(trx, 'system', {
            organizationId: current.organizationId,
            tenantId: id,
            operation: 'tenant.purge',
            target: { type: 'tenant', id },
            removed: true,
            object: current,
          });
          return gone;
        });
        if (!keyIds) return purged;
        forgetKeys(keyIds);
        purged += 1;
      }
    },
  };
}

export type TenantLifecycle = ReturnType<typeof createTenantLifecycle>;

/** Runs `purgeDue` now and then every `everyMs` until stopped; a failed pass is logged and retried at the next. */
export function createTenantPurger(
  lifecycle: Pick<TenantLifecycle, 'purgeDue'>,
  options: { everyMs?: number; log?: { warn(obj: object, msg: string): void } } = {},
) {
  const everyMs = options.everyMs ?? 60_000;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  const pass = () => {
    running ??= lifecycle
      .purgeDue()
      .then(() => {})
      .catch((error: unknown) => options.log?.warn({ err: error }, 'purging deleted tenants failed; retrying at the next pass'))
      .finally(() => {
        running = null;
      });
    return running;
  };
  return {
    start() {
      if (timer) return;
      void pass();
      timer = setInterval(() => void pass(), everyMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}
