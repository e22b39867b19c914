import { api, statusOf, withQuery } from '../api.js';
import { formatNumber, h, replace, timeAgo } from '../dom.js';
import { isSuperadmin } from '../session.js';
import { badge, code, createButton, emptyState, errorState, loading, pageHeader, table } from '../ui/components.js';
import { confirmDialog, formDialog } from '../ui/dialog.js';
import { checkbox, checkedValues, field, fieldValue, FormProblem } from '../ui/form.js';
import { actionMenu } from '../ui/menu.js';
import { toast } from '../ui/toast.js';

/** @import { CustomRole, CustomRoleInput, List } from '../types.js' */
/** @import { PageContext } from '../app-types.js' */

const ROLE_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
/** Landlord's own scopes, as a role grants them. */
const LANDLORD_SCOPES = [
  ['tenants:read', 'Read the tenant profile'],
  ['tenants:write', 'Edit the tenant profile'],
  ['users:read', 'List users'],
  ['users:write', 'Manage users'],
  ['api_keys:read', 'List API keys'],
  ['api_keys:write', 'Manage API keys'],
  ['webhooks:read', 'List webhooks'],
  ['webhooks:write', 'Manage webhooks'],
  ['events:read', 'Read events'],
  ['audit:read', 'Read the audit log'],
];
const LANDLORD = new Set(LANDLORD_SCOPES.map(([s]) => s));

/** @param {string[]} permissions */
function permissionChips(permissions) {
  if (!permissions.length) return h('span.muted', 'None');
  return h(
    'div.chips',
    permissions.map((p) => badge(p, LANDLORD.has(p) ? 'primary' : 'neutral')),
  );
}

/**
 * The organization's custom roles (admins): named sets of permissions users hold beside their base role.
 * @param {PageContext} context
 */
export async function render({ main, query, signal, setTitle }) {
  setTitle('Roles');
  const organizationId = isSuperadmin() ? query.get('organizationId') || undefined : undefined;
  const list = h('div.list-results', loading());
  /** @type {CustomRole[]} */
  let roles = [];
  const base = '/v1/roles';
  const scope = { organizationId };
  /** @param {CustomRole} role */
  const rolePath = (role) => withQuery(`${base}/${encodeURIComponent(role.key)}`, scope);

  async function load() {
    try {
      /** @type {List<CustomRole>} */
      const data = await api.get(base, scope, { signal });
      roles = data.results;
      draw();
    } catch (error) {
      if (!signal.aborted && statusOf(error) !== 401) replace(list, errorState(error, load));
    }
  }

  /** @param {CustomRole} [role] */
  function roleDialog(role) {
    const held = new Set(role?.permissions ?? []);
    const application = (role?.permissions ?? []).filter((p) => !LANDLORD.has(p));
    formDialog({
      title: role ? `Edit ${role.name}` : 'New role',
      description:
        'Users holding the role get its permissions beside their base role. Landlord scopes open that part of the dashboard and API; application permissions travel in the user’s tokens for your own services.',
      submitLabel: role ? 'Save role' : 'Create role',
      size: 'lg',
      fields: h(
        'div.form-grid',
        role
          ? null
          : field({
              label: 'Key',
              name: 'key',
              required: true,
              mono: true,
              maxlength: 63,
              autofocus: true,
              hint: 'Lower-case letters, digits, _ and -, starting with a letter, such as “support”. It never changes.',
            }),
        field({ label: 'Name', name: 'name', value: role?.name, required: true, maxlength: 200, autofocus: Boolean(role) }),
        field({ label: 'Description', name: 'description', value: role?.description ?? '', optional: true, maxlength: 1000, wide: true }),
        h(
          'fieldset.fieldset',
          { dataset: { field: 'permissions' } },
          h('legend.legend', 'Landlord permissions'),
          LANDLORD_SCOPES.map(([s, label]) => checkbox({ label: s, description: label, name: 'permission', value: s, checked: held.has(s) })),
          h('p.field-error', { hidden: true }),
        ),
        field({
          label: 'Application permissions',
          name: 'application',
          value: application.join(' '),
          optional: true,
          mono: true,
          wide: true,
          placeholder: 'content:post reports:view',
          hint: 'Your own permissions for downstream services, separated by spaces.',
        }),
      ),
      onSubmit: async (form) => {
        const name = fieldValue(form, 'name').trim();
        const key = role ? role.key : fieldValue(form, 'key').trim();
        const description = fieldValue(form, 'description').trim() || null;
        const permissions = [...checkedValues(form, 'permission'), ...fieldValue(form, 'application').split(/\s+/).filter(Boolean)];
        /** @type {{ field: string, message: string }[]} */
        const errors = [];
        if (!role && !ROLE_KEY.test(key))
          errors.push({ field: 'key', message: key ? 'must be lower-case letters, digits, _ and -, starting with a letter' : 'is required' });
        if (!name) errors.push({ field: 'name', message: 'is required' });
        if (errors.length) throw new FormProblem('Please correct the highlighted fields.', errors);
        if (role) {
          /** @type {CustomRoleInput} */
          const body = { name, description, permissions };
          await api.patch(rolePath(role), body);
          toast(`${name} was saved`);
        } else {
          /** @type {CustomRoleInput & { organizationId?: string }} */
          const body = { key, name, description, permissions, organizationId };
          await api.post(base, body);
          toast(`${name} was created`);
        }
        await load();
      },
    });
  }

  /** @param {CustomRole} role */
  function remove(role) {
    confirmDialog({
      title: `Delete ${role.name}?`,
      message:
        role.userCount > 0
          ? `${formatNumber(role.userCount)} ${role.userCount === 1 ? 'user holds' : 'users hold'} it and lose its permissions at once.`
          : 'No user holds it. This cannot be undone.',
      confirmLabel: 'Delete role',
      danger: true,
      onConfirm: async () => {
        await api.del(rolePath(role));
        toast(`${role.name} was deleted`);
        await load();
      },
    });
  }

  function draw() {
    if (roles.length === 0) {
      return replace(
        list,
        emptyState({
          iconName: 'users',
          title: 'No roles yet',
          text: 'A role names permissions users hold beside owner or member, such as Support or Billing.',
          action: createButton('Create your first role', () => roleDialog()),
        }),
      );
    }
    replace(
      list,
      table({
        caption: 'Roles',
        columns: [
          { label: 'Role', render: (r) => h('div.cell-main', h('span.cell-strong', r.name), h('span.cell-sub', code(r.key))) },
          { label: 'Permissions', render: (r) => permissionChips(r.permissions) },
          { label: 'Users', className: 'num', render: (r) => formatNumber(r.userCount) },
          { label: 'Updated', className: 'hide-md', render: (r) => timeAgo(r.updatedAt) },
          {
            label: 'Actions',
            hidden: true,
            className: 'actions',
            render: (r) =>
              actionMenu(`Actions for ${r.name}`, [
                { label: 'Edit…', onSelect: () => roleDialog(r) },
                { label: 'Delete…', danger: true, onSelect: () => remove(r) },
              ]),
          },
        ],
        rows: roles.map((r) => ({ item: r, dataset: { key: r.key } })),
      }),
    );
  }

  replace(
    main,
    h(
      'div.page',
      pageHeader({
        title: 'Roles',
        subtitle: h('p.page-subtitle-text', 'Custom roles give users permissions beside their base role. Grant them on a tenant’s Users page.'),
        actions: createButton('New role', () => roleDialog()),
      }),
      list,
    ),
  );
  await load();
}
