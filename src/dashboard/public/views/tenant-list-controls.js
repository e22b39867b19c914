import { h } from '../dom.js';
import { viewTabs } from '../ui/components.js';
import { uid } from '../ui/form.js';

// The controls above the tenant lists: orderings, the status filter, and the tabs between the lists.

/** @type {[string, string][]} */
export const ORDERINGS = [
  ['-createdAt', 'Newest first'],
  ['createdAt', 'Oldest first'],
  ['name', 'Name A–Z'],
  ['-name', 'Name Z–A'],
  ['-updatedAt', 'Recently updated'],
];
/** @type {[string, string][]} */
export const STATUSES = [
  ['', 'All statuses'],
  ['active', 'Active'],
  ['suspended', 'Suspended'],
];

/**
 * The status filter of a link: `status`, or the older `isActive=true|false` it replaced.
 * @param {URLSearchParams} query
 */
export function statusFilter(query) {
  const legacy = query.get('isActive');
  const status = query.get('status') ?? (legacy === 'true' ? 'active' : legacy === 'false' ? 'suspended' : '');
  return STATUSES.some(([s]) => s === status) ? status : '';
}

/** The links between all tenants and the recently deleted ones (admins). */
export const tenantListTabs = (/** @type {'all' | 'deleted'} */ current) =>
  viewTabs('Tenant lists', [
    { href: '/dashboard/tenants', label: 'All tenants', current: current === 'all' },
    { href: '/dashboard/tenants/deleted', label: 'Recently deleted', current: current === 'deleted' },
  ]);

/**
 * A labelled select of [value, text] options.
 * @param {string} label
 * @param {[string, string][]} options
 * @param {string} value
 */
export function select(label, options, value) {
  const id = uid('s');
  return h(
    'div.toolbar-field',
    h('label.visually-hidden', { for: id }, label),
    h(
      'select.input',
      { id },
      options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)),
    ),
  );
}
