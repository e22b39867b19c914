import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { errors } from '../../lib/errors.js';
import { tenantUsable } from '../access/owner.repository.js';
import type { Revocations } from '../credentials/revocations.js';
import { MAX_TENANT_DEPTH } from './tenant.schemas.js';

/** Where a tenant sits in its organization's tree. */
export interface Placement {
  parent_id: string | null;
  ancestor_ids: string[];
  depth: number;
}

export const ROOT: Placement = Object.freeze({ parent_id: null, ancestor_ids: [], depth: 0 }) as Placement;

/**
 * Where a tenant goes under `parentId`, or 422 on `parentId` when it cannot: the parent must be a
 * live tenant of the same organization, not the tenant itself or one of its descendants, and the
 * tenant's subtree must still fit within MAX_TENANT_DEPTH below it. Changes to one organization's
 * tree are serialised (a transaction-scoped lock), so two moves at once cannot make a cycle.
 */
export async function placeUnder(
  trx: Kysely<Database>,
  organizationId: string,
  parentId: string | null,
  self?: { id: string; depth: number },
): Promise<Placement> {
  if (parentId === null) return ROOT;
  await sql`select pg_advisory_xact_lock(hashtext(${`landlord.tenant-tree:${organizationId}`}))`.execute(trx);
  const parent = await trx
    .selectFrom('tenants')
    .select(['id', 'organization_id', 'ancestor_ids', 'depth', 'deleted_at'])
    .where('id', '=', parentId)
    .executeTakeFirst();
  if (!parent || parent.organization_id !== organizationId || parent.deleted_at) {
    throw errors.field('parentId', 'PARENT_NOT_FOUND', 'must be the id of a tenant of the same organization');
  }
  if (self && (parent.id === self.id || parent.ancestor_ids.includes(self.id))) {
    throw errors.field('parentId', 'PARENT_CYCLE', 'must not be the tenant itself or one of its descendants');
  }
  // How far the tenant's own subtree reaches below it.
  const height = self ? (await subtreeDepth(trx, self.id)) - self.depth : 0;
  const depth = parent.depth + 1;
  if (depth + height > MAX_TENANT_DEPTH) {
    throw errors.field(
      'parentId',
      'TOO_DEEP',
      `tenants nest at most ${MAX_TENANT_DEPTH} levels below a root; under this parent the tenant${height ? "'s subtree" : ''} would reach depth ${depth + height}`,
    );
  }
  return { parent_id: parent.id, ancestor_ids: [...parent.ancestor_ids, parent.id], depth };
}

async function subtreeDepth(trx: Kysely<Database>, id: string): Promise<number> {
  const row = await trx
    .selectFrom('tenants')
    .select((eb) => eb.fn.max('depth').as('deepest'))
    .where(sql<boolean>`ancestor_ids @> array[${id}]::text[]`)
    .executeTakeFirst();
  return row?.deepest ?? 0;
}

/** After `id` moved to `placement`: its descendants keep their place below it, under its new ancestors. */
export async function moveDescendants(trx: Kysely<Database>, id: string, placement: Placement, now: Date): Promise<void> {
  const prefix = sql`${placement.ancestor_ids}::text[]`;
  await sql`
    update tenants set
      ancestor_ids = ${prefix} || ancestor_ids[array_position(ancestor_ids, ${id}):],
      depth = cardinality(${prefix} || ancestor_ids[array_position(ancestor_ids, ${id}):]),
      status_changed_at = ${now}
    where ancestor_ids @> array[${id}]::text[]`.execute(trx);
}

/** How many tenants have this one as their parent (deleted ones too: they are still there until purged). */
export async function countChildren(trx: Kysely<Database>, id: string): Promise<number> {
  const row = await trx
    .selectFrom('tenants')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('parent_id', '=', id)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Whether the credentials of a tenant may be used now. */
export type TenantStates = { id: string; usable: boolean }[];

/**
 * Whether the credentials of the tenant and of each of its descendants may be used now (a
 * suspended or deleted ancestor locks out the whole subtree), read inside a change's transaction
 * so that `applyStates` can tell this node once it commits. Other nodes learn it from their poll.
 */
export async function subtreeStates(trx: Kysely<Database>, id: string): Promise<TenantStates> {
  return trx
    .selectFrom('tenants as t')
    .select(['t.id', tenantUsable('t').as('usable')])
    .where((eb) => eb.or([eb('t.id', '=', id), sql<boolean>`t.ancestor_ids @> array[${id}]::text[]`]))
    .execute();
}

/** Call after the commit: memory must not run ahead of a change that may still roll back. */
export function applyStates(revocations: Revocations, states: TenantStates): void {
  for (const row of states) revocations.markTenantActive(row.id, row.usable);
}
