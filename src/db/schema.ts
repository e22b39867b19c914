import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface OrganizationsTable {
  id: string;
  name: string;
  slug: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface LegalEntity {
  name: string;
  registrationNumber: string;
}

export interface TenantSettings {
  timezone: string;
  weekStart: number;
  locale: string;
}

export interface TenantsTable {
  id: string;
  organization_id: string;
  name: string;
  slug: string;
  external_id: string | null;
  display_name: string;
  email: string | null;
  url: string | null;
  description: string | null;
  is_active: boolean;
  deletion_protection: Generated<boolean>;
  suspended_reason: ColumnType<string | null, string | null | undefined, string | null>;
  deleted_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  purge_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  status_changed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  parent_id: ColumnType<string | null, string | null | undefined, string | null>;
  depth: ColumnType<number, number | undefined, number>;
  /** Root first; empty for a root. */
  ancestor_ids: ColumnType<string[], string[] | undefined, string[]>;
  plan: ColumnType<string | null, string | null | undefined, string | null>;
  features: ColumnType<FeatureMap, string | undefined, string>;
  limits: ColumnType<LimitMap, string | undefined, string>;
  legal_entities: Json<LegalEntity[]>;
  settings: Json<TenantSettings>;
  metadata: Json<Record<string, string>>;
  search_text: ColumnType<string, never, never>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Feature flags: a boolean, a number or a string under each key. */
export type FeatureMap = Record<string, boolean | number | string>;

/** Quotas; a key that is absent is unlimited. */
export interface LimitMap {
  users?: number;
  apiKeys?: number;
  webhooks?: number;
  requestsPerMinute?: number;
}

export interface PlansTable {
  organization_id: string;
  key: string;
  name: string;
  features: Json<FeatureMap>;
  limits: Json<LimitMap>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MailsTable {
  id: string;
  organization_id: string | null;
  tenant_id: string | null;
  kind: string;
  to_address: string;
  content_sealed: string;
  status: ColumnType<
    'pending' | 'sending' | 'sent' | 'failed',
    'pending' | 'sending' | 'sent' | 'failed' | undefined,
    'pending' | 'sending' | 'sent' | 'failed'
  >;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  locked_until: Timestamp | null;
  last_error: string | null;
  created_at: Timestamp;
  sent_at: Timestamp | null;
}

export interface InvitationsTable {
  id: string;
  organization_id: string;
  tenant_id: string;
  email: string;
  role: string;
  roles: ColumnType<string[], string[] | undefined, string[]>;
  token_hash: string;
  expires_at: Timestamp;
  accepted_at: Timestamp | null;
  revoked_at: Timestamp | null;
  user_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SsoConnectionsTable {
  id: string;
  organization_id: string;
  tenant_id: string;
  type: string;
  issuer: string;
  client_id: string;
  client_secret_sealed: string;
  default_role: string;
  is_enabled: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SsoDomainsTable {
  domain: string;
  connection_id: string;
}

export interface SsoIdentitiesTable {
  connection_id: string;
  subject: string;
  user_id: string;
  created_at: Timestamp;
  last_sign_in_at: Timestamp;
}

export interface SsoAttemptsTable {
  state_hash: string;
  connection_id: string;
  browser_hash: string;
  nonce: string;
  code_verifier_sealed: string;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface RolesTable {
  organization_id: string;
  key: string;
  name: string;
  description: string | null;
  permissions: ColumnType<string[], string[] | undefined, string[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PasswordResetsTable {
  token_hash: string;
  user_id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface UsersTable {
  id: string;
  organization_id: string;
  tenant_id: string | null;
  email: string;
  name: string;
  role: string;
  password_hash: string | null;
  /** Keys of the organization's custom roles the user holds beside its base role. */
  roles: ColumnType<string[], string[] | undefined, string[]>;
  is_active: Generated<boolean>;
  last_sign_in_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ApiKeysTable {
  id: string;
  organization_id: string;
  tenant_id: string | null;
  name: string;
  prefix: string;
  secret_hash: string;
  scopes: Json<string[]>;
  created_at: Timestamp;
  expires_at: Timestamp | null;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
  previous_secret_hash: string | null;
  previous_expires_at: Timestamp | null;
  /** When the secret was last rotated (nothing else changes a key). */
  updated_at: Timestamp | null;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  ip: string | null;
  user_agent: string | null;
}

export interface SignInLinksTable {
  token_hash: string;
  user_id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface SigningKeysTable {
  kid: string;
  public_jwk: Json<Record<string, unknown>>;
  private_jwk_sealed: string;
  created_at: Timestamp;
  retired_at: Timestamp | null;
}

export interface RevokedTokensTable {
  jti: string;
  revoked_at: Timestamp;
  expires_at: Timestamp;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  window_start: Timestamp;
  locked_until: Timestamp | null;
}

export interface IdempotencyKeysTable {
  principal_id: string;
  key: string;
  request_hash: string;
  state: 'running' | 'done';
  response_status: number | null;
  response_headers: Json<Record<string, string>> | null;
  response_body: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface SystemTable {
  key: string;
  value: string;
  updated_at: Timestamp;
}

export interface EventsTable {
  position: Generated<string>;
  id: string;
  txid: Generated<string>;
  organization_id: string;
  tenant_id: string | null;
  sequence: number;
  type: string;
  data: Json<Record<string, unknown>>;
  created_at: Timestamp;
}

export interface EventSequencesTable {
  scope_id: string;
  last_sequence: number;
}

export interface AuditLogsTable {
  id: string;
  organization_id: string | null;
  tenant_id: string | null;
  occurred_at: Timestamp;
  actor_type: string;
  actor_id: string | null;
  credential_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  changes: Json<Record<string, unknown>> | null;
}

export interface WebhooksTable {
  id: string;
  organization_id: string;
  tenant_id: string | null;
  url: string;
  events: Json<string[]>;
  description: string | null;
  is_enabled: boolean;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: Timestamp | null;
  failing_since: Timestamp | null;
  disabled_reason: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DeliveriesTable {
  id: string;
  webhook_id: string;
  event_id: string;
  status: 'pending' | 'sending' | 'succeeded' | 'failed';
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  locked_until: Timestamp | null;
  last_status_code: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  completed_at: Timestamp | null;
}

export interface DeliveryAttemptsTable {
  id: Generated<string>;
  delivery_id: string;
  attempted_at: Timestamp;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
  response_excerpt: string | null;
}

export interface Database {
  organizations: OrganizationsTable;
  tenants: TenantsTable;
  plans: PlansTable;
  mails: MailsTable;
  invitations: InvitationsTable;
  password_resets: PasswordResetsTable;
  roles: RolesTable;
  sso_connections: SsoConnectionsTable;
  sso_domains: SsoDomainsTable;
  sso_identities: SsoIdentitiesTable;
  sso_attempts: SsoAttemptsTable;
  users: UsersTable;
  api_keys: ApiKeysTable;
  idempotency_keys: IdempotencyKeysTable;
  system: SystemTable;
  sessions: SessionsTable;
  sign_in_links: SignInLinksTable;
  signing_keys: SigningKeysTable;
  revoked_tokens: RevokedTokensTable;
  login_throttle: LoginThrottleTable;
  events: EventsTable;
  event_sequences: EventSequencesTable;
  audit_logs: AuditLogsTable;
  webhooks: WebhooksTable;
  deliveries: DeliveriesTable;
  delivery_attempts: DeliveryAttemptsTable;
}

export type TenantRow = Selectable<TenantsTable>;
export type NewTenantRow = Insertable<TenantsTable>;
export type OrganizationRow = Selectable<OrganizationsTable>;
export type PlanRow = Selectable<PlansTable>;
export type InvitationRow = Selectable<InvitationsTable>;
export type MailRow = Selectable<MailsTable>;
export type RoleRow = Selectable<RolesTable>;
export type SsoConnectionRow = Selectable<SsoConnectionsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type UserRow = Selectable<UsersTable>;
