import { errors } from '../../lib/errors.js';
import { MANAGEMENT_SCOPES, defaultScopes, type Principal, type Role } from './principal.js';

/**
 * Every permission decision goes through here. An action names the operation; the table says
 * which roles may perform it and which scope the credential must carry.
 */
const ACTIONS = {
  'organizations.list': { roles: ['superadmin'], scope: 'tenants:read' },
  'organizations.create': { roles: ['superadmin'], scope: 'tenants:write' },
  'organizations.read': { roles: ['superadmin', 'admin'], scope: 'tenants:read' },
  'organizations.update': { roles: ['superadmin'], scope: 'tenants:write' },
  'organizations.delete': { roles: ['superadmin'], scope: 'tenants:write' },
  'tenants.list': { roles: ['superadmin', 'admin', 'owner'], scope: 'tenants:read' },
  'tenants.read': { roles: ['superadmin', 'admin', 'owner', 'member'], scope: 'tenants:read' },
  'tenants.create': { roles: ['superadmin', 'admin'], scope: 'tenants:write' },
  'tenants.update': { roles: ['superadmin', 'admin', 'owner'], scope: 'tenants:write' },
  'tenants.delete': { roles: ['superadmin', 'admin'], scope: 'tenants:write' },
  'tenants.export': { roles: ['superadmin', 'admin', 'owner'], scope: 'tenants:read' },
  'api_keys.list': { roles: ['superadmin', 'admin', 'owner'], scope: 'api_keys:read' },
  'api_keys.create': { roles: ['superadmin', 'admin', 'owner'], scope: 'api_keys:write' },
  'api_keys.revoke': { roles: ['superadmin', 'admin', 'owner'], scope: 'api_keys:write' },
  'api_keys.rotate': { roles: ['superadmin', 'admin', 'owner'], scope: 'api_keys:write' },
  'webhooks.list': { roles: ['superadmin', 'admin', 'owner'], scope: 'webhooks:read' },
  'webhooks.read': { roles: ['superadmin', 'admin', 'owner'], scope: 'webhooks:read' },
  'webhooks.create': { roles: ['superadmin', 'admin', 'owner'], scope: 'webhooks:write' },
  'webhooks.update': { roles: ['superadmin', 'admin', 'owner'], scope: 'webhooks:write' },
  'webhooks.delete': { roles: ['superadmin', 'admin', 'owner'], scope: 'webhooks:write' },
  'events.list': { roles: ['superadmin', 'admin', 'owner'], scope: 'events:read' },
  'audit.list': { roles: ['superadmin', 'admin', 'owner'], scope: 'audit:read' },
  'users.list': { roles: ['superadmin', 'admin', 'owner'], scope: 'users:read' },
  'users.read': { roles: ['superadmin', 'admin', 'owner'], scope: 'users:read' },
  'users.create': { roles: ['superadmin', 'admin', 'owner'], scope: 'users:write' },
  'users.update': { roles: ['superadmin', 'admin', 'owner'], scope: 'users:write' },
  'users.delete': { roles: ['superadmin', 'admin', 'owner'], scope: 'users:write' },
  'users.sign_in_link': { roles: ['superadmin', 'admin', 'owner'], scope: 'users:write' },
} as const satisfies Record<string, { roles: readonly Role[]; scope: string }>;

export type Action = keyof typeof ACTIONS;

/** Throws 403 unless the caller's role and scopes allow the action. Visibility is checked separately (404). */
export function authorize(principal: Principal, action: Action): void {
  const rule = ACTIONS[action];
  if (!(rule.roles as readonly Role[]).includes(principal.role)) {
    throw errors.forbidden(`The ${principal.role} role may not perform ${action}`);
  }
  if (!principal.scopes.has(rule.scope)) {
    throw errors.forbidden(`This credential lacks the ${rule.scope} scope`);
  }
}

/** Fields of a tenant only the platform side (admins) may change; `metadata` is the platform's (a plan, a CRM id). */
export const ADMIN_ONLY_TENANT_FIELDS = ['isActive', 'externalId', 'slug', 'metadata'] as const;

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

/** Owners may send admin-only tenant fields only unchanged; `changed` lists those a write would change. */
export function assertMayChange(caller: Principal, changed: string[]): void {
  if (caller.role === 'superadmin' || caller.role === 'admin' || changed.length === 0) return;
  throw errors.forbidden(`Only administrators may change ${changed.join(', ')}`);
}
