import { etagOf } from '../../lib/etag.js';
import type { NewTenantRow, TenantSettings } from '../../db/schema.js';
import { errors } from '../../lib/errors.js';
import { ADMIN_ONLY_TENANT_FIELDS } from '../access/policy.js';
import { patchMap } from '../plans/entitlements.js';
import type { Tenant, TenantPatchInput, TenantPutInput } from './tenant.schemas.js';

export const DEFAULT_SETTINGS: TenantSettings = Object.freeze({ timezone: 'UTC', weekStart: 1, locale: 'en' });

const SLUG_BASE_MAX = 56; // leaves room for a "-NNNNNN" suffix within 63 characters

/** "New Company LLC" -> "new-company-llc"; accents are folded, anything else becomes a dash. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '-')
    .replace(/^[-_]+/, '')
    .slice(0, SLUG_BASE_MAX)
    .replace(/[-_]+$/, '');
  return slug || 'tenant';
}

/** Whether `slug` is `base` or `base` with a numeric suffix, i.e. something we would have derived. */
export function isDerivedSlug(slug: string, base: string): boolean {
  return slug === base || new RegExp(`^${base.replace(/[-_]/g, '\\$&')}-\\d+$`).test(slug);
}

/** The ETag of a tenant as GET returns it. */
export function tenantEtag(tenant: Tenant): string {
  return etagOf(tenant);
}

export function mergeMetadata(current: Record<string, string>, patch: Record<string, string | null>): Record<string, string> {
  const next: Record<string, string> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}

type StatusInput = Pick<TenantPutInput, 'isActive' | 'status' | 'suspendedReason'>;

/**
 * What a write makes of the tenant's status: whether it is active and why not. `isActive` and
 * `status` say the same thing two ways (the seeds use the first); they must agree when both are
 * sent. A reason belongs to a suspension only, and a reactivation clears it. `current` is the
 * state before the write (null for a create or a PUT, where absent means active).
 */
export function statusChange(current: { isActive: boolean; suspendedReason: string | null } | null, input: StatusInput) {
  const fromStatus = input.status === undefined ? undefined : input.status === 'active';
  if (fromStatus !== undefined && input.isActive !== undefined && fromStatus !== input.isActive) {
    throw errors.field('status', 'CONFLICTING_FIELDS', `"${input.status}" contradicts isActive: ${input.isActive}; send one of them`);
  }
  const requested = fromStatus ?? input.isActive;
  const active = requested ?? current?.isActive ?? true;
  if (active && input.suspendedReason != null) {
    throw errors.field('suspendedReason', 'NOT_SUSPENDED', 'only a suspended tenant has a reason; send status: "suspended" with it');
  }
  // A suspension keeps its reason until a new one is given or the tenant is reactivated.
  const kept = current && !current.isActive ? current.suspendedReason : null;
  return { isActive: active, suspendedReason: active ? null : input.suspendedReason !== undefined ? input.suspendedReason : kept };
}

/** The status fields as a write leaves them, for comparing with the current ones (admin-only fields). */
export function statusOfWrite(current: Parameters<typeof statusChange>[0], input: StatusInput) {
  const next = statusChange(current, input);
  return { isActive: next.isActive, status: next.isActive ? 'active' : 'suspended', suspendedReason: next.suspendedReason };
}

/**
 * The columns a full write sets (create and PUT), from a body where absent optional fields take
 * their defaults. The slug is decided by the caller (it may need a free suffix).
 */
export function fullColumns(input: TenantPutInput) {
  const status = statusChange(null, input);
  return {
    name: input.name,
    external_id: input.externalId ?? null,
    // Where it goes is checked and completed (ancestors, depth) by placeUnder.
    parent_id: input.parentId ?? null,
    display_name: input.displayName ?? input.name,
    email: input.email ?? null,
    url: input.url ?? null,
    description: input.description ?? null,
    is_active: status.isActive,
    suspended_reason: status.suspendedReason,
    deletion_protection: input.deletionProtection ?? false,
    plan: input.plan ?? null,
    features: JSON.stringify(input.features ?? {}),
    limits: JSON.stringify(input.limits ?? {}),
    legal_entities: JSON.stringify(input.legalEntities ?? []),
    settings: JSON.stringify({ ...DEFAULT_SETTINGS, ...input.settings }),
    metadata: JSON.stringify(input.metadata ?? {}),
  } satisfies Partial<NewTenantRow>;
}

/** The columns a PATCH changes: only the fields it names; `settings` and `metadata` are merged into the current ones. */
export function patchColumns(current: Tenant, input: TenantPatchInput): Partial<NewTenantRow> {
  const set: Partial<NewTenantRow> = {};
  if (input.name !== undefined) set.name = input.name;
  if (input.slug !== undefined) set.slug = input.slug;
  if (input.externalId !== undefined) set.external_id = input.externalId;
  if (input.parentId !== undefined) set.parent_id = input.parentId;
  if (input.displayName !== undefined) set.display_name = input.displayName;
  if (input.email !== undefined) set.email = input.email;
  if (input.url !== undefined) set.url = input.url;
  if (input.description !== undefined) set.description = input.description;
  if (input.isActive !== undefined || input.status !== undefined || input.suspendedReason !== undefined) {
    const next = statusChange(current, input);
    set.is_active = next.isActive;
    set.suspended_reason = next.suspendedReason;
  }
  if (input.deletionProtection !== undefined) set.deletion_protection = input.deletionProtection;
  if (input.plan !== undefined) set.plan = input.plan;
  if (input.features !== undefined) set.features = JSON.stringify(patchMap(current.features, input.features));
  if (input.limits !== undefined) set.limits = JSON.stringify(patchMap(current.limits, input.limits));
  if (input.legalEntities !== undefined) set.legal_entities = JSON.stringify(input.legalEntities);
  if (input.settings !== undefined) set.settings = JSON.stringify({ ...current.settings, ...input.settings });
  if (input.metadata !== undefined) {
    const metadata = mergeMetadata(current.metadata, input.metadata);
    if (Object.keys(metadata).length > 50) throw errors.field('metadata', 'BAD_METADATA', 'must have at most 50 keys after the change');
    set.metadata = JSON.stringify(metadata);
  }
  return set;
}

/** Whether two tenants are entitled to the same (plan, features and limits after the merge). */
export function sameEntitlements(a: Tenant, b: Tenant): boolean {
  return JSON.stringify(sortedEntitlements(a)) === JSON.stringify(sortedEntitlements(b));
}

function sortedEntitlements(t: Tenant) {
  const sorted = (m: object) => Object.fromEntries(Object.entries(m).sort(([x], [y]) => (x < y ? -1 : 1)));
  return [t.entitlements.plan, sorted(t.entitlements.features), sorted(t.entitlements.limits)];
}

const sameMetadata = (a: Record<string, unknown>, b: Record<string, unknown> | undefined): boolean => {
  const keys = Object.keys(a);
  return !!b && keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && b[k] === a[k]);
};

/** Admin-only fields (see ADMIN_ONLY_TENANT_FIELDS) that `next` would change; an owner may send them unchanged. */
export function adminOnlyChanges(current: Tenant, next: Partial<Record<(typeof ADMIN_ONLY_TENANT_FIELDS)[number], unknown>>): string[] {
  const currentValues = current as unknown as Record<string, unknown>;
  const same = (a: unknown, b: unknown) =>
    typeof a === 'object' && a !== null ? sameMetadata(a as Record<string, unknown>, b as Record<string, unknown>) : a === b;
  return ADMIN_ONLY_TENANT_FIELDS.filter((f) => next[f] !== undefined && !same(next[f], currentValues[f]));
}
