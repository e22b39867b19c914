import { MANAGEMENT_SCOPES } from '../operations.js';

/**
 * The resources the OpenAPI examples show, as the API returns them: one organization, one tenant
 * of it with its owner, key, endpoint and so on, so that the examples of different operations
 * agree with each other. Ids have the shape of real ones (`src/lib/ids.ts`); secrets and tokens
 * have the shape of real ones but say they are placeholders.
 */

export const PUBLIC_URL = 'https://landlord.yourcompany.dev';

export const ID = {
  organization: 'org_01kjpx732tnpy3ncarnveftjcd',
  tenant: 'tnt_01kjpx731wwb3jtpgsnaj8t6yq',
  parent: 'tnt_01kjpx730a0e06wpp7yw0fa1q3',
  owner: 'usr_01kjpx735c0yp983chne7qnwr4',
  admin: 'usr_01kjpx72fqpc746apt651spvkz',
  tenantKey: 'key_01kjpx72axn4tcaxaw37envc6q',
  organizationKey: 'key_01kjpx736aadhyznnt6xqxdjna',
  webhook: 'whk_01kjpx72m862wcmvcc9bvytveh',
  event: 'evt_01kjpx72sned8rhycej2kxk431',
  delivery: 'dlv_01kjpx735eh5vn3ne97zyfsm0e',
  audit: 'aud_01kjpx72hdbkbwbw6e4sn1ra75',
  invitation: 'inv_01kjpx72x4rfzg1r1kdh6dz46j',
  ssoConnection: 'sso_01kjpx72p5xr4ev3x3mxxpban6',
} as const;

export const AT = {
  created: '2026-03-02T09:14:07.512Z',
  updated: '2026-03-09T16:42:31.027Z',
  now: '2026-03-10T08:30:00.000Z',
  soon: '2026-03-10T08:45:00.000Z',
  week: '2026-03-17T08:30:00.000Z',
} as const;

/** Placeholders shaped like what they stand for: `lk_` + 43 base62 characters, `whsec_` + base64 of 32 bytes. */
export const SECRET = {
  apiKey: `lk_${'EXAMPLEnotArealSecret'.padEnd(43, '0')}`,
  rotatedApiKey: `lk_${'EXAMPLEnotArealSecret'.padEnd(43, '1')}`,
  webhook: `whsec_${Buffer.from('example-signing-secret-not-real!').toString('base64')}`,
  linkToken: 'EXAMPLEnotArealLinkToken'.padEnd(43, '0'),
  csrfToken: 'EXAMPLEnotArealCsrfToken'.padEnd(43, '0'),
  accessToken: 'eyJhbGciOiJFZERTQSIsInR5cCI6ImF0K2p3dCJ9.eyJleGFtcGxlIjoibm90IGEgcmVhbCB0b2tlbiJ9.EXAMPLEnotArealSignature',
} as const;

const scopes = [...MANAGEMENT_SCOPES];

export const organization = {
  id: ID.organization,
  name: 'Acme Cloud',
  slug: 'acme-cloud',
  tenantCount: 42,
  createdAt: AT.created,
  updatedAt: AT.updated,
};

export const entitlements = { plan: 'pro', features: { sso: true, exports: 'csv' }, limits: { users: 50, apiKeys: 10, webhooks: 5, requestsPerMinute: 600 } };

export const tenant = {
  id: ID.tenant,
  organizationId: ID.organization,
  parentId: null,
  depth: 0,
  ancestorIds: [],
  name: 'Northwind Traders',
  slug: 'northwind',
  externalId: 'cus_4821',
  displayName: 'Northwind Traders Ltd',
  email: 'billing@northwind.example',
  url: 'https://northwind.example',
  description: 'Wholesale customer since 2024',
  isActive: true,
  status: 'active',
  suspendedReason: null,
  deletedAt: null,
  purgeAt: null,
  deletionProtection: false,
  plan: 'pro',
  features: { exports: 'csv' },
  limits: { users: 50 },
  entitlements,
  legalEntities: [{ name: 'Northwind Traders Ltd', registrationNumber: 'GB123456789' }],
  settings: { timezone: 'Europe/London', weekStart: 1, locale: 'en-GB' },
  metadata: { crmId: '0015g00000XyZ' },
  owner: { id: ID.owner, name: 'Ada Lovelace', email: 'ada@northwind.example' },
  userCount: 3,
  createdAt: AT.created,
  updatedAt: AT.updated,
};

export const owner = {
  id: ID.owner,
  organizationId: ID.organization,
  tenantId: ID.tenant,
  email: 'ada@northwind.example',
  name: 'Ada Lovelace',
  role: 'owner',
  roles: ['editor'],
  permissions: [...scopes, 'content:post'],
  isActive: true,
  lastSignInAt: AT.updated,
  createdAt: AT.created,
  updatedAt: AT.updated,
};

