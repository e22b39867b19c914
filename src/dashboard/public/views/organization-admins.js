import { api, statusOf } from '../api.js';
import { h, replace, timeAgo } from '../dom.js';
import { isSuperadmin } from '../session.js';
import { badge, createButton, emptyState, errorState, listCard, loading, table } from '../ui/components.js';
import { formDialog } from '../ui/dialog.js';
import { checkedValues, radio } from '../ui/form.js';
import { actionMenu } from '../ui/menu.js';
import { accountItems, createAccount, newAccountFields, personCell } from './user-actions.js';

/** @import { List, User } from '../types.js' */
/** @import { OrganizationContext } from '../app-types.js' */

/** @type {Record<string, string>} */
const ROLES = { admin: 'Administrator', superadmin: 'Superadmin' };

/**
 * An organization's administrators: the people who manage every tenant of it from this dashboard.
 * Superadmins may also add superadmins (the API refuses anyone else).
 * @param {OrganizationContext} context
 */
export async function render({ owner, body, signal, setTitle }) {
  setTitle('Administrators', owner.name);
  const base = `${owner.apiBase}/users`;
  const list = h('div', loading());
  /** @type {User[]} */
  let admins = [];

  async function load() {
    try {
      /** @type {List<User>} */
      const data = await api.get(base, undefined, { signal });
      admins = data.results;
      draw();
    } catch (error) {
      if (!signal.aborted && statusOf(error) !== 401) replace(list, errorState(error, load));
    }
  }

  function add() {
    const roleGroup = isSuperadmin()
      ? h(
          'fieldset.fieldset',
          { dataset: { field: 'role' } },
          h('legend.legend', 'Role'),
          radio({ label: 'Administrator', name: 'role', value: 'admin', checked: true, description: 'Manages every tenant of this organization.' }),
          radio({ label: 'Superadmin', name: 'role', value: 'superadmin', description: 'Manages every organization of this Landlord.' }),
          h('p.field-error', { hidden: true }),
        )
      : null;
    formDialog({
      title: 'Add an administrator',
      description: 'They can sign in with a one-time link, or with the password you set.',
      submitLabel: 'Add administrator',
      fields: newAccountFields([roleGroup], 'Leave empty to give them a sign-in link.'),
      onSubmit: (form) => {
        const role = roleGroup ? checkedValues(form, 'role')[0] : undefined;
        return createAccount(form, {
          base,
          extra: role ? { role } : {},
          roleName: (user) => (ROLES[user.role] ?? user.role).toLowerCase(),
          reload: load,
        });
      },
    });
  }

  /** @param {User} user */
  function menuFor(user) {
    const account = accountItems(user, { path: `${base}/${encodeURIComponent(user.id)}`, reload: load });
    return actionMenu(`Actions for ${user.name}`, [account.link, account.status, account.remove]);
  }

  function draw() {
    if (admins.length === 0) {
      return replace(
        list,
        emptyState({
          iconName: 'users',
          title: 'No administrators',
          text: 'Add the people who manage this organization’s tenants.',
          action: createButton('Add administrator', add),
        }),
      );
    }
    replace(
      list,
      table({
        caption: 'Administrators',
        columns: [
          {
            label: 'Person',
            render: personCell,
          },
          { label: 'Role', render: (u) => badge(ROLES[u.role] ?? u.role, u.role === 'superadmin' ? 'primary' : 'neutral') },
          { label: 'Status', render: (u) => (u.isActive ? badge('Active', 'success') : badge('Deactivated', 'neutral')) },
          { label: 'Last sign-in', render: (u) => timeAgo(u.lastSignInAt) },
          { label: 'Actions', hidden: true, className: 'actions', render: menuFor },
        ],
        rows: admins.map((u) => ({ item: u, dataset: { id: u.id, email: u.email } })),
      }),
    );
  }

  replace(
    body,
    listCard(
      {
        title: 'Administrators',
        description: 'People who manage every tenant of this organization, its API keys and its webhooks.',
        createLabel: 'Add administrator',
        onCreate: add,
      },
      list,
    ),
  );
  await load();
}
