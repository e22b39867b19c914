import { MANAGEMENT_SCOPES, type Role } from '../../operations.js';

export { MANAGEMENT_SCOPES, type Role };

/** Who is calling: set by the auth plugin on every authenticated request. */
export interface Principal {
  /** What proved the identity. */
  readonly kind: 'root' | 'api_key' | 'access_token' | 'session';
  /** Stable id of the credential (used for idempotency keys, rate limits and audit). */
  readonly id: string;
  /** The signed-in user, for sessions. */
  readonly userId: string | null;
  readonly role: Role;
  /** The caller's organization; for the root key, the default organization. */
  readonly organizationId: string;
  /** Set for tenant-bound callers (owners and members). */
  readonly tenantId: string | null;
  readonly scopes: ReadonlySet<string>;
  /**
   * For signed-in users (sessions and user tokens): the Landlord scopes their custom roles add to
   * their base role's. A member holding one acts as an owner would for the operations needing it.
   */
  readonly granted?: ReadonlySet<string>;
  /** Where the call came from, for the audit log. */
  readonly request?: RequestMeta;
}

export interface RequestMeta {
  readonly id: string;
  readonly ip: string | null;
  readonly userAgent: string | null;
}

export const APPLICATION_SCOPE = /^[a-z][a-z0-9._:-]{0,127}$/;
const LANDLORD_NAMESPACE = /^(tenants|users|api_keys|webhooks|events|audit):/;
/** `isApplicationScope` as one JSON-schema pattern, for the OpenAPI document. */
export const APPLICATION_SCOPE_PATTERN = `^(?!${LANDLORD_NAMESPACE.source.slice(1)})${APPLICATION_SCOPE.source.slice(1)}`;

/** A permission of the platform's own: an application scope, outside the namespaces of Landlord's scopes. */
export const isApplicationScope = (scope: string): boolean => APPLICATION_SCOPE.test(scope) && !LANDLORD_NAMESPACE.test(scope);

/** Whether a permission is one of Landlord's own scopes (else it is the platform's, an application permission). */
export const isManagementScope = (scope: string): boolean => (MANAGEMENT_SCOPES as readonly string[]).includes(scope);

/**
 * Scopes a credential of this role gets when it is created without an explicit list. A member
 * reads its own tenant; anything more comes from the custom roles it holds.
 */
export function defaultScopes(role: Role): string[] {
  if (role === 'member') return ['tenants:read'];
  return [...MANAGEMENT_SCOPES];
}
