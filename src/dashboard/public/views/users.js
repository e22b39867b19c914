import { api, statusOf } from '../api.js';
import { h, replace, timeAgo } from '../dom.js';
import { isAdmin } from '../session.js';
import { badge, createButton, emptyState, errorState, listCard, loading, table } from '../ui/components.js';
import { formDialog } from '../ui/dialog.js';
import { checkbox, checkedValues, field, radio, fieldValue } from '../ui/form.js';
import { actionMenu } from '../ui/menu.js';
import { toast } from '../ui/toast.js';
import { invitationsCard } from './invitations.js';
import { accountItems, createAccount, newAccountFields, personCell, reportError } from './user-actions.js';

/** @import { CustomRole, List, TenantRole, TenantUser } from '../types.js' */
/** @import { TenantContext } from '../app-types.js' */

/** @type {Record<TenantRole, string>} */
const ROLES = { owner: 'Owner', member: 'Member' };

/**
 * The custom roles to choose from: the organization's, for admins. Owners cannot list them (null):
 * they type the keys.
 * @param {AbortSignal} signal
 * @returns {Promise<CustomRole[] | null>}
 */
async function roleChoices(signal) {
  if (!isAdmin()) return null;
  try {
    /** @type {List<CustomRole>} */
    const data = await api.get('/v1/roles', undefined, { signal });
    return data.results;
  } catch {
    return null;
  }
}

/**
 * A picker of custom roles: a checkbox per role of the organization, or a field of role keys.
 * @param {CustomRole[] | null} choices
 * @param {string[]} selected
 */
function rolePicker(choices, selected) {
  if (!choices) {
    return field({
      label: 'Custom roles',
      name: 'customRoles',
      value: selected.join(' '),
      optional: true,
      mono: true,
      hint: 'Role keys, separated by spaces. You may grant only permissions you hold yourself.',
    });
  }
  return h(
    'fieldset.fieldset',
    { dataset: { field: 'roles' } },
    h('legend.legend', 'Custom roles'),
    choices.length
      ? choices.map((r) =>
          checkbox({
            label: r.name,
            name: 'customRole',
            value: r.key,
            checked: selected.includes(r.key),
            description: r.permissions.join(' ') || 'No permissions',
          }),
        )
      : h('p.hint', 'No custom roles yet: create them under Roles.'),
    h('p.field-error', { hidden: true }),
  );
}

/**
 * @param {HTMLFormElement} form
 * @param {CustomRole[] | null} choices
 */
const pickedRoles = (form, choices) => (choices ? checkedValues(form, 'customRole') : fieldValue(form, 'customRoles').split(/\s+/).filter(Boolean));

/** @param {TenantContext} context */
export async function render({ page, body, signal, setTitle }) {
  setTitle('Users', page.tenant.displayName);
  const base = `/v1/tenants/${encodeURIComponent(page.tenant.id)}/users`;
  const list = h('div', loading());
  /** @type {TenantUser[]} */
  let users = [];
  const choices = await roleChoices(signal);

  async function load() {
    try {
      /** @type {List<TenantUser>} */
      const data = await api.get(base, undefined, { signal });
      users = data.results;
      draw();
    } catch (error) {
      if (!signal.aborted && statusOf(error) !== 401) replace(list, errorState(error, load));
    }
  }

  /**
   * @param {TenantUser} user
   * @param {{ role?: TenantRole, isActive?: boolean }} changes
   * @param {string} message What to say when it worked.
   */
  async function update(user, changes, message) {
    try {
      await api.patch(`${base}/${encodeURIComponent(user.id)}`, changes);
      toast(message);
      await load();
    } catch (error) {
      reportError(error);
    }
  }

  function invite() {
    const roleGroup = h(
      'fieldset.fieldset',
      { dataset: { field: 'role' } },
      h('legend.legend', 'Role'),
      radio({ label: 'Member', name: 'role', value: 'member', checked: users.length > 0, description: 'Can view the tenant’s profile.' }),
      radio({
        label: 'Owner',
        name: 'role',
        value: 'owner',
        checked: users.length === 0,
        description: 'Manages the tenant, its users, API keys and webhooks.',
      }),
      h('p.field-error', { hidden: true }),
    );
    const d = formDialog({
      title: 'Invite a user',
      description: 'They can sign in with a one-time link, or with the password you set.',
      submitLabel: 'Invite user',
      fields: newAccountFields([roleGroup, rolePicker(choices, [])], 'Leave empty to invite them with a sign-in link.'),
      onSubmit: (form) => {
        const roles = pickedRoles(form, choices);
        return createAccount(form, {
          base,
          extra: { role: checkedValues(form, 'role')[0] ?? 'member', ...(roles.length ? { roles } : {}) },
          roleName: (user) => (ROLES[/** @type {TenantRole} */ (user.role)] ?? user.role).toLowerCase(),
          reload: load,
        });
      },
    });
    return d;
  }

  /** @param {TenantUser} user */
  function editRoles(user) {
    formDialog({
      title: `Custom roles of ${user.name}`,
      description: 'They hold these beside their base role; their permissions change at once.',
      submitLabel: 'Save roles',
      fields: [rolePicker(choices, user.roles ?? [])],
      onSubmit: async (form) => {
        await api.patch(`${base}/${encodeURIComponent(user.id)}`, { roles: pickedRoles(form, choices) });
        toast(`${user.name}’s roles were saved`);
        await load();
      },
    });
  }

  /** @param {TenantUser} user */
  function menuFor(user) {
    const account = accountItems(user, { path: `${base}/${encodeURIComponent(user.id)}`, reload: load });
    return actionMenu(`Actions for ${user.name}`, [
      account.link,
      { label: 'Custom roles…', onSelect: () => editRoles(user) },
      user.role === 'member'
        ? { label: 'Make owner', onSelect: () => update(user, { role: 'owner' }, `${user.name} is now an owner`) }
        : { label: 'Make member', onSelect: () => update(user, { role: 'member' }, `${user.name} is now a member`) },
      account.status,
      account.remove,
    ]);
  }

  function draw() {
    if (users.length === 0) {
      return replace(
        list,
        emptyState({
          iconName: 'users',
          title: 'No users yet',
          text: 'Invite the people who manage this tenant. The first one becomes its owner.',
          action: createButton('Invite user', invite),
        }),
      );
    }
    replace(
      list,
      table({
        caption: 'Users',
        columns: [
          {
            label: 'User',
            render: personCell,
          },
          {
            label: 'Role',
            render: (u) =>
              h(
                'div.chips',
                { title: (u.permissions ?? []).join(' ') },
                badge(ROLES[u.role] ?? u.role, u.role === 'owner' ? 'primary' : 'neutral'),
                (u.roles ?? []).map((r) => badge(r, 'neutral')),
              ),
          },
          { label: 'Status', render: (u) => (u.isActive ? badge('Active', 'success') : badge('Deactivated', 'neutral')) },
          { label: 'Last sign-in', render: (u) => timeAgo(u.lastSignInAt) },
          { label: 'Actions', hidden: true, className: 'actions', render: menuFor },
        ],
        rows: users.map((u) => ({ item: u, dataset: { id: u.id, email: u.email } })),
      }),
    );
  }

  replace(
    body,
    listCard({ title: 'Users', description: 'People who can sign in to this tenant’s dashboard.', createLabel: 'Invite user', onCreate: invite }, list),
  );
  body.append(invitationsCard({ tenant: page.tenant, signal }));
  await load();
}