export const admin = {
  ...owner,
  id: ID.admin,
  tenantId: null,
  email: 'grace@acme-cloud.example',
  name: 'Grace Hopper',
  role: 'admin',
  roles: [],
  permissions: scopes,
};

export const apiKey = {
  id: ID.tenantKey,
  name: 'Northwind backend',
  prefix: SECRET.apiKey.slice(0, 11),
  scopes: ['tenants:read', 'users:read', 'users:write', 'content:post'],
  organizationId: ID.organization,
  tenantId: ID.tenant,
  createdAt: AT.created,
  expiresAt: null,
  lastUsedAt: AT.updated,
};

export const organizationKey = { ...apiKey, id: ID.organizationKey, name: 'Provisioning', scopes: ['tenants:read', 'tenants:write'], tenantId: null };

export const webhook = {
  id: ID.webhook,
  organizationId: ID.organization,
  tenantId: ID.tenant,
  url: 'https://hooks.northwind.example/landlord',
  events: ['tenant.updated', 'user.created'],
  description: 'Provisioning sync',
  isEnabled: true,
  disabledReason: null,
  failingSince: null,
  previousSecretExpiresAt: null,
  createdAt: AT.created,
  updatedAt: AT.updated,
};

export const plan = {
  key: 'pro',
  organizationId: ID.organization,
  name: 'Pro',
  features: { sso: true },
  limits: { users: 50, apiKeys: 10, webhooks: 5, requestsPerMinute: 600 },
  tenantCount: 17,
  createdAt: AT.created,
  updatedAt: AT.updated,
};

export const role = {
  key: 'editor',
  organizationId: ID.organization,
  name: 'Editor',
  description: 'Publishes content and manages users',
  permissions: ['users:read', 'users:write', 'content:post'],
  userCount: 8,
  createdAt: AT.created,
  updatedAt: AT.updated,
};

export const invitation = {
  id: ID.invitation,
  tenantId: ID.tenant,
  email: 'lin@northwind.example',
  role: 'member',
  roles: ['editor'],
  status: 'pending',
  expiresAt: AT.week,
  acceptedAt: null,
  userId: null,
  createdAt: AT.now,
  updatedAt: AT.now,
};

export const invitationLink = `${PUBLIC_URL}/dashboard/accept-invitation?token=${SECRET.linkToken}`;
export const signInLink = `${PUBLIC_URL}/dashboard/sign-in?token=${SECRET.linkToken}`;

export const ssoConnection = {
  id: ID.ssoConnection,
  tenantId: ID.tenant,
  type: 'oidc',
  issuer: 'https://login.northwind.example',
  clientId: 'landlord-northwind',
  domains: ['northwind.example'],
  defaultRole: 'member',
  isEnabled: true,
  redirectUri: `${PUBLIC_URL}/v1/auth/sso/callback`,
  createdAt: AT.created,
  updatedAt: AT.updated,
};

export const event = {
  id: ID.event,
  type: 'tenant.updated',
  sequence: 128,
  createdAt: AT.updated,
  organizationId: ID.organization,
  tenantId: ID.tenant,
  data: { object: tenant, previous: { ...tenant, description: null, updatedAt: AT.created } },
};

export const delivery = {
  id: ID.delivery,
  webhookId: ID.webhook,
  eventId: ID.event,
  eventType: 'tenant.updated',
  status: 'succeeded',
  attemptCount: 2,
  nextAttemptAt: null,
  lastStatusCode: 200,
  createdAt: AT.now,
  updatedAt: AT.soon,
  completedAt: AT.soon,
  attempts: [
    { attemptedAt: AT.now, statusCode: 503, durationMs: 212, error: null, responseExcerpt: 'Service Unavailable' },
    { attemptedAt: AT.soon, statusCode: 200, durationMs: 87, error: null, responseExcerpt: '{"ok":true}' },
  ],
  payload: (({ sequence: _, ...delivered }) => delivered)(event),
};

export const auditEntry = {
  id: ID.audit,
  occurredAt: AT.updated,
  organizationId: ID.organization,
  tenantId: ID.tenant,
  actor: { type: 'api_key', id: ID.organizationKey },
  credentialId: ID.organizationKey,
  action: 'tenant.update',
  target: { type: 'tenant', id: ID.tenant },
  ip: '203.0.113.24',
  userAgent: 'landlord-sdk/1.0.0',
  requestId: '5b0e7a52-3c1d-4f8e-9a26-7d4c1b9e0f35',
  changes: { description: { from: null, to: 'Wholesale customer since 2024' } },
};

export const session = { user: owner, expiresAt: AT.week, csrfToken: SECRET.csrfToken, plan: 'pro', features: entitlements.features };
