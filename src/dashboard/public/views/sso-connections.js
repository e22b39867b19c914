import { api, messageOf, statusOf } from '../api.js';
import { find, h, replace } from '../dom.js';
import { badge, card, code, copyField, createButton, emptyState, errorState, listCard, loading, sectionHeader, table } from '../ui/components.js';
import { confirmDialog, formDialog } from '../ui/dialog.js';
import { actionMenu } from '../ui/menu.js';
import { toast } from '../ui/toast.js';
import { connectionChanges, readSsoConnection, ssoConnectionFields } from './sso-connection-form.js';

/** @import { List, SsoConnection, TenantRole } from '../types.js' */
/** @import { TenantContext } from '../app-types.js' */

/** @type {Record<TenantRole, string>} */
const ROLES = { owner: 'Owner', member: 'Member' };

/** @param {SsoConnection} c */
const domainsLabel = (c) => c.domains.join(', ');

/**
 * The redirect URI every provider must be given, with a copy button. The API names it on each
 * connection; before there is one, it is this Landlord's own callback.
 */
function redirectCard() {
  const element = card(
    sectionHeader({
      title: 'Redirect URI',
      description:
        'Create a client for Landlord at your identity provider (OpenID Connect, authorization code flow) and give it this redirect URI. It is the same for every connection.',
    }),
    copyField({ label: 'Redirect URI', value: `${location.origin}/v1/auth/sso/callback`, name: 'redirectUri' }),
  );
  const input = find(element, 'input', HTMLInputElement);
  /** @param {string} uri */
  const show = (uri) => {
    input.value = uri;
  };
  return { element, show };
}

/**
 * A tenant's single sign-on: the redirect URI to register at the provider, and the connections to
 * providers, with adding, editing, enabling and disabling, and deleting them.
 * @param {TenantContext} context
 */
export async function render({ page, body, signal, setTitle }) {
  setTitle('SSO', page.tenant.displayName);
  const base = `/v1/tenants/${encodeURIComponent(page.tenant.id)}/sso-connections`;
  /** @param {SsoConnection} c */
  const pathOf = (c) => `${base}/${encodeURIComponent(c.id)}`;
  const redirect = redirectCard();
  const list = h('div', loading());
  /** @type {SsoConnection[]} */
  let connections = [];

  /** @param {unknown} error */
  const reportError = (error) => statusOf(error) !== 401 && toast(messageOf(error), { kind: 'error' });

  async function load() {
    try {
      /** @type {List<SsoConnection>} */
      const data = await api.get(base, undefined, { signal });
      connections = data.results;
      if (connections[0]) redirect.show(connections[0].redirectUri);
      draw();
    } catch (error) {
      if (!signal.aborted && statusOf(error) !== 401) replace(list, errorState(error, load));
    }
  }

  function create() {
    formDialog({
      title: 'Add an SSO connection',
      description: 'Enter the details of the client you created at your provider. Landlord checks them with the provider before saving.',
      submitLabel: 'Add connection',
      size: 'lg',
      fields: h('div.form-grid', ssoConnectionFields()),
      onSubmit: async (form) => {
        const input = readSsoConnection(form, { secretRequired: true });
        /** @type {SsoConnection} */
        const created = await api.post(base, { type: 'oidc', ...input });
        toast(`People of ${domainsLabel(created)} can now sign in through ${created.issuer}`);
        await load();
      },
    });
  }

  /** @param {SsoConnection} connection */
  function edit(connection) {
    formDialog({
      title: `Edit the connection of ${domainsLabel(connection)}`,
      description: 'A new issuer, client ID or client secret is checked with the provider before it is saved.',
      submitLabel: 'Save changes',
      size: 'lg',
      fields: h('div.form-grid', ssoConnectionFields(connection)),
      onSubmit: async (form) => {
        const changes = connectionChanges(connection, readSsoConnection(form, { secretRequired: false }));
        if (Object.keys(changes).length === 0) return toast('Nothing changed', { kind: 'info' });
        await api.patch(pathOf(connection), changes);
        toast('Changes saved');
        await load();
      },
    });
  }

  /**
   * @param {SsoConnection} connection
   * @param {boolean} isEnabled
   */
  async function setEnabled(connection, isEnabled) {
    try {
      await api.patch(pathOf(connection), { isEnabled });
      toast(isEnabled ? `Sign-in through ${connection.issuer} is enabled` : `Sign-in through ${connection.issuer} is disabled`);
      await load();
    } catch (error) {
      reportError(error);
    }
  }

  /** @param {SsoConnection} connection */
  function remove(connection) {
    confirmDialog({
      title: `Delete the connection of ${domainsLabel(connection)}?`,
      message: `Nobody can sign in through ${connection.issuer} any more. The people it signed in keep their accounts and can sign in with a sign-in link or a password reset.`,
      confirmLabel: 'Delete connection',
      danger: true,
      onConfirm: async () => {
        await api.del(pathOf(connection));
        toast('The connection is deleted');
        await load();
      },
    });
  }

  function draw() {
    if (connections.length === 0) {
      return replace(
        list,
        emptyState({
          iconName: 'key',
          title: 'No SSO connections',
          text: 'Connect your identity provider, such as Microsoft Entra ID, Okta or Google Workspace, so people sign in with the account they already have.',
          action: createButton('Add connection', create),
        }),
      );
    }
    replace(
      list,
      table({
        caption: 'SSO connections',
        columns: [
          {
            label: 'Provider',
            render: (c) =>
              h('div.cell-main', h('span.cell-strong.mono.truncate', { title: c.issuer }, c.issuer), h('span.cell-sub', 'Client ID ', code(c.clientId))),
          },
          {
            label: 'Domains',
            render: (c) =>
              h(
                'div.chips',
                c.domains.map((d) => code(d)),
              ),
          },
          { label: 'Default role', render: (c) => badge(ROLES[c.defaultRole] ?? c.defaultRole, c.defaultRole === 'owner' ? 'primary' : 'neutral') },
          { label: 'Status', render: (c) => (c.isEnabled ? badge('Enabled', 'success') : badge('Disabled', 'neutral')) },
          {
            label: 'Actions',
            hidden: true,
            className: 'actions',
            render: (c) =>
              actionMenu(`Actions for the connection of ${domainsLabel(c)}`, [
                { label: 'Edit…', onSelect: () => edit(c) },
                c.isEnabled ? { label: 'Disable', onSelect: () => setEnabled(c, false) } : { label: 'Enable', onSelect: () => setEnabled(c, true) },
                { label: 'Delete…', danger: true, onSelect: () => remove(c) },
              ]),
          },
        ],
        rows: connections.map((c) => ({ item: c, dataset: { id: c.id } })),
      }),
    );
  }

  replace(
    body,
    redirect.element,
    listCard(
      {
        title: 'Single sign-on',
        description: 'People whose email is in a connection’s domains sign in through your identity provider (OpenID Connect) instead of a password.',
        createLabel: 'Add connection',
        onCreate: create,
      },
      list,
    ),
  );
  await load();
}
