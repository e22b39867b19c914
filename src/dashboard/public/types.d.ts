// The API objects the dashboard's JavaScript works with, for the type checker (`npm run typecheck`)
// only: the browser never loads this file, and the dashboard plugin does not serve it. They follow
// the response schemas of the /v1 routes (GET /openapi.json), which are the source of truth.
// app-types.d.ts beside it has the types of the dashboard's own helpers, routes and views.

/** An ISO 8601 date-time, as the API writes them. */
export type Timestamp = string;

// ---------------------------------------------------------------------------------------------
// API objects

export interface FieldError {
  field: string;
  code: string;
  message: string;
}

/** An RFC 9457 problem, the body of every error answer. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  requestId: string;
  errors?: FieldError[];
}

export type TenantRole = 'owner' | 'member';
export type Role = 'superadmin' | 'admin' | TenantRole;

export interface User {
  id: string;
  organizationId: string;
  /** Null for administrators, who belong to the organization rather than a tenant. */
  tenantId: string | null;
  email: string;
  name: string;
  role: Role;
  /** Keys of the organization's custom roles the user holds. */
  roles: string[];
  /** Its base role's scopes plus its custom roles' permissions. */
  permissions: string[];
  isActive: boolean;
  lastSignInAt: Timestamp | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

/** A user of a tenant (`/v1/tenants/{id}/users`): always an owner or a member. */
export interface TenantUser extends User {
  tenantId: string;
  role: TenantRole;
}

/** `GET /v1/auth/session`, and what sign-in answers. */
export interface SessionInfo {
  user: User;
  expiresAt: Timestamp;
  csrfToken: string;
}

export interface SignInLink {
  /** Absent when the link was mailed instead. */
  url?: string;
  sentTo?: string;
  expiresAt: Timestamp;
}

export type InvitationStatus = 'pending' | 'accepted' | 'revoked' | 'expired';

