import { api, statusOf } from '../api.js';
import { formatDate, h, replace, timeAgo } from '../dom.js';
import { badge, code, createButton, emptyState, errorState, listCard, loading, secretReveal, table } from '../ui/components.js';
import { confirmDialog, formDialog } from '../ui/dialog.js';
import { checkbox, checkedValues, field, FormProblem, radio, fieldValue } from '../ui/form.js';
import { actionMenu } from '../ui/menu.js';
import { toast } from '../ui/toast.js';

/** @import { ApiKey, ApiKeyCreateInput, ApiKeyWithSecret, List } from '../types.js' */
/** @import { OwnerScope, SectionContext } from '../app-types.js' */

/** @type {[string, string][]} */
const MANAGEMENT_SCOPES = [
  ['tenants', 'Tenant profile'],
  ['users', 'Users'],
  ['api_keys', 'API keys'],
  ['webhooks', 'Webhooks'],
];
/** @type {[string, string][]} */
const READ_ONLY_SCOPES = [
  ['events:read', 'Events'],
  ['audit:read', 'Audit log'],
];
const ALL_SCOPES = [...MANAGEMENT_SCOPES.flatMap(([s]) => [`${s}:read`, `${s}:write`]), ...READ_ONLY_SCOPES.map(([s]) => s)];
/** @type {[string, string][]} */
const EXPIRIES = [
  ['', 'Never'],
  ['7', 'In 7 days'],
  ['30', 'In 30 days'],
  ['90', 'In 90 days'],
  ['365', 'In 1 year'],
];
/** @type {[string, string][]} */
const GRACE = [
  ['0', 'No grace period: the old secret stops now'],
  ['3600', '1 hour'],
  ['86400', '24 hours'],
  ['604800', '7 days'],
];

/** @param {string[]} scopes */
function scopeChips(scopes) {
  const full = ALL_SCOPES.every((s) => scopes.includes(s));
  const extra = scopes.filter((s) => !ALL_SCOPES.includes(s));
  if (full)
    return h(
      'div.chips',
      badge('Full access', 'primary'),
      extra.map((s) => badge(s, 'neutral')),
    );
  const shown = scopes.slice(0, 3);
  return h(
    'div.chips',
    { title: scopes.join(' ') },
    shown.map((s) => badge(s, 'neutral')),
    scopes.length > 3 ? badge(`+${scopes.length - 3}`, 'neutral') : null,
  );
}

/**
 * The access of a new key: full, or the scopes chosen; `read()` answers undefined for full access.
 * @param {OwnerScope} owner
 */
function scopePicker(owner) {
  const custom = h(
    'div.scope-grid',
    { hidden: true },
    MANAGEMENT_SCOPES.map(([scope, label]) =>
      h(
        'div.scope-row',
        h('span.scope-label', scope === 'tenants' && owner.kind === 'organization' ? 'Tenants' : label),
        checkbox({ label: 'Read', name: 'scope', value: `${scope}:read`, checked: true }),
        checkbox({ label: 'Write', name: 'scope', value: `${scope}:write`, checked: true }),
      ),
    ),
    READ_ONLY_SCOPES.map(([scope, label]) =>
      h('div.scope-row', h('span.scope-label', label), checkbox({ label: 'Read', name: 'scope', value: scope, checked: true })),
    ),
    field({
      label: 'Application scopes',
      name: 'appScopes',
      optional: true,
      mono: true,
      wide: true,
      placeholder: 'content:post reports:read',
      hint: 'Your own scopes for downstream services, separated by spaces.',
    }),
  );
  const group = h(
    'fieldset.fieldset',
    { dataset: { field: 'scopes' } },
    h('legend.legend', 'Access'),
    radio({
      label: 'Full access',
      name: 'access',
      value: 'full',
      checked: true,
      description: owner.kind === 'tenant' ? 'Every management scope of this tenant.' : 'Every management scope, over every tenant of the organization.',
    }),
    radio({ label: 'Restricted', name: 'access', value: 'custom', description: 'Only the scopes you choose.' }),
    custom,
    h('p.field-error', { hidden: true }),
  );
  group.addEventListener('change', (e) => {
    if (e.target instanceof HTMLInputElement && e.target.name === 'access') custom.hidden = e.target.value !== 'custom';
  });
  /** @param {HTMLFormElement} form */
  const read = (form) => {
    if (checkedValues(form, 'access')[0] !== 'custom') return undefined;
    const scopes = checkedValues(form, 'scope');
    scopes.push(...fieldValue(form, 'appScopes').split(/\s+/).filter(Boolean));
    if (scopes.length === 0) throw new FormProblem('Choose at least one scope.', [{ field: 'scopes', message: 'choose at least one scope' }]);
    return scopes;
  };
  return { element: group, read };
}

/**
 * The API keys of a tenant, or of an organization (whose keys act as its administrators).
 * @param {SectionContext} context
 */
