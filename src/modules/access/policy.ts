import { errors } from '../../lib/errors.js';
import { permissionOf, type GuardedOperation } from '../../operations.js';
import { MANAGEMENT_SCOPES, defaultScopes, type Principal, type Role } from './principal.js';

/** An operation a credential needs a permission for; `src/operations.ts` says which roles and scope. */
export type Action = GuardedOperation;

/** Throws 403 unless the caller's role and scopes allow the action. Visibility is checked separately (404). */
export function authorize(principal: Principal, action: Action): void {
  const rule = permissionOf(action);
  if (!rule.roles.includes(principal.role)) {
    throw errors.forbidden(`The ${principal.role} role may not perform ${action}`);
  }
  if (!principal.scopes.has(rule.scope)) {
    throw errors.forbidden(`This credential lacks the ${rule.scope} scope`);
  }
}

/** Fields of a tenant only the platform side (admins) may change; `metadata` is the platform's (a plan, a CRM id). */
export const ADMIN_ONLY_TENANT_FIELDS = [
  'isActive',
  'status',
  'suspendedReason',
  'parentId',
  'externalId',
  'slug',
  'metadata',
  'deletionProtection',
  'plan',
  'features',
  'limits',
] as const;

const RANK: Record<Role, number> = { member: 0, owner: 1, admin: 2, superadmin: 3 };

/** Landlord permissions in `scopes` that the caller does not hold itself (application scopes grant nothing here). */
export function scopesBeyond(caller: Principal, scopes: Iterable<string>): string[] {
  if (caller.role === 'superadmin') return [];
  return [...scopes].filter((s) => (MANAGEMENT_SCOPES as readonly string[]).includes(s) && !caller.scopes.has(s));
}

/**
 * No credential may grant more than its maker holds: a key's new secret (rotation) or a session
 * (a sign-in link) is refused with 403 when it would carry a higher role or a scope the caller lacks.
 */
export function assertMayHandOut(caller: Principal, grant: { role?: Role; scopes: Iterable<string> }, what: string): void {
  if (grant.role && RANK[grant.role] > RANK[caller.role]) {
    throw errors.forbidden(`A ${caller.role} may not obtain ${what} for a ${grant.role}`);
  }
  const beyond = scopesBeyond(caller, grant.scopes);
  if (beyond.length) throw errors.forbidden(`${what} would carry scopes this credential lacks: ${beyond.join(' ')}`);
}

/** The scopes a signed-in user's session carries. */
export const sessionScopes = (role: Role): string[] => defaultScopes(role);

/** Whether the caller administers its organization (or all of them). */
export const isAdministrator = (caller: Pick<Principal, 'role'>): boolean => RANK[caller.role] >= RANK.admin;

/** Owners may send admin-only tenant fields only unchanged; `changed` lists those a write would change. */
export function assertMayChange(caller: Principal, changed: string[]): void {
  if (isAdministrator(caller) || changed.length === 0) return;
  throw errors.forbidden(`Only administrators may change ${changed.join(', ')}`);
}
