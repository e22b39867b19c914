import { api, ApiError, messageOf, statusOf } from '../api.js';
import { find, formatDate, h, pluralize } from '../dom.js';
import { checkbox, field, fieldValue, FormProblem, trimmedOrNull } from '../ui/form.js';
import { confirmDialog } from '../ui/dialog.js';
import { explainProblem } from '../ui/problems.js';
import { toast } from '../ui/toast.js';

/** @import { MenuItem } from '../ui/menu.js' */
/** @import { Page, Tenant } from '../types.js' */

// Each action calls its `onDone` before its toast: `onDone` may lead to another page (the list, after a delete),
// and a toast belongs to the page it is raised on.

/** @param {Tenant} tenant */
const path = (tenant) => `/v1/tenants/${encodeURIComponent(tenant.id)}`;

/**
 * Suspends a tenant, with the reason its administrators and owners will read.
 * @param {Tenant} tenant
 * @param {(updated: Tenant) => void} onDone
 */
export function suspendTenant(tenant, onDone) {
  confirmDialog({
    title: `Suspend ${tenant.displayName}?`,
    message: 'Its users are signed out at once and cannot sign in, and its API keys and tokens stop working until you reactivate it. Nothing is deleted.',
    body: field({
      label: 'Reason',
      name: 'suspendedReason',
      optional: true,
      rows: 2,
      maxlength: 500,
      hint: 'Shown on the tenant, for example “Invoice 2024-117 is overdue”.',
    }),
    confirmLabel: 'Suspend tenant',
    danger: true,
    onConfirm: async (form) => {
      /** @type {Tenant} */
      const updated = await api.patch(path(tenant), { status: 'suspended', suspendedReason: trimmedOrNull(fieldValue(form, 'suspendedReason')) });
      onDone(updated);
      toast(`${tenant.displayName} is suspended`);
    },
  });
}

/**
 * @param {Tenant} tenant
 * @param {(updated: Tenant) => void} onDone
 */
export async function reactivateTenant(tenant, onDone) {
  try {
    /** @type {Tenant} */
    const updated = await api.patch(path(tenant), { status: 'active' });
    onDone(updated);
    toast(`${tenant.displayName} is active again`);
  } catch (error) {
    if (statusOf(error) !== 401) toast(messageOf(error), { kind: 'error' });
  }
}

/**
 * Brings a deleted tenant back, with its users, keys and webhooks.
 * @param {Tenant} tenant
 * @param {(restored: Tenant) => void} onDone
 */
export async function restoreTenant(tenant, onDone) {
  try {
    /** @type {Tenant} */
    const restored = await api.post(`${path(tenant)}/restore`);
    onDone(restored);
    toast(`${tenant.displayName} was restored`);
  } catch (error) {
    if (statusOf(error) !== 401) toast(explainProblem(error instanceof ApiError ? error : null)?.text ?? messageOf(error), { kind: 'error' });
  }
}

/**
 * When a tenant just deleted is purged: it reads as 404 now, so it is looked up among the deleted.
 * @param {Tenant} tenant
 * @returns {Promise<string | null>}
 */
async function purgeDateOf(tenant) {
  try {
    /** @type {Page<Tenant>} */
    const data = await api.get('/v1/tenants', { status: 'pending_deletion', search: tenant.slug, limit: 100, count: 'false' });
    return data.results.find((t) => t.id === tenant.id)?.purgeAt ?? null;
  } catch {
    return null;
  }
}

/**
 * @param {Tenant} tenant
 * @param {boolean} on
 * @param {(updated: Tenant) => void} onDone
 */
export async function setDeletionProtection(tenant, on, onDone) {
  try {
    /** @type {Tenant} */
    const updated = await api.patch(path(tenant), { deletionProtection: on });
    onDone(updated);
    toast(on ? `${tenant.displayName} cannot be deleted until protection is turned off` : `Deletion protection of ${tenant.displayName} is off`);
  } catch (error) {
    if (statusOf(error) !== 401) toast(messageOf(error), { kind: 'error' });
  }
}

/**
 * @param {Tenant} tenant
 * @param {() => void} onDone
 */
export function deleteTenant(tenant, onDone) {
  const users = tenant.userCount;
  const force = checkbox({
    label: `Also delete its ${pluralize(users, 'user')}`,
    name: 'force',
    description: 'Their accounts and sessions go with the tenant, and come back if it is restored.',
  });
  const forceBox = find(force, 'input', HTMLInputElement);
  const dialog = confirmDialog({
    title: `Delete ${tenant.displayName}?`,
    message:
      users > 0
        ? `${tenant.displayName} still has ${pluralize(users, 'user')}. They lose access at once, with its API keys. An administrator can restore the tenant, with everything it had, until it is purged after the retention period.`
        : 'Its API keys stop working at once. An administrator can restore the tenant, with everything it had, until it is purged after the retention period.',
    body: users > 0 ? force : null,
    confirmLabel: 'Delete tenant',
    danger: true,
    onConfirm: async (form) => {
      if (users > 0 && !forceBox.checked) {
        throw new FormProblem(`Tick “Also delete its ${pluralize(users, 'user')}” to confirm.`);
      }
      try {
        await api.del(`${path(tenant)}${forceBox.checked ? '?force=true' : ''}`);
      } catch (error) {
        // Users were added since the page loaded: offer the same choice now.
        if (error instanceof ApiError && error.code === 'TENANT_HAS_USERS' && !force.isConnected) find(form, '.dialog-body', HTMLElement).append(force);
        throw error;
      }
      const purgeAt = await purgeDateOf(tenant);
      onDone();
      toast(
        purgeAt
          ? `${tenant.displayName} was deleted; it can be restored under Recently deleted until ${formatDate(purgeAt)}`
          : `${tenant.displayName} was deleted; it can be restored under Recently deleted until it is purged`,
      );
    },
  });
  const submit = find(dialog.dialog, 'button[type=submit]', HTMLButtonElement);
  if (users > 0) {
    submit.disabled = true;
    forceBox.addEventListener('change', () => (submit.disabled = !forceBox.checked));
  }
}

/**
 * The admin actions on a tenant, as menu items.
 * @param {Tenant} tenant
 * @param {{ onChange: (updated: Tenant) => void, onDelete: () => void }} handlers
 * @returns {MenuItem[]}
 */
export function tenantMenuItems(tenant, { onChange, onDelete }) {
  return [
    tenant.status === 'active'
      ? { label: 'Suspend…', onSelect: () => suspendTenant(tenant, onChange) }
      : { label: 'Reactivate', onSelect: () => reactivateTenant(tenant, onChange) },
    { label: 'Delete…', danger: true, onSelect: () => deleteTenant(tenant, onDelete) },
  ];
}

/**
 * The notice on a suspended tenant's pages, with the reason it was given.
 * @param {Tenant} tenant
 * @param {{ canReactivate: boolean, onChange: (updated: Tenant) => void }} options
 */
export function suspendedBanner(tenant, { canReactivate, onChange }) {
  return h(
    'div.alert.alert-warning.banner',
    { role: 'status' },
    h(
      'div',
      h('p.alert-title', 'This tenant is suspended'),
      tenant.suspendedReason ? h('p.suspended-reason', `Reason: ${tenant.suspendedReason}`) : null,
      h('p', 'Its users cannot sign in and its API keys are refused until it is reactivated.'),
    ),
    canReactivate ? h('button.btn.btn-secondary.btn-sm', { type: 'button', onclick: () => reactivateTenant(tenant, onChange) }, 'Reactivate') : null,
  );
}
