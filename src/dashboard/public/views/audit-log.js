import { api, statusOf } from '../api.js';
import { debounce, formatDateTime, h, icon, replace, timeAgo } from '../dom.js';
import { code, definitionList, emptyState, errorState, loading, pageHeader, sectionHeader } from '../ui/components.js';
import { uid } from '../ui/form.js';

/** @import { AuditEntry, CursorList, List, TenantUser } from '../types.js' */
/** @import { PageContext, TenantContext } from '../app-types.js' */

/** @typedef {{ from?: unknown, to?: unknown }} Change One field's change, as most entries record it. */

const PAGE_SIZE = 25;
const ACTIONS = [
  'tenant.create',
  'tenant.update',
  'tenant.delete',
  'user.create',
  'user.update',
  'user.delete',
  'api_key.create',
  'api_key.rotate',
  'api_key.revoke',
  'webhook.create',
  'webhook.test',
  'auth.login',
  'auth.login_failed',
  'auth.sign_in_link',
];
/** Filters for every action under a prefix: the API reads a filter ending in a dot as a prefix. */
const ACTION_GROUPS = [
  ['tenant.', 'All tenant actions'],
  ['user.', 'All user actions'],
  ['invitation.', 'All invitation actions'],
  ['api_key.', 'All API key actions'],
  ['webhook.', 'All webhook actions'],
  ['sso_connection.', 'All SSO connection actions'],
  ['auth.', 'All sign-in actions'],
];
/** @type {Record<string, string>} */
const ACTOR_TYPES = { root: 'Root key', api_key: 'API key', user: 'User', system: 'Landlord', anonymous: 'Anonymous', access_token: 'Access token' };

/**
 * @param {AuditEntry['actor']} actor
 * @param {Map<string, string>} names The names of users by id.
 */
function actorLabel(actor, names) {
  const type = ACTOR_TYPES[actor.type] ?? actor.type;
  const name = actor.type === 'user' && actor.id !== null ? names.get(actor.id) : undefined;
  if (name !== undefined) return name;
  return actor.id && actor.type !== 'root' ? `${type} ${actor.id}` : type;
}

/**
 * @param {[string, unknown]} entry
 * @returns {entry is [string, Change]}
 */
const isChange = (entry) => {
  const v = entry[1];
  return typeof v === 'object' && v !== null && ('from' in v || 'to' in v);
};

/** @param {AuditEntry['changes']} changes */
function changesView(changes) {
  if (!changes || Object.keys(changes).length === 0) return null;
  const rows = Object.entries(changes);
  /** @param {unknown} v */
  const show = (v) => (v === undefined || v === null ? '—' : typeof v === 'string' ? v : JSON.stringify(v));
  if (!rows.every(isChange)) return h('pre.response', { tabindex: 0, 'aria-label': 'Changes' }, JSON.stringify(changes, null, 2));
  return h(
    'table.changes',
    h('caption.visually-hidden', 'Changes'),
    h('thead', h('tr', h('th', { scope: 'col' }, 'Field'), h('th', { scope: 'col' }, 'Before'), h('th', { scope: 'col' }, 'After'))),
    h(
      'tbody',
      rows.map(([key, v]) => h('tr', h('th', { scope: 'row' }, code(key)), h('td.mono', show(v.from)), h('td.mono', show(v.to)))),
    ),
  );
}

/**
 * The audit log, newest first: a tenant's (as a tenant tab) or everything an administrator may see.
 * @param {PageContext & Partial<Pick<TenantContext, 'page' | 'body'>>} context `page` and `body` for a tenant's tab.
 */
