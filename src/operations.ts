/**
 * The one vocabulary of operations. An operation's name is its policy action, its audit action
 * and its metrics label, and makes its OpenAPI operationId; the events it emits are listed here.
 * Imports nothing: every layer may use it.
 */

export type Role = 'superadmin' | 'admin' | 'owner' | 'member';

/** Permissions over Landlord's own API; any other scope a key carries is the platform's (application scopes). */
export const MANAGEMENT_SCOPES = [
  'tenants:read',
  'tenants:write',
  'users:read',
  'users:write',
  'api_keys:read',
  'api_keys:write',
  'webhooks:read',
  'webhooks:write',
  'events:read',
  'audit:read',
] as const;
export type ManagementScope = (typeof MANAGEMENT_SCOPES)[number];

/** Every event type a webhook can subscribe to. */
export const EVENT_TYPES = [
  'tenant.created',
  'tenant.updated',
  'tenant.deleted',
  'tenant.deactivated',
  'tenant.reactivated',
  'tenant.restored',
  'tenant.purged',
  'tenant.entitlements_updated',
  'plan.created',
  'plan.updated',
  'plan.deleted',
  'role.created',
  'role.updated',
  'role.deleted',
  'user.created',
  'user.updated',
  'user.deleted',
  'api_key.created',
  'api_key.revoked',
  'webhook.test',
  'webhook.disabled',
  'invitation.created',
  'invitation.accepted',
  'invitation.revoked',
  'sso_connection.created',
  'sso_connection.updated',
  'sso_connection.deleted',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

interface OperationSpec {
  /** Who may perform it: the roles, and the scope the credential must carry. Absent: not a permission of the API (public, or the system's own). */
  readonly roles?: readonly Role[];
  readonly scope?: ManagementScope;
  /** The events a successful change emits (some emit more, conditionally: see the service). */
  readonly events?: readonly EventType[];
}

const SUPERADMIN: readonly Role[] = ['superadmin'];
const ADMINS: readonly Role[] = ['superadmin', 'admin'];
const MANAGERS: readonly Role[] = ['superadmin', 'admin', 'owner'];
const EVERYONE: readonly Role[] = ['superadmin', 'admin', 'owner', 'member'];

export const OPERATIONS = {
  'organization.list': { roles: SUPERADMIN, scope: 'tenants:read' },
  'organization.create': { roles: SUPERADMIN, scope: 'tenants:write' },
  'organization.get': { roles: ADMINS, scope: 'tenants:read' },
  'organization.me': { roles: ADMINS, scope: 'tenants:read' },
  'organization.update': { roles: SUPERADMIN, scope: 'tenants:write' },
  'organization.delete': { roles: SUPERADMIN, scope: 'tenants:write' },

  'tenant.list': { roles: MANAGERS, scope: 'tenants:read' },
  'tenant.get': { roles: EVERYONE, scope: 'tenants:read' },
  'tenant.me': { roles: EVERYONE, scope: 'tenants:read' },
  'tenant.create': { roles: ADMINS, scope: 'tenants:write', events: ['tenant.created'] },
  'tenant.batch_create': { roles: ADMINS, scope: 'tenants:write' },
  'tenant.update': { roles: MANAGERS, scope: 'tenants:write', events: ['tenant.updated'] },
  'tenant.replace': { roles: MANAGERS, scope: 'tenants:write', events: ['tenant.updated'] },
  'tenant.delete': { roles: ADMINS, scope: 'tenants:write', events: ['tenant.deleted'] },
  'tenant.export': { roles: MANAGERS, scope: 'tenants:read' },
  'tenant.restore': { roles: ADMINS, scope: 'tenants:write', events: ['tenant.restored'] },
  // Removing a deleted tenant for good: the worker at `purgeAt`, or DELETE ?purge=true.
  'tenant.purge': { events: ['tenant.purged'] },
  'tenant.entitlements': { roles: EVERYONE, scope: 'tenants:read' },

  'plan.list': { roles: ADMINS, scope: 'tenants:read' },
  'plan.get': { roles: ADMINS, scope: 'tenants:read' },
  'plan.create': { roles: ADMINS, scope: 'tenants:write', events: ['plan.created'] },
  'plan.update': { roles: ADMINS, scope: 'tenants:write', events: ['plan.updated'] },
  'plan.delete': { roles: ADMINS, scope: 'tenants:write', events: ['plan.deleted'] },

  // Custom roles decide what users may do: they are managed with the users scopes.
  'role.list': { roles: ADMINS, scope: 'users:read' },
  'role.get': { roles: ADMINS, scope: 'users:read' },
  'role.create': { roles: ADMINS, scope: 'users:write', events: ['role.created'] },
  'role.update': { roles: ADMINS, scope: 'users:write', events: ['role.updated'] },
  'role.delete': { roles: ADMINS, scope: 'users:write', events: ['role.deleted'] },

  'api_key.list': { roles: MANAGERS, scope: 'api_keys:read' },
  'api_key.create': { roles: MANAGERS, scope: 'api_keys:write', events: ['api_key.created'] },
  'api_key.rotate': { roles: MANAGERS, scope: 'api_keys:write' },
  'api_key.revoke': { roles: MANAGERS, scope: 'api_keys:write', events: ['api_key.revoked'] },

  'user.list': { roles: MANAGERS, scope: 'users:read' },
  'user.get': { roles: MANAGERS, scope: 'users:read' },
  'user.create': { roles: MANAGERS, scope: 'users:write', events: ['user.created'] },
  'user.update': { roles: MANAGERS, scope: 'users:write', events: ['user.updated'] },
  'user.delete': { roles: MANAGERS, scope: 'users:write', events: ['user.deleted'] },
  'user.sign_in_link': { roles: MANAGERS, scope: 'users:write' },

  'invitation.list': { roles: MANAGERS, scope: 'users:read' },
  'invitation.create': { roles: MANAGERS, scope: 'users:write', events: ['invitation.created'] },
  'invitation.resend': { roles: MANAGERS, scope: 'users:write' },
  'invitation.revoke': { roles: MANAGERS, scope: 'users:write', events: ['invitation.revoked'] },
  /** Someone following an invitation's link: no credential, the token is the proof. */
  'invitation.accept': { events: ['invitation.accepted'] },

  // A tenant's single sign-on is part of its settings: managed with the tenants scopes.
  'sso_connection.list': { roles: MANAGERS, scope: 'tenants:read' },
  'sso_connection.get': { roles: MANAGERS, scope: 'tenants:read' },
  'sso_connection.create': { roles: MANAGERS, scope: 'tenants:write', events: ['sso_connection.created'] },
  'sso_connection.update': { roles: MANAGERS, scope: 'tenants:write', events: ['sso_connection.updated'] },
  'sso_connection.delete': { roles: MANAGERS, scope: 'tenants:write', events: ['sso_connection.deleted'] },

  'webhook.list': { roles: MANAGERS, scope: 'webhooks:read' },
  'webhook.get': { roles: MANAGERS, scope: 'webhooks:read' },
  'webhook.create': { roles: MANAGERS, scope: 'webhooks:write' },
  'webhook.update': { roles: MANAGERS, scope: 'webhooks:write' },
  'webhook.delete': { roles: MANAGERS, scope: 'webhooks:write' },
  'webhook.rotate_secret': { roles: MANAGERS, scope: 'webhooks:write' },
  'webhook.test': { roles: MANAGERS, scope: 'webhooks:write', events: ['webhook.test'] },
  'webhook.delivery_list': { roles: MANAGERS, scope: 'webhooks:read' },
  'webhook.delivery_retry': { roles: MANAGERS, scope: 'webhooks:write' },
  /** The worker turning off an endpoint that kept failing. */
  'webhook.disable': { events: ['webhook.disabled'] },

  'event.list': { roles: MANAGERS, scope: 'events:read' },
  'audit.list': { roles: MANAGERS, scope: 'audit:read' },
  'audit.export': { roles: MANAGERS, scope: 'audit:read' },

  'auth.login': {},
  'auth.login_failed': {},
  'auth.sign_in_link': {},
  'auth.invitation': {},
  'auth.password_reset': {},
  'auth.password_reset_request': {},
  'auth.session': {},
  'auth.logout': {},
  'auth.token': {},
  'auth.sso_lookup': {},
  'auth.sso_start': {},
  'auth.sso_callback': {},
  /** A sign-in through a tenant's identity provider, and one it refused. */
  'auth.sso': {},
  'auth.sso_failed': {},

  'oauth.token': {},
  'oauth.introspect': {},
  'oauth.revoke': {},
  'oauth.jwks': {},
  'oauth.metadata': {},

  'system.health': {},
  'system.ready': {},
  'system.metrics': {},
  'system.backup': { roles: SUPERADMIN, scope: 'tenants:read' },
} as const satisfies Record<string, OperationSpec>;

export type Operation = keyof typeof OPERATIONS;

/** Operations a credential needs a permission for. */
export type GuardedOperation = { [K in Operation]: (typeof OPERATIONS)[K] extends { roles: readonly Role[] } ? K : never }[Operation];

export function permissionOf(operation: GuardedOperation): { roles: readonly Role[]; scope: ManagementScope } {
  return OPERATIONS[operation] as { roles: readonly Role[]; scope: ManagementScope };
}

export function eventsOf(operation: Operation): readonly EventType[] {
  return (OPERATIONS[operation] as OperationSpec).events ?? [];
}

/**
 * The OpenAPI operationId of a route: the operation's name, prefixed by the owner kind of its
 * path where the same operation is served under both (`tenant.api_key.create`,
 * `organization.api_key.create`).
 */
export const operationId = (operation: Operation, owner?: 'tenant' | 'organization'): string => (owner ? `${owner}.${operation}` : operation);
