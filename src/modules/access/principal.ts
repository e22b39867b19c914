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
  /** Where the call came from, for the audit log. */
  readonly request?: RequestMeta;
}

export interface RequestMeta {
  readonly id: string;
  readonly ip: string | null;
  readonly userAgent: string | null;
}

export const APPLICATION_SCOPE = /^[a-z][a-z0-9._:-]{0,127}$/;

/** Scopes a credential of this role gets when it is created without an explicit list. */
export function defaultScopes(role: Role): string[] {
  if (role === 'member') return ['tenants:read', 'users:read'];
  return [...MANAGEMENT_SCOPES];
}
