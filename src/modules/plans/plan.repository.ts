import { sql, type Kysely } from 'kysely';
import type { Database, PlanRow } from '../../db/schema.js';
import { mergeEntitlements } from './entitlements.js';
import type { Entitlements, Plan } from './plan.schemas.js';

export type PlanRecord = PlanRow & { tenant_count: number };

export function toPlan(row: PlanRecord): Plan {
  return {
    key: row.key,
    organizationId: row.organization_id,
    name: row.name,
    features: row.features,
    limits: row.limits,
    tenantCount: row.tenant_count,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function selectPlans(db: Kysely<Database>) {
  return db
    .selectFrom('plans as p')
    .selectAll('p')
    .select((eb) =>
      eb
        .selectFrom('tenants as t')
        .whereRef('t.organization_id', '=', 'p.organization_id')
        .whereRef('t.plan', '=', 'p.key')
        .select(sql<number>`count(*)::int`.as('c'))
        .$asScalar()
        .as('tenant_count'),
    );
}

export async function findPlan(db: Kysely<Database>, organizationId: string, key: string, forUpdate = false): Promise<PlanRecord | undefined> {
  let q = selectPlans(db).where('p.organization_id', '=', organizationId).where('p.key', '=', key);
  if (forUpdate) q = q.forUpdate('p');
  return (await q.executeTakeFirst()) as PlanRecord | undefined;
}

/** An organization has few plans; they are listed whole, by key. */
export async function listPlans(db: Kysely<Database>, organizationId: string): Promise<PlanRecord[]> {
  return (await selectPlans(db).where('p.organization_id', '=', organizationId).orderBy('p.key').limit(1000).execute()) as PlanRecord[];
}

/** What a tenant is entitled to now (its plan's features and limits under its own); undefined when it does not exist. */
export async function findTenantEntitlements(db: Kysely<Database>, tenantId: string): Promise<Entitlements | undefined> {
  const row = await db
    .selectFrom('tenants as t')
    .leftJoin('plans as p', (join) => join.onRef('p.organization_id', '=', 't.organization_id').onRef('p.key', '=', 't.plan'))
    .select(['t.plan', 't.features', 't.limits', 'p.features as plan_features', 'p.limits as plan_limits'])
    .where('t.id', '=', tenantId)
    .executeTakeFirst();
  if (!row) return undefined;
  const planValues = row.plan_features && row.plan_limits ? { features: row.plan_features, limits: row.plan_limits } : null;
  return mergeEntitlements(row.plan, planValues, row);
}
