import { MANAGEMENT_SCOPES } from '../operations.js';
import {
  AT,
  ID,
  PUBLIC_URL,
  SECRET,
  admin,
  apiKey,
  auditEntry,
  delivery,
  entitlements,
  event,
  invitation,
  invitationLink,
  organization,
  organizationKey,
  owner,
  plan,
  role,
  session,
  signInLink,
  ssoConnection,
  tenant,
  webhook,
} from './openapi-example-resources.js';

/**
 * An example request body and success response for each operation, by operationId. An operation
 * with a body, or a success response with content, needs its entry here (test/openapi-examples.test.ts
 * checks it, and that each example is valid against its schema).
 */
export interface OperationExample {
  request?: unknown;
  response?: unknown;
  /** Success responses that differ by media type. */
  responses?: Record<string, unknown>;
}

const createdKey = { ...apiKey, id: ID.tenantKey, createdAt: AT.now, lastUsedAt: null, secret: SECRET.apiKey };
const rotatedKey = { ...apiKey, prefix: SECRET.rotatedApiKey.slice(0, 11), secret: SECRET.rotatedApiKey };
const createdOrganizationKey = { ...organizationKey, createdAt: AT.now, lastUsedAt: null, secret: SECRET.apiKey };
const createdWebhook = { ...webhook, createdAt: AT.now, updatedAt: AT.now, secret: SECRET.webhook };
const tenantList = (results: unknown[]) => ({ count: 42, next: `${PUBLIC_URL}/v1/tenants?limit=1&cursor=eyJvIjoiLWNyZWF0ZWRBdCJ9`, previous: null, results });
const createdTenant = {
  ...tenant,
  userCount: 1,
  createdAt: AT.now,
  updatedAt: AT.now,
  dashboardUrl: `${PUBLIC_URL}/dashboard/tenants/${ID.tenant}`,
  signInUrl: signInLink,
  apiKey: { id: ID.tenantKey, secret: SECRET.apiKey, scopes: apiKey.scopes },
  webhook: { id: ID.webhook, url: webhook.url, events: webhook.events, secret: SECRET.webhook },
};
const tenantBody = {
  name: 'Northwind Traders',
  slug: 'northwind',
  externalId: 'cus_4821',
  email: 'billing@northwind.example',
  plan: 'pro',
  settings: { timezone: 'Europe/London', locale: 'en-GB' },
  metadata: { crmId: '0015g00000XyZ' },
};
const tenantUser = { email: 'lin@northwind.example', name: 'Lin Chen', role: 'member', roles: ['editor'] };
const organizationUser = { email: 'grace@acme-cloud.example', name: 'Grace Hopper', role: 'admin' };
const userPatch = { name: 'Lin Chen-Okafor', roles: [] };
const signInLinkAnswer = { url: signInLink, expiresAt: AT.soon };
const a = auditEntry;
const csvChanges = `"${JSON.stringify(a.changes).replace(/"/g, '""')}"`;
const auditCsv = [
  'occurredAt,id,organizationId,tenantId,actorType,actorId,credentialId,action,targetType,targetId,ip,userAgent,requestId,changes',
  [
    a.occurredAt,
    a.id,
    a.organizationId,
    a.tenantId,
    a.actor.type,
    a.actor.id,
    a.credentialId,
    a.action,
    a.target.type,
    a.target.id,
    a.ip,
    a.userAgent,
    a.requestId,
    csvChanges,
  ].join(','),
  '',
].join('\r\n');
const clientCredentials = { client_id: ID.tenantKey, client_secret: SECRET.apiKey };

