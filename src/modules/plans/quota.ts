import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { errors } from '../../lib/errors.js';
import type { CountedLimit } from './plan.schemas.js';

const NOUNS: Record<CountedLimit, string> = { users: 'users (pending invitations included)', apiKeys: 'API keys', webhooks: 'webhook endpoints' };

// A tenant's `plan`, `features` and `limits` columns are this module's: what the tenant is entitled to.
function limitOf(db: Kysely<Database>, tenantId: string, resource: CountedLimit | 'requestsPerMinute') {
  return db
    .selectFrom('tenants as t')
    .leftJoin('plans as p', (join) => join.onRef('p.organization_id', '=', 't.organization_id').onRef('p.key', '=', 't.plan'))
    .select(['t.organization_id', sql<number | null>`coalesce((t.limits ->> ${resource})::bigint, (p.limits ->> ${resource})::bigint)::int`.as('limit')])
    .where('t.id', '=', tenantId)
    .executeTakeFirst();
}

/** The tenant's limit on `resource` (its own, else its plan's), or null when it has none. */
export async function effectiveLimit(db: Kysely<Database>, tenantId: string, resource: CountedLimit | 'requestsPerMinute'): Promise<number | null> {
  return (await limitOf(db, tenantId, resource))?.limit ?? null;
}

/** How many of `resource` a tenant holds, counted by the module that owns them, in the caller's transaction. */
export type QuotaCount = (trx: Kysely<Database>, tenant: { id: string; organizationId: string }) => Promise<number>;

/**
 * 409 QUOTA_EXCEEDED when the tenant already has as many of `resource` as its entitlements allow;
 * call it in the creating transaction, before the insert, with the owning module's `count`. With
 * a limit, the tenant's row is locked (FOR NO KEY UPDATE: the foreign-key checks of other inserts
 * do not wait on it) until the commit, so concurrent creates count one after another and never
 * overshoot; without one, nothing is locked or counted, and the check is one indexed read.
 */
export async function assertWithinQuota(trx: Kysely<Database>, tenantId: string | null, resource: CountedLimit, count: QuotaCount): Promise<void> {
  if (tenantId === null) return;
  const row = await limitOf(trx, tenantId, resource);
  if (!row || row.limit === null) return;
  const { limit } = row;
  await trx.selectFrom('tenants').select('id').where('id', '=', tenantId).forNoKeyUpdate().execute();
  // A statement after the lock: under READ COMMITTED it sees every create committed before it.
  const n = await count(trx, { id: tenantId, organizationId: row.organization_id });
  if (n >= limit) {
    throw errors.conflict(
      'QUOTA_EXCEEDED',
      `The tenant's entitlements allow ${limit} ${NOUNS[resource]} and it has ${n}; raise limits.${resource} or remove one first`,
    );
  }
}
