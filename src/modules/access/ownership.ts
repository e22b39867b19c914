import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { errors } from '../../lib/errors.js';
import { authorize, type Action } from './policy.js';
import type { Principal, Role } from './principal.js';
import { findTenantOwner, organizationExists } from './owner.repository.js';

/**
 * Tenancy is decided here and nowhere else. Every resource has an owner: a tenant (with its
 * organization) or an organization alone. A caller reaches an owner or does not; what it cannot
 * reach does not exist for it (404, never 403). Tenants nest: a tenant-bound caller also reaches
 * what the tenant's descendants hold, never its ancestors' or its siblings'.
 */
export interface Owner {
  readonly organizationId: string;
  /** Null for what belongs to the organization itself (administrators, organization keys and webhooks). */
  readonly tenantId: string | null;
  /** The tenant's ancestors, root first, when known; an owner without them is reached by its own tenant's callers only. */
  readonly ancestorIds?: readonly string[];
}

/** How a path names an owner: a tenant, or an organization (the caller's own when left out). */
export type OwnerRef = { tenantId: string } | { organizationId?: string };

/** The owner of a stored row. */
export const ownerOf = (row: { organization_id: string; tenant_id: string | null }): Owner => ({
  organizationId: row.organization_id,
  tenantId: row.tenant_id,
});

/** Who is asking: a principal, or an OAuth client (a key, which is never a superadmin). */
export type Reacher = Pick<Principal, 'organizationId' | 'tenantId'> & { readonly role?: Role };

/** Whether the caller may see and act within what this owner holds. */
export function reaches(caller: Reacher, owner: Owner): boolean {
  if (caller.role === 'superadmin') return true;
  if (caller.organizationId !== owner.organizationId) return false;
  // Tenant-bound callers reach their tenant and its descendants; organization-level callers the organization and all its tenants.
  if (caller.tenantId !== null) return owner.tenantId === caller.tenantId || (owner.tenantId !== null && !!owner.ancestorIds?.includes(caller.tenantId));
  return true;
}

/** Whether a row found by id under an owner's path is that owner's own (not merely one it reaches). */
export const belongsTo = (row: { organization_id: string; tenant_id: string | null }, owner: Owner): boolean =>
  row.organization_id === owner.organizationId && row.tenant_id === owner.tenantId;

/**
 * Whether the caller reaches what a stored row belongs to (a resource found by its own id). A row
 * of a tenant is judged by that tenant as it is now: a deleted tenant's rows are gone, and an
 * ancestor's callers reach it.
 */
export async function reachesRow(db: Kysely<Database>, caller: Reacher, row: { organization_id: string; tenant_id: string | null }): Promise<boolean> {
  const owner = ownerOf(row);
  if (owner.tenantId === null || !reaches({ ...caller, tenantId: null }, owner)) return reaches(caller, owner);
  const current = await findTenantOwner(db, owner.tenantId);
  return !!current && reaches(caller, current);
}

/** 404 unless the caller reaches the owner; `what` names the resource in the message ("Webhook"). */
export function assertReaches(caller: Principal, owner: Owner | undefined, what: string): asserts owner is Owner {
  if (!owner || !reaches(caller, owner)) throw errors.notFound(`${what} not found`);
}

/**
 * Resolves the owner a path names and checks, in this order, that the caller reaches it (404) and
 * may perform `action` (403): another tenant's resource is 404, never 403.
 */
export async function resolveOwner(db: Kysely<Database>, caller: Principal, ref: OwnerRef, action?: Action): Promise<Owner> {
  let owner: Owner | undefined;
  if ('tenantId' in ref) {
    owner = await findTenantOwner(db, ref.tenantId);
    assertReaches(caller, owner, 'Tenant');
  } else {
    const organizationId = ref.organizationId ?? caller.organizationId;
    owner = { organizationId, tenantId: null };
    if (!reaches(caller, owner) || (organizationId !== caller.organizationId && !(await organizationExists(db, organizationId)))) {
      throw errors.notFound('Organization not found');
    }
  }
  if (action) authorize(caller, action);
  return owner;
}

/**
 * What a listing is confined to: null means "any". `tenantId`: that tenant and its descendants. A
 * filter on an organization the caller cannot reach is 404.
 */
export interface ListScope {
  organizationId: string | null;
  tenantId: string | null;
}

export function listScope(caller: Principal, organizationId?: string): ListScope {
  if (organizationId !== undefined && caller.role !== 'superadmin' && organizationId !== caller.organizationId) {
    throw errors.notFound('Organization not found');
  }
  if (caller.role === 'superadmin') return { organizationId: organizationId ?? null, tenantId: null };
  return { organizationId: caller.organizationId, tenantId: caller.tenantId };
}