/** `/v1/tenants/{id}/invitations`: someone asked by email to join a tenant. */
export interface Invitation {
  id: string;
  tenantId: string;
  email: string;
  role: TenantRole;
  /** Custom role keys the user gets on accepting. */
  roles: string[];
  status: InvitationStatus;
  expiresAt: Timestamp;
  acceptedAt: Timestamp | null;
  /** The user it made, once accepted. */
  userId: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

/** An invitation as created or resent: with its one-time link only when Landlord sends no mail. */
export interface InvitationSent extends Invitation {
  url?: string;
}

export interface Settings {
  timezone: string;
  /** 0 = Sunday … 6 = Saturday */
  weekStart: number;
  locale: string;
}

export interface OwnerSummary {
  id: string;
  name: string;
  email: string;
}

export type TenantStatus = 'active' | 'suspended' | 'pending_deletion';

/** Feature flags of a plan or tenant: booleans, numbers or strings. */
export type FeatureMap = Record<string, boolean | number | string>;

export type LimitKey = 'users' | 'apiKeys' | 'webhooks' | 'requestsPerMinute';
/** Integers ≥ 0; a limit that is absent is unlimited. */
export type LimitMap = Partial<Record<LimitKey, number>>;

/** A plan's features and limits with the tenant's own on top, key by key. */
export interface Entitlements {
  plan: string | null;
  features: FeatureMap;
  limits: LimitMap;
}

export interface Plan {
  key: string;
  organizationId: string;
  name: string;
  features: FeatureMap;
  limits: LimitMap;
  /** Tenants on it, deleted ones too until they are purged. */
  tenantCount: number;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

/** A custom role (`/v1/roles`, admins): permissions users hold beside their base role. */
export interface CustomRole {
  key: string;
  organizationId: string;
  name: string;
  description: string | null;
  permissions: string[];
  userCount: number;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

/** `POST /v1/roles`, or a PATCH (`permissions` replaces the list). */
export interface CustomRoleInput {
  key?: string;
  name?: string;
  description?: string | null;
  permissions?: string[];
}

export interface Tenant {
  id: string;
  organizationId: string;
  parentId: string | null;
  depth: number;
  ancestorIds: string[];
  name: string;
  slug: string;
  externalId: string | null;
  displayName: string;
  email: string | null;
  url: string | null;
  description: string | null;
  /** True exactly when `status` is `active`. */
  isActive: boolean;
  status: TenantStatus;
  suspendedReason: string | null;
  /** Set while it is pending deletion: restorable until `purgeAt`. */
  deletedAt: Timestamp | null;
  purgeAt: Timestamp | null;
  deletionProtection: boolean;
  legalEntities: { name: string; registrationNumber: string }[];
  settings: Settings;
  metadata: Record<string, string>;
  /** The key of its plan, or null. */
  plan: string | null;
  /** Its own features and limits, which override the plan's key by key. */
  features: FeatureMap;
  limits: LimitMap;
  entitlements: Entitlements;
  owner: OwnerSummary | null;
  userCount: number;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

/** `POST /v1/tenants`: the one-time sign-in link comes only with an owner it invited. */
export type TenantCreated = Tenant & { dashboardUrl: string } & ({ signInUrl?: undefined } | { signInUrl: string; owner: OwnerSummary });

export interface Organization {
  id: string;
  name: string;
  slug: string;
  tenantCount: number;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface ApiKey {
  id: string;
  name: string;
  /** The first characters of the secret, to recognise it. */
  prefix: string;
  scopes: string[];
  organizationId: string;
  tenantId: string | null;
  createdAt: Timestamp;
  expiresAt: Timestamp | null;
  lastUsedAt: Timestamp | null;
}

/** A key as created or rotated: the only time its secret is shown. */
export interface ApiKeyWithSecret extends ApiKey {
  secret: string;
}

export interface Webhook {
  id: string;
  organizationId: string;
  /** Null for an organization-wide endpoint. */
  tenantId: string | null;
  url: string;
  /** `['*']` for every event type. */
  events: string[];
  description: string | null;
  isEnabled: boolean;
  disabledReason: string | null;
  failingSince: Timestamp | null;
  previousSecretExpiresAt: Timestamp | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

/** An endpoint as created or after its secret was rotated: the only time the secret is shown. */
export interface WebhookWithSecret extends Webhook {
  secret: string;
}

/** `/v1/tenants/{id}/sso-connections`: a tenant's OpenID Connect provider. The client secret is write-only. */
export interface SsoConnection {
  id: string;
  tenantId: string;
  type: 'oidc';
  /** As the provider's discovery document states it. */
  issuer: string;
  clientId: string;
  /** Lower-case email domains whose people sign in through it. */
  domains: string[];
  /** The base role of users created at their first sign-in. */
  defaultRole: TenantRole;
  isEnabled: boolean;
  /** The callback URL to register at the provider; the same for every connection of the deployment. */
  redirectUri: string;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface Attempt {
  attemptedAt: Timestamp;
  /** Null when no response came (timeout, refused, closed). */
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  responseExcerpt: string | null;
}

export type DeliveryStatus = 'pending' | 'sending' | 'succeeded' | 'failed';

export interface Delivery {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string | null;
  status: DeliveryStatus;
  attemptCount: number;
  nextAttemptAt: Timestamp | null;
  lastStatusCode: number | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  completedAt: Timestamp | null;
  /** Every attempt, oldest first. */
  attempts: Attempt[];
  /** The JSON body POSTed to the endpoint (the same on every attempt); null when its event no longer exists. */
  payload: DeliveryPayload | null;
}

/** What a delivery POSTs: the event without its sequence. */
export interface DeliveryPayload {
  id: string;
  type: string;
  createdAt: Timestamp;
  organizationId: string;
  tenantId: string | null;
  data: { object: unknown; previous?: unknown };
}

export interface AuditEntry {
  id: string;
  occurredAt: Timestamp;
  organizationId: string | null;
  tenantId: string | null;
  actor: { type: string; id: string | null };
  credentialId: string | null;
  action: string;
  target: { type: string; id: string } | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  /** Changed fields, usually as `{field: {from, to}}`. */
  changes: Record<string, unknown> | null;
}

// ---------------------------------------------------------------------------------------------
// List envelopes

/** A list the API answers whole (users, API keys, organizations). */
export interface List<T> {
  results: T[];
}

/** A list paged by its `next` link (webhooks, deliveries, the audit log). */
export interface CursorList<T> extends List<T> {
  next: string | null;
}

/** A counted list paged both ways (tenants); `count` is null when it was not counted. */
export interface Page<T> extends CursorList<T> {
  count: number | null;
  previous: string | null;
}

// ---------------------------------------------------------------------------------------------
// Request bodies the dashboard builds up field by field

export interface TenantCreateInput {
  name: string;
  email?: string;
  url?: string;
  externalId?: string;
  organizationId?: string;
  parentId?: string;
  owner?: { name: string; email: string };
}

/** `POST /v1/plans`; a PATCH sends only what changed, with removed features and limits set to null. */
export interface PlanInput {
  key?: string;
  name?: string;
  features?: Record<string, boolean | number | string | null>;
  limits?: Partial<Record<LimitKey, number | null>>;
}

export interface InvitationCreateInput {
  email: string;
  role: TenantRole;
  /** 1–720; the API's default is 168 (7 days). */
  expiresInHours?: number;
}

export interface ApiKeyCreateInput {
  name: string;
  scopes?: string[];
  expiresAt?: Timestamp;
}

export interface WebhookInput {
  url: string;
  description: string | null;
  events: string[];
  isEnabled: boolean;
}

export interface SsoConnectionInput {
  issuer: string;
  clientId: string;
  /** Required to create; left out of a change to keep the current one. */
  clientSecret?: string;
  domains: string[];
  defaultRole: TenantRole;
  isEnabled: boolean;
}
