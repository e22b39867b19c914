import { api, ApiError, messageOf, statusOf } from '../api.js';
import { find, h, pluralize } from '../dom.js';
import { checkbox, FormProblem } from '../ui/form.js';
import { confirmDialog } from '../ui/dialog.js';
import { toast } from '../ui/toast.js';

/** @import { MenuItem } from '../ui/menu.js' */
/** @import { Tenant } from '../types.js' */

/** @param {Tenant} tenant */
const path = (tenant) => `/v1/tenants/${encodeURIComponent(tenant.id)}`;

/**
 * @param {Tenant} tenant
 * @param {(updated: Tenant) => void} onDone
 */
export function deactivateTenant(tenant, onDone) {
  confirmDialog({
    title: `Deactivate ${tenant.displayName}?`,
    message: 'Its users are signed out at once and cannot sign in, and its API keys and tokens stop working until you reactivate it. Nothing is deleted.',
    confirmLabel: 'Deactivate tenant',
    danger: true,
    onConfirm: async () => {
      /** @type {Tenant} */
      const updated = await api.patch(path(tenant), { isActive: false });
      toast(`${tenant.displayName} is deactivated`);
      onDone(updated);
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
    const updated = await api.patch(path(tenant), { isActive: true });
    toast(`${tenant.displayName} is active again`);
    onDone(updated);
  } catch (error) {
    if (statusOf(error) !== 401) toast(messageOf(error), { kind: 'error' });
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
    toast(on ? `${tenant.displayName} cannot be deleted until protection is turned off` : `Deletion protection of ${tenant.displayName} is off`);
    onDone(updated);
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
      toast(`${tenant.displayName} was deleted; it can be restored until it is purged`);
      onDone();
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
    tenant.isActive
      ? { label: 'Deactivate', onSelect: () => deactivateTenant(tenant, onChange) }
      : { label: 'Reactivate', onSelect: () => reactivateTenant(tenant, onChange) },
    { label: 'Delete…', danger: true, onSelect: () => deleteTenant(tenant, onDelete) },
  ];
}

/**
 * @param {Tenant} tenant
 * @param {{ canReactivate: boolean, onChange: (updated: Tenant) => void }} options
 */
export function inactiveBanner(tenant, { canReactivate, onChange }) {
  return h(
    'div.alert.alert-warning.banner',
    { role: 'status' },
    h('div', h('p.alert-title', 'This tenant is deactivated'), h('p', 'Its users cannot sign in and its API keys are refused until it is reactivated.')),
    canReactivate ? h('button.btn.btn-secondary.btn-sm', { type: 'button', onclick: () => reactivateTenant(tenant, onChange) }, 'Reactivate') : null,
  );
}
