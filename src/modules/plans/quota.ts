import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { errors } from '../../lib/errors.js';
import type { CountedLimit } from './plan.schemas.js';

const NOUNS: Record<CountedLimit, string> = { users: 'users (pending invitations included)', apiKeys: 'API keys', webhooks: 'webhook endpoints' };

// A tenant's `plan`, `features` and `limits` columns are this module's: what the tenant is entitled to.
/** The limit of the tenant row `t` on `resource`: its own, else its plan's; null when neither sets one. */
const limitOn = (resource: CountedLimit | 'requestsPerMinute') => sql<number | null>`coalesce(
  (t.limits ->> ${resource})::bigint,
  (select (p.limits ->> ${resource})::bigint from plans p where p.organization_id = t.organization_id and p.key = t.plan)
)::int`;

/** The tenant's limit on `resource` (its own, else its plan's), or null when it has none. */
export async function effectiveLimit(db: Kysely<Database>, tenantId: string, resource: CountedLimit | 'requestsPerMinute'): Promise<number | null> {
  const row = await db.selectFrom('tenants as t').select(limitOn(resource).as('limit')).where('t.id', '=', tenantId).executeTakeFirst();
  return row?.limit ?? null;
}

/** How many of `resource` a tenant holds, counted by the module that owns them, in the caller's transaction. */
export type QuotaCount = (trx: Kysely<Database>, tenant: { id: string; organizationId: string }) => Promise<number>;

/**
 * 409 QUOTA_EXCEEDED when the tenant now holds more of `resource` than its entitlements allow.
 * Call it in the creating transaction after the insert (`count` includes the new one), as late as
 * possible: with a limit, the tenant's row is locked from here to the commit (FOR NO KEY UPDATE:
 * the foreign-key checks of other inserts do not wait on it), so concurrent creates count one
 * after another and never overshoot, while everything before the check runs side by side. Without
 * a limit nothing is locked or counted. Reading the limit and taking the lock are one statement
 * (a row its WHERE leaves out is not locked); the count is a later one, since under READ COMMITTED
 * only a statement begun after the lock sees the creates that held it before.
 */
export async function assertWithinQuota(trx: Kysely<Database>, tenantId: string | null, resource: CountedLimit, count: QuotaCount): Promise<void> {
  if (tenantId === null) return;
  const limitExpr = limitOn(resource);
  const row = await trx
    .selectFrom('tenants as t')
    .select(['t.organization_id', limitExpr.as('limit')])
    .where('t.id', '=', tenantId)
    .where(limitExpr, 'is not', null)
    .forNoKeyUpdate()
    .executeTakeFirst();
  if (!row || row.limit === null) return;
  const { limit } = row;
  const n = await count(trx, { id: tenantId, organizationId: row.organization_id });
  if (n > limit) {
    throw errors.conflict(
      'QUOTA_EXCEEDED',
      `The tenant's entitlements allow ${limit} ${NOUNS[resource]} and it has ${n - 1}; raise limits.${resource} or remove one first`,
    );
  }
}
