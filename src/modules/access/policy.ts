import { errors } from '../../lib/errors.js';
import { permissionOf, type GuardedOperation } from '../../operations.js';
import { defaultScopes, isManagementScope, type Principal, type Role } from './principal.js';

/** An operation a credential needs a permission for; `src/operations.ts` says which roles and scope. */
export type Action = GuardedOperation;

/** Throws 403 unless the caller's role and scopes allow the action. Visibility is checked separately (404). */
export function authorize(principal: Principal, action: Action): void {
  const rule = permissionOf(action);
  // A custom role may give a member a scope its base role lacks: it then does what an owner may with it, in its tenant.
  const granted = principal.role === 'member' && rule.roles.includes('owner') && !!principal.granted?.has(rule.scope);
  if (!rule.roles.includes(principal.role) && !granted) {
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

/**
 * Permissions in `scopes` that the caller does not hold itself. Application permissions grant
 * nothing in Landlord and count only when `application` is set (an owner granting custom roles:
 * the platform's backend trusts what a user's token carries).
 */
export function scopesBeyond(caller: Principal, scopes: Iterable<string>, options: { application?: boolean } = {}): string[] {
  if (caller.role === 'superadmin') return [];
  return [...new Set(scopes)].filter((s) => (options.application || isManagementScope(s)) && !caller.scopes.has(s));
}

/**
 * No credential may grant more than its maker holds: a key's new secret (rotation), a session (a
 * sign-in link) or a user's custom roles are refused with 403 when they would carry a higher role
 * or a permission the caller lacks.
 */
export function assertMayHandOut(caller: Principal, grant: { role?: Role; scopes: Iterable<string>; application?: boolean }, what: string): void {
  if (grant.role && RANK[grant.role] > RANK[caller.role]) {
    throw errors.forbidden(`A ${caller.role} may not obtain ${what} for a ${grant.role}`);
  }
  const beyond = scopesBeyond(caller, grant.scopes, { application: grant.application });
  if (beyond.length) throw errors.forbidden(`${what} would carry scopes this credential lacks: ${beyond.join(' ')}`);
}

/** The scopes a signed-in user's base role gives its session. */
export const sessionScopes = (role: Role): string[] => defaultScopes(role);

/**
 * What a signed-in user may do: its base role's scopes plus every permission of its custom roles
 * (Landlord scopes and application permissions), and which Landlord scopes those roles add.
 */
export function userPermissions(role: Role, rolePermissions: Iterable<string>): { permissions: string[]; granted: string[] } {
  const base = sessionScopes(role);
  const extra = [...new Set(rolePermissions)].filter((p) => !base.includes(p));
  return { permissions: [...base, ...extra.sort()], granted: extra.filter(isManagementScope) };
}

/** The principal fields a signed-in user's permissions make (sessions and user tokens alike). */
export function userScopes(role: Role, rolePermissions: Iterable<string>): { scopes: ReadonlySet<string>; granted: ReadonlySet<string> } {
  const { permissions, granted } = userPermissions(role, rolePermissions);
  return { scopes: new Set(permissions), granted: new Set(granted) };
}

/** Whether the caller's role ranks at least as high as `role` (a caller manages no user above itself). */
export const ranksAtLeast = (caller: Pick<Principal, 'role'>, role: Role): boolean => RANK[caller.role] >= RANK[role];

/** Whether the caller administers its organization (or all of them). */
export const isAdministrator = (caller: Pick<Principal, 'role'>): boolean => RANK[caller.role] >= RANK.admin;

/** Owners may send admin-only tenant fields only unchanged; `changed` lists those a write would change. */
export function assertMayChange(caller: Principal, changed: string[]): void {
  if (isAdministrator(caller) || changed.length === 0) return;
  throw errors.forbidden(`Only administrators may change ${changed.join(', ')}`);
}