export async function render({ page, body, main, signal, setTitle }) {
  const tenant = page?.tenant ?? null;
  setTitle('Audit log', tenant?.displayName);
  const state = {
    action: '',
    /** @type {(string | undefined)[]} The cursor of each page seen so far: undefined for the first. */
    cursors: [undefined],
    index: 0,
    /** @type {Set<string>} The ids of the entries shown open. */
    open: new Set(),
  };
  /** @type {Map<string, string>} */
  const names = new Map();
  const listEl = h('div.audit-list', loading());
  const filterId = uid('action');
  const filter = h('input.input.input-sm.mono', {
    id: filterId,
    type: 'search',
    list: `${filterId}-list`,
    placeholder: 'Filter by action',
    title: 'An action, such as tenant.update, or a prefix ending in a dot, such as tenant. for all tenant actions',
    autocomplete: 'off',
    spellcheck: false,
  });
  const pager = h('nav.pager', { 'aria-label': 'Audit log pages' });
  /** Downloads of everything the filter shows, streamed by the API. */
  const exports = ['csv', 'ndjson'].map((format) =>
    h('a.btn.btn-secondary.btn-sm', { download: '', 'data-format': format }, `Export ${format === 'csv' ? 'CSV' : 'NDJSON'}`),
  );
  function updateExports() {
    for (const link of exports) {
      const query = new URLSearchParams({ format: link.dataset.format ?? 'csv' });
      if (tenant) query.set('tenantId', tenant.id);
      if (state.action) query.set('action', state.action);
      link.setAttribute('href', `/v1/audit-logs/export?${query}`);
    }
  }
  updateExports();

  const section = h(
    'section.card.card-flush',
    sectionHeader({
      title: tenant ? 'Audit log' : 'All activity',
      description: 'Who did what, newest first. Secrets never appear here.',
      actions: [
        h('label.visually-hidden', { for: filterId }, 'Action'),
        filter,
        h(
          'datalist',
          { id: `${filterId}-list` },
          ACTION_GROUPS.map(([value, label]) => h('option', { value, label })),
          ACTIONS.map((a) => h('option', { value: a })),
        ),
        ...exports,
      ],
    }),
    listEl,
    pager,
  );
  if (tenant && body) replace(body, section);
  else replace(main, h('div.page', pageHeader({ title: 'Audit log', subtitle: 'Everything that happened in your organization.' }), section));

  // Name the people behind user actions; the log itself only carries ids.
  const namesLoaded = tenant
    ? /** @type {Promise<List<TenantUser>>} */ (api.get(`/v1/tenants/${encodeURIComponent(tenant.id)}/users`, undefined, { signal })).then(
        (data) => {
          for (const u of data.results) names.set(u.id, u.name);
        },
        () => {},
      )
    : null;

  /** @param {AuditEntry} item */
  function entry(item) {
    const id = `aud-${item.id}`;
    const open = state.open.has(item.id);
    const button = h(
      'button.delivery-summary.audit-summary',
      { type: 'button', 'aria-expanded': String(open), 'aria-controls': id },
      h('span.audit-action', code(item.action)),
      h('span.audit-actor', actorLabel(item.actor, names)),
      h('span.audit-target.muted', item.target ? `${item.target.type} ${names.get(item.target.id) ?? item.target.id}` : ''),
      h('span.delivery-time.muted', timeAgo(item.occurredAt)),
      icon('chevronDown'),
    );
    const detail = h(
      'div.delivery-body',
      { id, hidden: !open },
      definitionList([
        ['Time', formatDateTime(item.occurredAt)],
        ['Actor', h('span', ACTOR_TYPES[item.actor.type] ?? item.actor.type, item.actor.id ? [' ', code(item.actor.id)] : null)],
        item.credentialId && item.credentialId !== item.actor.id ? ['Credential', code(item.credentialId)] : null,
        item.target ? ['Target', h('span', `${item.target.type} `, code(item.target.id))] : null,
        !tenant && item.tenantId ? ['Tenant', h('a', { href: `/dashboard/tenants/${encodeURIComponent(item.tenantId)}` }, item.tenantId)] : null,
        item.ip ? ['IP address', code(item.ip)] : null,
        item.userAgent ? ['User agent', h('span.break', item.userAgent)] : null,
        item.requestId ? ['Request ID', code(item.requestId)] : null,
      ]),
      changesView(item.changes),
    );
    button.addEventListener('click', () => {
      const nowOpen = !state.open.has(item.id);
      if (nowOpen) state.open.add(item.id);
      else state.open.delete(item.id);
      button.setAttribute('aria-expanded', String(nowOpen));
      detail.hidden = !nowOpen;
    });
    return h('div.delivery', button, detail);
  }

  async function load() {
    listEl.setAttribute('aria-busy', 'true');
    try {
      /** @type {CursorList<AuditEntry>} */
      const data = await api.get(
        '/v1/audit-logs',
        { limit: PAGE_SIZE, tenantId: tenant?.id, action: state.action || undefined, cursor: state.cursors[state.index] },
        { signal },
      );
      const nextCursor = data.next ? new URL(data.next, location.origin).searchParams.get('cursor') : null;
      state.cursors = [...state.cursors.slice(0, state.index + 1), ...(nextCursor ? [nextCursor] : [])];
      replace(
        listEl,
        data.results.length
          ? data.results.map(entry)
          : emptyState({
              iconName: 'list',
              title: state.action ? 'No matching entries' : 'Nothing here yet',
              text: state.action
                ? state.action.endsWith('.')
                  ? `No entries with an action starting with “${state.action}”.`
                  : `No “${state.action}” entries.`
                : 'Changes and sign-ins are recorded here as they happen.',
            }),
      );
      replace(
        pager,
        h('p.pager-range', `Page ${state.index + 1}`),
        h(
          'div.pager-buttons',
          h(
            'button.btn.btn-secondary.btn-sm',
            {
              type: 'button',
              disabled: state.index === 0,
              onclick: () => {
                state.index -= 1;
                load();
              },
            },
            icon('chevronLeft'),
            'Newer',
          ),
          h(
            'button.btn.btn-secondary.btn-sm',
            {
              type: 'button',
              disabled: !nextCursor,
              onclick: () => {
                state.index += 1;
                load();
              },
            },
            'Older',
            icon('chevronRight'),
          ),
        ),
      );
    } catch (error) {
      if (!signal.aborted && statusOf(error) !== 401) replace(listEl, errorState(error, load));
    } finally {
      listEl.removeAttribute('aria-busy');
    }
  }

  filter.addEventListener(
    'input',
    debounce(() => {
      state.action = filter.value.trim();
      updateExports();
      state.cursors = [undefined];
      state.index = 0;
      load();
    }, 300),
  );
  await namesLoaded;
  await load();
}