export async function render({ owner, body, signal, setTitle }) {
  setTitle('API keys', owner.name);
  const base = `${owner.apiBase}/api-keys`;
  const forTenant = owner.kind === 'tenant';
  const list = h('div', loading());
  /** @type {ApiKey[]} */
  let keys = [];

  async function load() {
    try {
      /** @type {List<ApiKey>} */
      const data = await api.get(base, undefined, { signal });
      keys = data.results;
      draw();
    } catch (error) {
      if (!signal.aborted && statusOf(error) !== 401) replace(list, errorState(error, load));
    }
  }

  function create() {
    const scopes = scopePicker(owner);
    formDialog({
      title: 'Create an API key',
      description: forTenant
        ? 'Your backend uses it to call the Landlord API as this tenant, directly or through OAuth tokens.'
        : 'Your platform uses it to call the Landlord API as an administrator of the organization: every tenant, its users, keys and webhooks.',
      submitLabel: 'Create key',
      size: 'lg',
      fields: [
        h(
          'div.form-grid',
          field({ label: 'Name', name: 'name', required: true, maxlength: 100, autofocus: true, placeholder: 'e.g. Production backend' }),
          field({ label: 'Expires', name: 'expires', options: EXPIRIES }),
        ),
        scopes.element,
      ],
      onSubmit: async (form) => {
        const name = fieldValue(form, 'name').trim();
        if (!name) throw new FormProblem('Please name the key.', [{ field: 'name', message: 'is required' }]);
        /** @type {ApiKeyCreateInput} */
        const input = { name };
        const chosen = scopes.read(form);
        if (chosen) input.scopes = chosen;
        const days = Number(fieldValue(form, 'expires'));
        if (days) input.expiresAt = new Date(Date.now() + days * 86_400_000).toISOString();
        /** @type {ApiKeyWithSecret} */
        const key = await api.post(base, input);
        await load();
        return secretReveal({ secret: key.secret, label: `Secret key for “${key.name}”`, what: 'secret key' });
      },
    });
  }

  /** @param {ApiKey} key */
  function rotate(key) {
    formDialog({
      title: `Rotate “${key.name}”`,
      description: 'A new secret is issued now. Keep the old one working for a while so you can switch without downtime.',
      submitLabel: 'Rotate secret',
      fields: [field({ label: 'Old secret keeps working for', name: 'grace', options: GRACE })],
      onSubmit: async (form) => {
        const gracePeriodSeconds = Number(fieldValue(form, 'grace'));
        /** @type {ApiKeyWithSecret} */
        const rotated = await api.post(`${base}/${encodeURIComponent(key.id)}/rotate`, { gracePeriodSeconds });
        await load();
        return secretReveal({ secret: rotated.secret, label: `New secret key for “${rotated.name}”`, what: 'new secret key' });
      },
    });
  }

  /** @param {ApiKey} key */
  function revoke(key) {
    confirmDialog({
      title: `Revoke “${key.name}”?`,
      message: `Anything using ${key.prefix}… stops working immediately, including tokens issued with it. This cannot be undone.`,
      confirmLabel: 'Revoke key',
      danger: true,
      onConfirm: async () => {
        await api.del(`${base}/${encodeURIComponent(key.id)}`);
        toast(`“${key.name}” was revoked`);
        await load();
      },
    });
  }

  function draw() {
    if (keys.length === 0) {
      return replace(
        list,
        emptyState({
          iconName: 'key',
          title: 'No API keys',
          text: 'Create a key for each service that calls the API, so you can rotate or revoke them one by one.',
          action: createButton('Create API key', create),
        }),
      );
    }
    const now = Date.now();
    replace(
      list,
      table({
        caption: 'API keys',
        columns: [
          { label: 'Name', render: (k) => h('div.cell-main', h('span.cell-strong', k.name), h('span.cell-sub', code(`${k.prefix}…`))) },
          { label: 'Scopes', render: (k) => scopeChips(k.scopes) },
          { label: 'Created', render: (k) => timeAgo(k.createdAt) },
          { label: 'Last used', render: (k) => timeAgo(k.lastUsedAt) },
          {
            label: 'Expires',
            render: (k) =>
              !k.expiresAt ? h('span.muted', 'Never') : new Date(k.expiresAt).getTime() <= now ? badge('Expired', 'danger') : formatDate(k.expiresAt),
          },
          {
            label: 'Actions',
            hidden: true,
            className: 'actions',
            render: (k) =>
              actionMenu(`Actions for ${k.name}`, [
                { label: 'Rotate secret…', onSelect: () => rotate(k) },
                { label: 'Revoke…', danger: true, onSelect: () => revoke(k) },
              ]),
          },
        ],
        rows: keys.map((k) => ({ item: k, dataset: { id: k.id } })),
      }),
    );
  }

  replace(
    body,
    listCard(
      {
        title: 'API keys',
        description: 'Secrets are shown once, when a key is created or rotated. Landlord stores only a hash.',
        createLabel: 'Create API key',
        onCreate: create,
      },
      list,
    ),
  );
  await load();
}
