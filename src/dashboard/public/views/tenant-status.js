import { formatDate, h } from '../dom.js';
import { badge } from '../ui/components.js';

/** @import { Tenant, TenantStatus } from '../types.js' */
/** @import { BadgeKind } from '../ui/components.js' */

/** @type {Record<TenantStatus, [string, BadgeKind]>} */
const STATUSES = {
  active: ['Active', 'success'],
  suspended: ['Suspended', 'warning'],
  pending_deletion: ['Pending deletion', 'danger'],
};

/** @param {Pick<Tenant, 'status'>} tenant */
export function tenantStatusBadge(tenant) {
  const [label, kind] = STATUSES[tenant.status] ?? [tenant.status, 'neutral'];
  return badge(label, kind);
}

/**
 * The status badge with what goes with it: why a tenant is suspended, when a deleted one is purged.
 * @param {Pick<Tenant, 'status' | 'suspendedReason' | 'purgeAt'>} tenant
 */
export function tenantStatus(tenant) {
  const note =
    tenant.status === 'suspended' && tenant.suspendedReason
      ? tenant.suspendedReason
      : tenant.status === 'pending_deletion' && tenant.purgeAt
        ? `Purged on ${formatDate(tenant.purgeAt)}`
        : null;
  return h('div.status-cell', tenantStatusBadge(tenant), note ? h('span.cell-sub.status-note', note) : null);
}
