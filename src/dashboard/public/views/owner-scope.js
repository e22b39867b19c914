// Who a section's API keys and webhooks belong to. The same sections serve a tenant's page and an
// organization's page; only these paths differ.

/** @import { Organization, Tenant } from '../types.js' */
/** @import { OwnerScope } from '../app-types.js' */

/**
 * @param {Tenant} tenant
 * @returns {OwnerScope}
 */
export function tenantScope(tenant) {
  const id = encodeURIComponent(tenant.id);
  return { kind: 'tenant', id: tenant.id, name: tenant.displayName, apiBase: `/v1/tenants/${id}`, dashboardBase: `/dashboard/tenants/${id}` };
}

/**
 * @param {Organization} organization
 * @returns {OwnerScope}
 */
export function organizationScope(organization) {
  const id = encodeURIComponent(organization.id);
  return {
    kind: 'organization',
    id: organization.id,
    name: organization.name,
    apiBase: `/v1/organizations/${id}`,
    dashboardBase: `/dashboard/organizations/${id}`,
  };
}

/** The organization page of the signed-in administrator's own organization. */
export const ownOrganizationPath = (/** @type {string} */ organizationId) => `/dashboard/organizations/${encodeURIComponent(organizationId)}`;
