import type { Kysely } from 'kysely';
import type { Database, NewTenantRow } from '../../db/schema.js';
import { errors } from '../../lib/errors.js';
import { ifMatchSatisfied } from '../../lib/etag.js';
import { assertMayChange, authorize } from '../access/policy.js';
import { assertReaches } from '../access/ownership.js';
import type { Principal } from '../access/principal.js';
import { listTenantApiKeys } from '../credentials/api-key.repository.js';
import { toApiKey } from '../credentials/api-key.service.js';
import { listTenantUsers, presentUsers } from '../users/user.repository.js';
import { listTenantWebhooks, toWebhook } from '../webhooks/webhook.repository.js';
import { patchMap } from '../plans/entitlements.js';
import { adminOnlyChanges, fullColumns, isDerivedSlug, mergeMetadata, patchColumns, sameEntitlements, slugify, statusOfWrite, tenantEtag } from './tenant.js';
import { createTenantCreation, nextFreeSlug, type TenantCreateDeps } from './tenant-create.js';
import { createTenantList } from './tenant-list.js';
import { applyStates, moveDescendants, placeUnder, subtreeStates, type TenantStates } from './tenant-hierarchy.js';
import { createTenantLifecycle, type TenantLifecycleDeps } from './tenant-lifecycle.js';
import { findTenantById, toTenant, updateTenantRow } from './tenant.repository.js';
import type { Tenant, TenantPatchInput, TenantPutInput } from './tenant.schemas.js';

export interface TenantServiceDeps extends TenantCreateDeps, Omit<TenantLifecycleDeps, keyof TenantCreateDeps> {
  /** Called after a commit that changed what a tenant is entitled to. */
  onEntitlementsChanged?: (tenantId: string) => void;
}

export function createTenantService(deps: TenantServiceDeps) {
  const { db, clock, changes, revocations } = deps;
  const creation = createTenantCreation(deps);
  const listing = createTenantList(deps);
  const lifecycle = createTenantLifecycle(deps);

  /** The tenant, or 404 when it does not exist for this caller. */
  async function load(caller: Principal, id: string, executor: Kysely<Database> = db, forUpdate = false): Promise<Tenant> {
    const row = await findTenantById(executor, id, forUpdate);
    // A deleted tenant reads as gone until it is restored.
    assertReaches(
      caller,
      row && !row.deleted_at ? { organizationId: row.organization_id, tenantId: row.id, ancestorIds: row.ancestor_ids } : undefined,
      'Tenant',
    );
    return toTenant(row!);
  }

  async function write(
    caller: Principal,
    id: string,
    ifMatch: string | undefined,
    operation: 'tenant.update' | 'tenant.replace',
    build: (current: Tenant, trx: Kysely<Database>) => Promise<Partial<NewTenantRow>>,
  ): Promise<Tenant> {
    let states: TenantStates = [];
    const updated = await db.transaction().execute(async (trx) => {
      // Visibility before permission: another tenant's resource is 404, never 403.
      const current = await load(caller, id, trx, true);
      authorize(caller, operation);
      if (!ifMatchSatisfied(ifMatch, tenantEtag(current))) throw errors.preconditionFailed();
      let set = await build(current, trx);
      const now = clock.now();
      const moved = set.parent_id !== undefined && set.parent_id !== current.parentId;
      if (moved) set = { ...set, ...(await placeUnder(trx, current.organizationId, set.parent_id ?? null, current)) };
      const statusChanged = set.is_active !== undefined && set.is_active !== current.isActive;
      await updateTenantRow(trx, id, { ...set, updated_at: now, ...(statusChanged || moved ? { status_changed_at: now } : {}) });
      if (moved) await moveDescendants(trx, id, { parent_id: set.parent_id!, ancestor_ids: set.ancestor_ids!, depth: set.depth! }, now);
      // Whether its keys, tokens and sessions, and those of its descendants, may be used now.
      states = statusChanged || moved ? await subtreeStates(trx, id) : [];
      const next = toTenant((await findTenantById(trx, id))!);
      await changes.record(trx, caller, {
        organizationId: next.organizationId,
        tenantId: id,
        operation,
        target: { type: 'tenant', id },
        alsoEvents: [
          ...(current.isActive === next.isActive ? [] : [next.isActive ? ('tenant.reactivated' as const) : ('tenant.deactivated' as const)]),
          ...(sameEntitlements(current, next) ? [] : ['tenant.entitlements_updated' as const]),
        ],
        object: next,
        previous: current,
      });
      return next;
    });
    // Tokens are checked against memory; this node knows at once, the others within a poll.
    applyStates(revocations, states);
    deps.onEntitlementsChanged?.(id);
    return updated;
  }

  return {
    create: creation.create,
    batch: creation.batch,
    list: listing.list,

    async get(caller: Principal, id: string): Promise<Tenant> {
      const tenant = await load(caller, id);
      authorize(caller, 'tenant.get');
      return tenant;
    },

    async me(caller: Principal): Promise<Tenant> {
      authorize(caller, 'tenant.me');
      if (!caller.tenantId) throw errors.notFound('No tenant assigned');
      return load(caller, caller.tenantId);
    },

    replace(caller: Principal, id: string, input: TenantPutInput, ifMatch?: string) {
      return write(caller, id, ifMatch, 'tenant.replace', async (current, trx) => {
        assertMayChange(
          caller,
          adminOnlyChanges(current, {
            externalId: null,
            parentId: null,
            deletionProtection: false,
            plan: null,
            features: {},
            limits: {},
            ...input,
            // A PUT's status is what its body says, absent meaning active.
            ...statusOfWrite(null, input),
            metadata: input.metadata ?? {},
          }),
        );
        const base = slugify(input.name);
        const slug = input.slug ?? (isDerivedSlug(current.slug, base) ? current.slug : await nextFreeSlug(trx, current.organizationId, input.name));
        return { ...fullColumns(input), slug };
      });
    },

    update(caller: Principal, id: string, input: TenantPatchInput, ifMatch?: string) {
      return write(caller, id, ifMatch, 'tenant.update', async (current) => {
        const metadata = input.metadata === undefined ? undefined : mergeMetadata(current.metadata, input.metadata);
        const features = input.features === undefined ? undefined : patchMap(current.features, input.features);
        const limits = input.limits === undefined ? undefined : patchMap(current.limits, input.limits);
        assertMayChange(caller, adminOnlyChanges(current, { ...input, metadata, features, limits }));
        return patchColumns(current, input);
      });
    },

    async entitlements(caller: Principal) {
      authorize(caller, 'tenant.entitlements');
      if (!caller.tenantId) throw errors.notFound('No tenant assigned');
      return (await load(caller, caller.tenantId)).entitlements;
    },

    remove: lifecycle.remove,
    restore: lifecycle.restore,
    purgeDue: lifecycle.purgeDue,

    async export(caller: Principal, id: string) {
      const tenant = await load(caller, id);
      authorize(caller, 'tenant.export');
      // The same views the users, API keys and webhooks endpoints give; their mappers leave hashes and secrets out.
      const [users, keys, hooks] = await Promise.all([listTenantUsers(db, id), listTenantApiKeys(db, id), listTenantWebhooks(db, id)]);
      const now = clock.now();
      return {
        exportedAt: now.toISOString(),
        tenant,
        users: await presentUsers(db, users),
        apiKeys: keys.map(toApiKey),
        webhooks: hooks.map((h) => toWebhook(h, now)),
      };
    },
  };
}

export type TenantService = ReturnType<typeof createTenantService>;
