import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { errors } from '../../lib/errors.js';
import type { CountedLimit } from './plan.schemas.js';

const NOUNS: Record<CountedLimit, string> = { users: 'users (pending invitations included)', apiKeys: 'API keys', webhooks: 'webhook endpoints' };

/** How many of a tenant's resources count against a limit, read in the caller's transaction (through each table's owner index). */
function countOf(trx: Kysely<Database>, tenant: { id: string; organizationId: string }, resource: CountedLimit, now: Date) {
  const tenantId = tenant.id;
  switch (resource) {
    case 'users':
      // Pending invitations hold a seat: accepting one must not overshoot.
      return trx
        .selectFrom('users')
        .select(
          sql<number>`(count(*) + (select count(*) from invitations i
            where i.tenant_id = ${tenantId} and i.accepted_at is null and i.revoked_at is null and i.expires_at > ${now}))::int`.as('n'),
        )
        .where('tenant_id', '=', tenantId);
    case 'apiKeys':
      return trx
        .selectFrom('api_keys')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('organization_id', '=', tenant.organizationId)
        .where('tenant_id', '=', tenantId)
        .where('revoked_at', 'is', null)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
    case 'webhooks':
      return trx
        .selectFrom('webhooks')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('organization_id', '=', tenant.organizationId)
        .where('tenant_id', '=', tenantId);
  }
}

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

/**
 * 409 QUOTA_EXCEEDED when the tenant already has as many of `resource` as its entitlements allow;
 * call it in the creating transaction, before the insert. With a limit, the tenant's row is locked
 * (FOR NO KEY UPDATE: the foreign-key checks of other inserts do not wait on it) until the commit,
 * so concurrent creates count one after another and never overshoot; without one, nothing is
 * locked and the check is one indexed read.
 */
export async function assertWithinQuota(trx: Kysely<Database>, tenantId: string | null, resource: CountedLimit, now: Date): Promise<void> {
  if (tenantId === null) return;
  const row = await limitOf(trx, tenantId, resource);
  if (!row || row.limit === null) return;
  const { limit } = row;
  await trx.selectFrom('tenants').select('id').where('id', '=', tenantId).forNoKeyUpdate().execute();
  // A statement after the lock: under READ COMMITTED it sees every create committed before it.
  const { n } = await countOf(trx, { id: tenantId, organizationId: row.organization_id }, resource, now).executeTakeFirstOrThrow();
  if (n >= limit) {
    throw errors.conflict(
      'QUOTA_EXCEEDED',
      `The tenant's entitlements allow ${limit} ${NOUNS[resource]} and it has ${n}; raise limits.${resource} or remove one first`,
    );
  }
}
