import { CompiledQuery, sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { Database, FeatureMap, LimitMap, NewTenantRow, TenantRow } from '../../db/schema.js';
import { compileOnce } from '../../db/compiled-query.js';
import { foreignKeyViolation, uniqueViolation } from '../../db/errors.js';
import { errors } from '../../lib/errors.js';
import { summarizeTenantUsers, tenantFirstOwner, tenantUserCount, type OwnerSummary } from '../users/user.repository.js';
import { mergeEntitlements } from '../plans/entitlements.js';
import type { Tenant, TenantStatus } from './tenant.schemas.js';

export type Executor = Kysely<Database>;

export interface TenantRecord extends Omit<TenantRow, 'search_text' | 'status_changed_at'> {
  user_count: number;
  owner: OwnerSummary;
  /** Its plan's features and limits; null without a plan. */
  plan_values: PlanValues | null;
}

type PlanValues = { features: FeatureMap; limits: LimitMap };

export function statusOf(row: Pick<TenantRecord, 'is_active' | 'deleted_at'>): TenantStatus {
  if (row.deleted_at) return 'pending_deletion';
  return row.is_active ? 'active' : 'suspended';
}

export function toTenant(row: TenantRecord): Tenant {
  const status = statusOf(row);
  return {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    slug: row.slug,
    externalId: row.external_id,
    displayName: row.display_name,
    email: row.email,
    url: row.url,
    description: row.description,
    parentId: row.parent_id,
    depth: row.depth,
    ancestorIds: row.ancestor_ids,
    isActive: status === 'active',
    status,
    suspendedReason: row.suspended_reason,
    deletedAt: row.deleted_at?.toISOString() ?? null,
    purgeAt: row.purge_at?.toISOString() ?? null,
    deletionProtection: row.deletion_protection,
    plan: row.plan,
    features: row.features,
    limits: row.limits,
    entitlements: mergeEntitlements(row.plan, row.plan_values, row),
    legalEntities: row.legal_entities,
    settings: row.settings,
    metadata: row.metadata,
    owner: row.owner,
    userCount: row.user_count,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Every column a tenant is made of; not `search_text`, which only filters (and is the widest). */
const TENANT_COLUMNS = [
  'id',
  'organization_id',
  'parent_id',
  'depth',
  'ancestor_ids',
  'name',
  'slug',
  'external_id',
  'display_name',
  'email',
  'url',
  'description',
  'is_active',
  'suspended_reason',
  'deleted_at',
  'purge_at',
  'deletion_protection',
  'plan',
  'features',
  'limits',
  'legal_entities',
  'settings',
  'metadata',
  'created_at',
  'updated_at',
] as const;

/** The features and limits of the plan of the tenant row `table` names (a primary-key lookup; null without a plan). */
const planValues = (table: 't' | 'tenants') =>
  sql<PlanValues | null>`(select jsonb_build_object('features', p.features, 'limits', p.limits) from plans p
    where p.organization_id = ${sql.ref(`${table}.organization_id`)} and p.key = ${sql.ref(`${table}.plan`)})`.as('plan_values');

function selectTenants(db: Executor) {
  return db
    .selectFrom('tenants as t')
    .select(TENANT_COLUMNS)
    .select((eb) => [tenantUserCount(eb).as('user_count'), tenantFirstOwner(eb).as('owner'), planValues('t')]);
}

const CONSTRAINT_ERRORS: Record<string, { code: string; field: string; message: string }> = {
  tenants_org_name_key: { code: 'NAME_OCCUPIED', field: 'name', message: 'A tenant with this name already exists' },
  tenants_org_slug_key: { code: 'SLUG_OCCUPIED', field: 'slug', message: 'A tenant with this slug already exists' },
  tenants_org_external_id_key: {
    code: 'EXTERNAL_ID_OCCUPIED',
    field: 'externalId',
    message: 'A tenant with this externalId already exists',
  },
};

/** Maps a violated unique constraint of the tenants table to its 409, and a plan that does not exist to its 422; rethrows anything else. */
function rethrowConflict(error: unknown): never {
  const constraint = uniqueViolation(error);
  const mapped = constraint ? CONSTRAINT_ERRORS[constraint] : undefined;
  if (mapped) throw errors.conflict(mapped.code, mapped.message, mapped.field);
  if (foreignKeyViolation(error) === 'tenants_plan_fkey') throw errors.field('plan', 'PLAN_NOT_FOUND', 'must be the key of a plan of its organization');
  throw error;
}

const tenantById = compileOnce(['id'], (db, p) => selectTenants(db).where('t.id', '=', p.id));
const tenantByIdForUpdate = compileOnce(['id'], (db, p) => selectTenants(db).where('t.id', '=', p.id).forUpdate('t'));

export async function findTenantById(db: Executor, id: string, forUpdate = false): Promise<TenantRecord | undefined> {
  const [row] = await (forUpdate ? tenantByIdForUpdate : tenantById)(db, { id });
  return row as TenantRecord | undefined;
}

/** A new tenant as stored (JSON columns as PostgreSQL normalised them): no users yet. */
function asNewRecord(row: Omit<TenantRecord, 'user_count' | 'owner'>): TenantRecord {
  return { ...row, user_count: 0, owner: null };
}

const NEW_TENANT_COLUMNS = [...TENANT_COLUMNS, planValues('tenants')] as const;

/** Inserts the tenant and returns it as stored; a taken name, slug or externalId is its 409. */
export async function insertTenant(db: Executor, row: NewTenantRow): Promise<TenantRecord> {
  const stored = await db.insertInto('tenants').values(row).returning(NEW_TENANT_COLUMNS).executeTakeFirstOrThrow().catch(rethrowConflict);
  return asNewRecord(stored);
}

/** As insertTenant, but undefined instead of a conflict when the slug is taken (one statement for the usual case of a new slug). */
export async function insertTenantIfSlugFree(db: Executor, row: NewTenantRow): Promise<TenantRecord | undefined> {
  const stored = await db
    .insertInto('tenants')
    .values(row)
    .onConflict((oc) => oc.columns(['organization_id', 'slug']).doNothing())
    .returning(NEW_TENANT_COLUMNS)
    .executeTakeFirst()
    .catch(rethrowConflict);
  return stored && asNewRecord(stored);
}

export async function updateTenantRow(db: Executor, id: string, set: Partial<NewTenantRow>): Promise<void> {
  await db.updateTable('tenants').set(set).where('id', '=', id).execute().catch(rethrowConflict);
}

/** Deletes the tenant row; its webhooks and deliveries go with it (foreign keys cascade), its users and keys must be gone already. */
export async function deleteTenant(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('tenants').where('id', '=', id).execute();
}

/** Slugs in the organization equal to `base` or `base-N`, to pick the next free suffix. */
export async function slugsLike(db: Executor, organizationId: string, base: string): Promise<string[]> {
  const escaped = base.replace(/[\\%_]/g, '\\$&');
  const rows = await db
    .selectFrom('tenants')
    .select('slug')
    .where('organization_id', '=', organizationId)
    .where((eb) => eb.or([eb('slug', '=', base), eb('slug', 'like', `${escaped}-%`)]))
    .execute();
  return rows.map((r) => r.slug);
}

export type SortColumn = 'name' | 'slug' | 'created_at' | 'updated_at';

export interface TenantFilter {
  organizationId: string | null;
  /** That tenant and its descendants. */
  tenantId: string | null;
  /** Its children. */
  parentId?: string;
  /** Its descendants, at any depth. */
  ancestorId?: string;
  /** On this plan. */
  plan?: string;
  search?: string;
  isActive?: boolean;
  /** Absent: every tenant not pending deletion. */
  status?: TenantStatus;
  externalId?: string;
  metadata?: Record<string, string>;
  createdAfter?: Date;
  createdBefore?: Date;
}

export interface Keyset {
  value: string;
  id: string;
  /** Rows strictly after (in the sort direction) or before the key. */
  after: boolean;
}

function filterExpression(eb: ExpressionBuilder<Database & { t: Database['tenants'] }, 't'>, f: TenantFilter): Expression<SqlBool> {
  const parts: Expression<SqlBool>[] = [];
  if (f.organizationId) parts.push(eb('t.organization_id', '=', f.organizationId));
  if (f.tenantId) parts.push(eb.or([eb('t.id', '=', f.tenantId), sql<SqlBool>`t.ancestor_ids @> array[${f.tenantId}]::text[]`]));
  if (f.parentId) parts.push(eb('t.parent_id', '=', f.parentId));
  if (f.ancestorId) parts.push(sql<SqlBool>`t.ancestor_ids @> array[${f.ancestorId}]::text[]`);
  if (f.plan !== undefined) parts.push(eb('t.plan', '=', f.plan));
  if (f.search) {
    const needle = `%${f.search.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`;
    parts.push(eb('t.search_text', 'like', needle));
  }
  if (f.status === 'pending_deletion') parts.push(eb('t.deleted_at', 'is not', null));
  else {
    parts.push(eb('t.deleted_at', 'is', null));
    if (f.status !== undefined) parts.push(eb('t.is_active', '=', f.status === 'active'));
  }
  // isActive is true exactly for active tenants: a deleted one is not, whatever it was before.
  if (f.isActive === true) parts.push(eb('t.is_active', '=', true), eb('t.deleted_at', 'is', null));
  if (f.isActive === false) parts.push(eb.or([eb('t.is_active', '=', false), eb('t.deleted_at', 'is not', null)]));
  if (f.externalId !== undefined) parts.push(eb('t.external_id', '=', f.externalId));
  if (f.metadata && Object.keys(f.metadata).length > 0) {
    parts.push(sql<SqlBool>`t.metadata @> ${JSON.stringify(f.metadata)}::jsonb`);
  }
  if (f.createdAfter) parts.push(eb('t.created_at', '>', f.createdAfter));
  if (f.createdBefore) parts.push(eb('t.created_at', '<', f.createdBefore));
  return eb.and(parts);
}

/** Matches are counted exactly up to this many; beyond it the count is the planner's estimate. */
export const EXACT_COUNT_LIMIT = 1_000;

/**
 * The number of matches, at a cost that does not grow with the table. The planner's estimate
 * comes first (one EXPLAIN, no rows read); only when it expects at most EXACT_COUNT_LIMIT matches
 * are they counted, and that count reads at most EXACT_COUNT_LIMIT + 1 of them. A count above the
 * limit is always the estimate (never below the limit + 1): counting a substring search's
 * matches exactly at a million tenants reads every candidate row (tens of milliseconds).
 */
export async function countTenants(db: Executor, filter: TenantFilter): Promise<number> {
  const matches = db
    .selectFrom('tenants as t')
    .select(sql<number>`1`.as('one'))
    .where((eb) => filterExpression(eb, filter));
  const query = matches.compile();
  const plan = await db.executeQuery<{ 'QUERY PLAN': unknown }>(CompiledQuery.raw(`explain (format json) ${query.sql}`, [...query.parameters]));
  const raw = plan.rows[0]?.['QUERY PLAN'];
  const parsed = (typeof raw === 'string' ? JSON.parse(raw) : raw) as [{ Plan: { 'Plan Rows': number } }];
  const estimate = Math.max(EXACT_COUNT_LIMIT + 1, Math.round(parsed[0].Plan['Plan Rows']));
  if (parsed[0].Plan['Plan Rows'] > EXACT_COUNT_LIMIT) return estimate;
  // The limit is a literal: as a parameter, the prepared statement's generic plan assumes it
  // keeps a tenth of the table and reads the subtree's few rows with a sequential scan.
  const row = await db
    .selectFrom(matches.limit(sql.lit(EXACT_COUNT_LIMIT + 1)).as('m'))
    .select(sql<number>`count(*)::int`.as('c'))
    .executeTakeFirstOrThrow();
  return row.c <= EXACT_COUNT_LIMIT ? row.c : estimate;
}

export async function listTenantRows(
  db: Executor,
  filter: TenantFilter,
  sort: { column: SortColumn; descending: boolean },
  page: { limit: number; offset?: number; keyset?: Keyset },
): Promise<TenantRecord[]> {
  const col = sql.ref(`t.${sort.column}`);
  // Walking backwards (a `previous` cursor) reads in the opposite order; the caller reverses.
  const backwards = page.keyset ? !page.keyset.after : false;
  const descending = sort.descending !== backwards;
  // The page is read first and its users summarised in one grouped query afterwards: per-row
  // subqueries would run twice per tenant on a page of 100.
  let q = db
    .selectFrom('tenants as t')
    .select(TENANT_COLUMNS)
    .select(planValues('t'))
    .where((eb) => filterExpression(eb, filter));
  if (page.keyset) {
    const value = sort.column.endsWith('_at') ? new Date(page.keyset.value) : page.keyset.value;
    const cmp = descending ? sql.raw('<') : sql.raw('>');
    q = q.where(sql<SqlBool>`(${col}, t.id) ${cmp} (${value}, ${page.keyset.id})`);
  }
  const dir = descending ? 'desc' : 'asc';
  q = q.orderBy(col, dir).orderBy('t.id', dir).limit(page.limit);
  if (page.offset) q = q.offset(page.offset);
  const rows = await q.execute();
  if (rows.length === 0) return [];
  const byTenant = await summarizeTenantUsers(
    db,
    rows.map((r) => r.id),
  );
  // Completed in place: a copy of every row of a 100-row page costs more than the summary query.
  return rows.map((r) => {
    const summary = byTenant.get(r.id);
    return Object.assign(r, { user_count: summary?.userCount ?? 0, owner: summary?.owner ?? null });
  });
}

/** The next deleted tenant whose purge is due, locked; one another worker holds is skipped. */
export async function lockNextDuePurge(db: Executor, now: Date): Promise<string | undefined> {
  const row = await db
    .selectFrom('tenants')
    .select('id')
    .where('deleted_at', 'is not', null)
    .where('purge_at', '<=', now)
    .orderBy('purge_at')
    .limit(1)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
  return row?.id;
}