export const OPERATION_EXAMPLES: Record<string, OperationExample> = {
  'system.health': { response: { status: 'ok' } },
  'system.ready': { response: { status: 'ready' } },
  'system.metrics': {
    response: [
      '# HELP landlord_http_requests_total HTTP requests by operation and status',
      '# TYPE landlord_http_requests_total counter',
      'landlord_http_requests_total{method="GET",operation="tenant.list",status="200"} 1027',
      '',
    ].join('\n'),
  },
  'oauth.jwks': {
    response: {
      keys: [
        {
          kty: 'OKP',
          crv: 'Ed25519',
          x: 'UFT-f5z_yOj1gyyYRe4lGNU9n4P_OEtYBal3YvBDbfs',
          kid: 'LX4TyuHrJ647StRbBVv_j_IDS9o4Ec9luQ-YRpTJuOQ',
          alg: 'EdDSA',
          use: 'sig',
        },
      ],
    },
  },
  'oauth.metadata': {
    response: {
      issuer: PUBLIC_URL,
      token_endpoint: `${PUBLIC_URL}/oauth/token`,
      jwks_uri: `${PUBLIC_URL}/.well-known/jwks.json`,
      introspection_endpoint: `${PUBLIC_URL}/oauth/introspect`,
      revocation_endpoint: `${PUBLIC_URL}/oauth/revoke`,
      grant_types_supported: ['client_credentials'],
      response_types_supported: [],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      scopes_supported: [...MANAGEMENT_SCOPES],
      service_documentation: `${PUBLIC_URL}/docs`,
    },
  },
  'oauth.token': {
    request: { grant_type: 'client_credentials', scope: 'tenants:read content:post', ...clientCredentials },
    response: { access_token: SECRET.accessToken, token_type: 'Bearer', expires_in: 3600, scope: 'tenants:read content:post' },
  },
  'oauth.introspect': {
    request: { token: SECRET.accessToken, ...clientCredentials },
    response: {
      active: true,
      scope: 'tenants:read content:post',
      client_id: ID.tenantKey,
      sub: ID.tenantKey,
      exp: 1773135000,
      iat: 1773131400,
      iss: PUBLIC_URL,
      aud: 'landlord',
      jti: 'EXAMPLEnotArealJti00000',
      token_type: 'Bearer',
      org: ID.organization,
      tid: ID.tenant,
      role: 'owner',
    },
  },
  'oauth.revoke': { request: { token: SECRET.accessToken, ...clientCredentials } },

  'auth.login': { request: { email: owner.email, password: 'correct horse battery staple' }, response: session },
  'auth.sign_in_link': { request: { token: SECRET.linkToken }, response: session },
  'invitation.accept': {
    request: { token: SECRET.linkToken, name: 'Lin Chen', password: 'correct horse battery staple' },
    response: { ...session, user: { ...owner, email: invitation.email, name: 'Lin Chen', role: 'member' } },
  },
  'auth.password_reset_request': { request: { email: owner.email }, response: { status: 'accepted' } },
  'auth.password_reset': { request: { token: SECRET.linkToken, password: 'correct horse battery staple' }, response: session },
  'auth.session': { response: session },
  'auth.token': { response: { access_token: SECRET.accessToken, token_type: 'Bearer', expires_in: 900 } },
  'auth.sso_lookup': { response: { sso: true } },

  'organization.create': { request: { name: organization.name, slug: organization.slug }, response: { ...organization, tenantCount: 0 } },
  'organization.list': { response: { results: [organization] } },
  'organization.me': { response: organization },
  'organization.get': { response: organization },
  'organization.update': { request: { name: 'Acme Cloud Ltd' }, response: { ...organization, name: 'Acme Cloud Ltd' } },
  'organization.api_key.create': { request: { name: organizationKey.name, scopes: organizationKey.scopes, expiresAt: null }, response: createdOrganizationKey },
  'organization.api_key.list': { response: { results: [organizationKey] } },
  'organization.api_key.rotate': {
    request: { gracePeriodSeconds: 86400 },
    response: { ...organizationKey, prefix: rotatedKey.prefix, secret: SECRET.rotatedApiKey },
  },

  'plan.create': { request: { key: plan.key, name: plan.name, features: plan.features, limits: plan.limits }, response: { ...plan, tenantCount: 0 } },
  'plan.list': { response: { results: [plan] } },
  'plan.get': { response: plan },
  'plan.update': { request: { limits: { users: 100, webhooks: null } }, response: { ...plan, limits: { users: 100, apiKeys: 10, requestsPerMinute: 600 } } },

  'role.create': {
    request: { key: role.key, name: role.name, description: role.description, permissions: role.permissions },
    response: { ...role, userCount: 0 },
  },
  'role.list': { response: { results: [role] } },
  'role.get': { response: role },
  'role.update': { request: { permissions: ['users:read', 'content:post'] }, response: { ...role, permissions: ['users:read', 'content:post'] } },

  'tenant.create': {
    request: {
      ...tenantBody,
      owner: { name: owner.name, email: owner.email },
      apiKey: { name: apiKey.name, scopes: apiKey.scopes },
      webhook: { url: webhook.url, events: webhook.events },
    },
    response: createdTenant,
  },
  'tenant.list': { response: tenantList([tenant]) },
  'tenant.batch_create': {
    request: { items: [tenantBody, { name: 'Contoso', slug: 'northwind' }], atomic: false },
    response: {
      results: [
        { status: 201, tenant: { ...tenant, createdAt: AT.now, updatedAt: AT.now, owner: null, userCount: 0, dashboardUrl: createdTenant.dashboardUrl } },
        {
          status: 409,
          error: {
            type: 'https://landlord.dev/errors/slug-occupied',
            title: 'Conflict',
            status: 409,
            code: 'SLUG_OCCUPIED',
            detail: 'A tenant with this slug already exists',
            requestId: auditEntry.requestId,
            errors: [{ field: 'slug', code: 'SLUG_OCCUPIED', message: 'A tenant with this slug already exists' }],
          },
        },
      ],
    },
  },
  'tenant.me': { response: tenant },
  'tenant.entitlements': { response: entitlements },
  'tenant.get': { response: tenant },
  'tenant.replace': { request: { ...tenantBody, description: 'Wholesale customer since 2024' }, response: tenant },
  'tenant.update': { request: { description: 'Wholesale customer since 2024', metadata: { legacyId: null } }, response: tenant },
  'tenant.restore': { response: tenant },
  'tenant.export': { response: { exportedAt: AT.now, tenant, users: [owner], apiKeys: [apiKey], webhooks: [webhook] } },
  'tenant.api_key.create': {
    request: { name: apiKey.name, scopes: apiKey.scopes, expiresAt: '2027-03-02T00:00:00Z' },
    response: { ...createdKey, expiresAt: '2027-03-02T00:00:00.000Z' },
  },
  'tenant.api_key.list': { response: { results: [apiKey] } },
  'tenant.api_key.rotate': { request: { gracePeriodSeconds: 86400 }, response: rotatedKey },

  'tenant.user.create': { request: tenantUser, response: { ...owner, ...tenantUser, lastSignInAt: null, createdAt: AT.now, updatedAt: AT.now } },
  'tenant.user.list': { response: { results: [owner] } },
  'tenant.user.get': { response: owner },
  'tenant.user.update': { request: userPatch, response: { ...owner, ...userPatch } },
  'tenant.user.sign_in_link': { response: signInLinkAnswer },
  'organization.user.create': { request: organizationUser, response: { ...admin, lastSignInAt: null, createdAt: AT.now, updatedAt: AT.now } },
  'organization.user.list': { response: { results: [admin] } },
  'organization.user.get': { response: admin },
  'organization.user.update': { request: { name: 'Grace B. Hopper' }, response: { ...admin, name: 'Grace B. Hopper' } },
  'organization.user.sign_in_link': { response: signInLinkAnswer },

  'invitation.create': {
    request: { email: invitation.email, role: 'member', roles: invitation.roles, expiresInHours: 168 },
    response: { ...invitation, url: invitationLink },
  },
  'invitation.list': { response: { results: [invitation] } },
  'invitation.resend': { response: { ...invitation, url: invitationLink } },

  'sso_connection.create': {
    request: {
      type: 'oidc',
      issuer: ssoConnection.issuer,
      clientId: ssoConnection.clientId,
      clientSecret: 'EXAMPLE-not-a-real-client-secret',
      domains: ssoConnection.domains,
    },
    response: ssoConnection,
  },
  'sso_connection.list': { response: { results: [ssoConnection] } },
  'sso_connection.get': { response: ssoConnection },
  'sso_connection.update': {
    request: { domains: ['northwind.example', 'northwind.co.uk'] },
    response: { ...ssoConnection, domains: ['northwind.example', 'northwind.co.uk'] },
  },

  'event.list': { response: { results: [event], next: `${PUBLIC_URL}/v1/events?after=eyJ4IjoiODAyIiwicCI6Mn0` } },
  'audit.export': { responses: { 'application/x-ndjson': `${JSON.stringify(auditEntry)}\n`, 'text/csv': auditCsv } },
  'audit.list': { response: { results: [auditEntry], next: `${PUBLIC_URL}/v1/audit-logs?cursor=eyJ0IjoiMjAyNi0wMy0wOVQxNjo0MjozMS4wMjdaIn0` } },

  'webhook.create': {
    request: { url: webhook.url, events: webhook.events, description: webhook.description },
    response: { ...createdWebhook, tenantId: null },
  },
  'webhook.list': { response: { results: [webhook], next: null } },
  'tenant.webhook.create': { request: { url: webhook.url, events: webhook.events, description: webhook.description }, response: createdWebhook },
  'tenant.webhook.list': { response: { results: [webhook], next: null } },
  'webhook.get': { response: webhook },
  'webhook.update': { request: { events: ['*'] }, response: { ...webhook, events: ['*'] } },
  'webhook.test': { response: { eventId: ID.event, deliveryId: ID.delivery } },
  'webhook.delivery_list': { response: { results: [delivery], next: null } },
  'webhook.delivery_retry': { response: { ...delivery, status: 'pending', nextAttemptAt: AT.now, completedAt: null } },
  'webhook.rotate_secret': { request: { overlapSeconds: 86400 }, response: { ...webhook, previousSecretExpiresAt: AT.week, secret: SECRET.webhook } },
};
