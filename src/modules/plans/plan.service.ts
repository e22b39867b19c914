import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { foreignKeyViolation, uniqueViolation } from '../../db/errors.js';
import { errors } from '../../lib/errors.js';
import type { Clock } from '../../lib/clock.js';
import { authorize, type Action } from '../access/policy.js';
import { resolveOwner } from '../access/ownership.js';
import type { Principal } from '../access/principal.js';
import type { ChangeRecorder } from '../events/outbox.js';
import { patchMap } from './entitlements.js';
import { findPlan, listPlans, toPlan } from './plan.repository.js';
import type { Plan, PlanCreateInput, PlanPatchInput } from './plan.schemas.js';

export interface PlanServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
  changes: ChangeRecorder;
  /** Called after a commit that changed what tenants of the organization are entitled to. */
  onEntitlementsChanged?: (organizationId: string) => void;
}

const notFound = () => errors.notFound('Plan not found');

/** Plans of an organization: named sets of features and limits that tenants are put on. Administrators only. */
export function createPlanService(deps: PlanServiceDeps) {
  const { db, clock, changes } = deps;

  /** The organization the caller works in: its own, or for a superadmin the one it names. */
  async function organizationOf(caller: Principal, action: Action, organizationId?: string): Promise<string> {
    // Plans belong to organizations, never to a tenant: for a tenant's callers this is a permission question.
    authorize(caller, action);
    return (await resolveOwner(db, caller, { organizationId })).organizationId;
  }

  async function load(executor: Kysely<Database>, organizationId: string, key: string, forUpdate = false) {
    const row = await findPlan(executor, organizationId, key, forUpdate);
    if (!row) throw notFound();
    return toPlan(row);
  }

  return {
    async list(caller: Principal, organizationId?: string): Promise<Plan[]> {
      const org = await organizationOf(caller, 'plan.list', organizationId);
      return (await listPlans(db, org)).map(toPlan);
    },

    async get(caller: Principal, key: string, organizationId?: string): Promise<Plan> {
      const org = await organizationOf(caller, 'plan.get', organizationId);
      return load(db, org, key);
    },

    async create(caller: Principal, input: PlanCreateInput): Promise<Plan> {
      const org = await organizationOf(caller, 'plan.create', input.organizationId);
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        await trx
          .insertInto('plans')
          .values({
            organization_id: org,
            key: input.key,
            name: input.name,
            features: JSON.stringify(input.features ?? {}),
            limits: JSON.stringify(input.limits ?? {}),
            created_at: now,
            updated_at: now,
          })
          .execute()
          .catch((error) => {
            if (uniqueViolation(error)) throw errors.conflict('PLAN_KEY_OCCUPIED', 'A plan with this key already exists', 'key');
            throw error;
          });
        const plan = await load(trx, org, input.key);
        await changes.record(trx, caller, {
          organizationId: org,
          tenantId: null,
          operation: 'plan.create',
          target: { type: 'plan', id: plan.key },
          object: plan,
        });
        return plan;
      });
    },

    async update(caller: Principal, key: string, input: PlanPatchInput, organizationId?: string): Promise<Plan> {
      const org = await organizationOf(caller, 'plan.update', organizationId);
      const updated = await db.transaction().execute(async (trx) => {
        const current = await load(trx, org, key, true);
        await trx
          .updateTable('plans')
          .set({
            ...(input.name !== undefined ? { name: input.name } : {}),
            ...(input.features !== undefined ? { features: JSON.stringify(patchMap(current.features, input.features)) } : {}),
            ...(input.limits !== undefined ? { limits: JSON.stringify(patchMap(current.limits, input.limits)) } : {}),
            updated_at: clock.now(),
          })
          .where('organization_id', '=', org)
          .where('key', '=', key)
          .execute();
        const next = await load(trx, org, key);
        await changes.record(trx, caller, {
          organizationId: org,
          tenantId: null,
          operation: 'plan.update',
          target: { type: 'plan', id: key },
          object: next,
          previous: current,
        });
        return next;
      });
      deps.onEntitlementsChanged?.(org);
      return updated;
    },

    async remove(caller: Principal, key: string, organizationId?: string): Promise<void> {
      const org = await organizationOf(caller, 'plan.delete', organizationId);
      await db.transaction().execute(async (trx) => {
        const current = await load(trx, org, key, true);
        if (current.tenantCount > 0) throw inUse(current.tenantCount);
        await trx
          .deleteFrom('plans')
          .where('organization_id', '=', org)
          .where('key', '=', key)
          .execute()
          // A tenant put on it since the count: the foreign key refuses, with the same answer.
          .catch((error) => {
            if (foreignKeyViolation(error)) throw inUse(1);
            throw error;
          });
        await changes.record(trx, caller, {
          organizationId: org,
          tenantId: null,
          operation: 'plan.delete',
          target: { type: 'plan', id: key },
          object: current,
          removed: true,
        });
      });
    },
  };
}

function inUse(count: number) {
  return errors.conflict('PLAN_IN_USE', `${count === 1 ? '1 tenant is' : `${count} tenants are`} on this plan; move them to another plan first`);
}

export type PlanService = ReturnType<typeof createPlanService>;
