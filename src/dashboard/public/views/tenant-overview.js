import { ApiError, request, statusOf } from '../api.js';
import { formatDateTime, h, icon, pluralize, replace } from '../dom.js';
import { navigate } from '../router.js';
import { canManageTenant, isAdmin } from '../session.js';
import { code, copyButton, definitionList, sectionHeader } from '../ui/components.js';
import { busy, clearErrors, field, formAlert, FormProblem, showErrors, trimmedOrNull, fieldValue } from '../ui/form.js';
import { toast } from '../ui/toast.js';
import { metadataEditor } from './metadata-editor.js';
import { settingsFields } from './tenant-settings.js';
import { deactivateTenant, deleteTenant, reactivateTenant, setDeletionProtection } from './tenant-actions.js';

/** @import { Settings, Tenant } from '../types.js' */
/** @import { Child, TenantContext, TenantPage } from '../app-types.js' */

/**
 * A `PATCH /v1/tenants/{id}` body: only what changed (a metadata key set to null is removed).
 * @typedef {Partial<Omit<Tenant, 'settings' | 'metadata'>> & { settings?: Partial<Settings>, metadata?: Record<string, string | null> }} TenantPatch
 */

const STALE = 'Someone else changed this tenant after you opened it. Reload the page to see their changes, then make yours again.';

/**
 * A card holding one form that PATCHes only what changed, guarded by the tenant's ETag.
 * @param {object} options
 * @param {TenantPage} options.page
 * @param {string} options.title
 * @param {string} options.description
 * @param {Child} options.fields
 * @param {(form: HTMLFormElement) => TenantPatch} options.collect The changes; throws a FormProblem when the fields are not valid.
 * @param {boolean} options.readOnly
 * @param {(tenant: Tenant) => void} [options.onSaved]
 */
function patchForm({ page, title, description, fields, collect, readOnly, onSaved }) {
  const submit = h('button.btn.btn-primary', { type: 'submit' }, 'Save changes');
  const form = h(
    'form.card.form-card',
    { novalidate: true },
    sectionHeader({ title, description }),
    formAlert(),
    h('div.form-grid', fields),
    readOnly ? null : h('div.form-actions', submit),
  );
  if (readOnly) {
    // Each of these has `disabled`.
    const controls = /** @type {NodeListOf<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement | HTMLButtonElement>} */ (
      form.querySelectorAll('input, select, textarea, button')
    );
    for (const el of controls) el.disabled = true;
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    let body;
    try {
      body = collect(form);
    } catch (problem) {
      return showErrors(form, problem);
    }
    if (Object.keys(body).length === 0) return toast('Nothing changed', { kind: 'info' });
    try {
      /** @type {{ data: Tenant, etag: string | null }} */
      const { data, etag } = await busy(submit, () => request('PATCH', `/v1/tenants/${encodeURIComponent(page.tenant.id)}`, { body, ifMatch: page.etag }));
      page.update(data, etag);
      onSaved?.(data);
      toast('Changes saved');
    } catch (error) {
      if (statusOf(error) === 401) return;
      showErrors(form, error instanceof ApiError && error.code === 'PRECONDITION_FAILED' ? new FormProblem(STALE) : error);
    }
  });
  return form;
}

/**
 * The entries of `next` whose value differs from `current`'s.
 * @template {object} T
 * @param {T} current
 * @param {Partial<T>} next
 * @returns {Partial<T>}
 */
function changed(current, next) {
  /** @type {Partial<T>} */
  const body = {};
  // Object.keys() types its keys as strings; they are keys of `next`, so of T.
  for (const key of /** @type {(keyof T)[]} */ (Object.keys(next))) if (next[key] !== current[key]) body[key] = next[key];
  return body;
}

/**
 * @param {TenantPage} page
 * @param {boolean} readOnly
 */
function profileForm(page, readOnly) {
  const t = page.tenant;
  const admin = isAdmin();
  return patchForm({
    page,
    readOnly,
    title: 'Profile',
    description: 'How this tenant is named and reached.',
    fields: [
      field({ label: 'Name', name: 'name', value: t.name, required: true, maxlength: 200, hint: 'The legal or company name; unique in the organization.' }),
      field({ label: 'Display name', name: 'displayName', value: t.displayName, required: true, maxlength: 200, hint: 'Shown to people in your product.' }),
      field({ label: 'Contact email', name: 'email', type: 'email', value: t.email, optional: true, autocomplete: 'email' }),
      field({ label: 'Website', name: 'url', type: 'url', value: t.url, optional: true, placeholder: 'https://example.com', autocomplete: 'url' }),
      admin ? field({ label: 'Slug', name: 'slug', value: t.slug, mono: true, maxlength: 63, hint: 'Lower-case letters, digits, - and _.' }) : null,
      admin
        ? field({
            label: 'External ID',
            name: 'externalId',
            value: t.externalId,
            optional: true,
            mono: true,
            maxlength: 255,
            hint: 'Your own system’s id for this tenant.',
          })
        : null,
      field({ label: 'Description', name: 'description', value: t.description, optional: true, rows: 3, wide: true, maxlength: 2000 }),
    ],
    collect: (form) => {
      const current = page.tenant;
      /** @type {Partial<Tenant>} */
      const next = {
        name: fieldValue(form, 'name').trim(),
        displayName: fieldValue(form, 'displayName').trim(),
        email: trimmedOrNull(fieldValue(form, 'email')),
        url: trimmedOrNull(fieldValue(form, 'url')),
        description: trimmedOrNull(fieldValue(form, 'description')),
      };
      if (admin) {
        next.slug = fieldValue(form, 'slug').trim();
        next.externalId = trimmedOrNull(fieldValue(form, 'externalId'));
      }
      /** @type {('name' | 'displayName' | 'slug')[]} */
      const required = ['name', 'displayName', ...(admin ? /** @type {const} */ (['slug']) : [])];
      const missing = required.filter((k) => !next[k]);
      if (missing.length)
        throw new FormProblem(
          'Please fill in the required fields.',
          missing.map((f) => ({ field: f, message: 'is required' })),
        );
      return changed(current, next);
    },
  });
}

/**
 * @param {TenantPage} page
 * @param {boolean} readOnly
 */
function settingsForm(page, readOnly) {
  const { fields, read } = settingsFields(page.tenant.settings);
  return patchForm({
    page,
    readOnly,
    title: 'Regional settings',
    description: 'Used for dates, times and calendars shown to this tenant.',
    fields,
    collect: (form) => {
      const next = read(form);
      const body = changed(page.tenant.settings, next);
      return Object.keys(body).length ? { settings: body } : {};
    },
  });
}

/**
 * @param {TenantPage} page
 * @param {boolean} readOnly
 */
function metadataForm(page, readOnly) {
  // Metadata belongs to the platform (a plan, a CRM id): tenant owners see it, administrators change it.
  readOnly = readOnly || !isAdmin();
  const editor = metadataEditor(page.tenant.metadata, { readOnly });
  return patchForm({
    page,
    readOnly,
    title: 'Metadata',
    description: isAdmin()
      ? 'Up to 50 key–value pairs for your own integrations, such as a plan or a CRM id.'
      : 'Set by the platform you use, such as your plan. Only its administrators can change it.',
    fields: [editor.element],
    collect: () => {
      const next = editor.read();
      /** @type {Record<string, string | null>} */
      const body = {};
      for (const key of Object.keys(page.tenant.metadata)) if (!(key in next)) body[key] = null;
      for (const [key, value] of Object.entries(next)) if (page.tenant.metadata[key] !== value) body[key] = value;
      return Object.keys(body).length ? { metadata: body } : {};
    },
  });
}

/** @param {Tenant} tenant */
function detailsCard(tenant) {
  const admin = isAdmin();
  return h(
    'section.card',
    sectionHeader({ title: 'Details', level: 'h2' }),
    definitionList([
      ['Tenant ID', h('span.id-with-copy', code(tenant.id), copyButton(tenant.id, 'Copy'))],
      ['Slug', code(tenant.slug)],
      tenant.externalId ? ['External ID', code(tenant.externalId)] : null,
      ['Owner', tenant.owner ? h('span.stack', h('span', tenant.owner.name), h('span.muted', tenant.owner.email)) : h('span.muted', 'No owner yet')],
      ['Users', pluralize(tenant.userCount, 'user')],
      admin ? ['Organization', code(tenant.organizationId)] : null,
      ['Created', formatDateTime(tenant.createdAt)],
      ['Last updated', formatDateTime(tenant.updatedAt)],
    ]),
  );
}

/** @param {TenantPage} page */
function dangerZone(page) {
  const t = page.tenant;
  const reload = () => navigate(location.pathname, { replace: true });
  return h(
    'section.card.danger-zone',
    sectionHeader({ title: 'Danger zone' }),
    h(
      'div.danger-row',
      h(
        'div',
        h('p.danger-title', t.isActive ? 'Deactivate this tenant' : 'Reactivate this tenant'),
        h(
          'p.muted',
          t.isActive
            ? 'Signs its users out and stops its API keys. You can reactivate it at any time.'
            : 'Its users can sign in again and its API keys work again.',
        ),
      ),
      t.isActive
        ? h('button.btn.btn-danger-outline', { type: 'button', onclick: () => deactivateTenant(page.tenant, reload) }, 'Deactivate')
        : h('button.btn.btn-secondary', { type: 'button', onclick: () => reactivateTenant(page.tenant, reload) }, 'Reactivate'),
    ),
    h(
      'div.danger-row',
      h(
        'div',
        h('p.danger-title', t.deletionProtection ? 'Deletion protection is on' : 'Deletion protection is off'),
        h(
          'p.muted',
          t.deletionProtection ? 'Nobody can delete this tenant until it is turned off.' : 'Turn it on to make sure this tenant is not deleted by mistake.',
        ),
      ),
      h(
        'button.btn.btn-secondary',
        { type: 'button', onclick: () => setDeletionProtection(page.tenant, !t.deletionProtection, reload) },
        t.deletionProtection ? 'Turn off protection' : 'Turn on protection',
      ),
    ),
    h(
      'div.danger-row',
      h(
        'div',
        h('p.danger-title', 'Delete this tenant'),
        h('p.muted', t.deletionProtection ? 'Turn off deletion protection first.' : 'Removes it for good, with its API keys and webhooks.'),
      ),
      h(
        'button.btn.btn-danger',
        { type: 'button', disabled: t.deletionProtection, onclick: () => deleteTenant(page.tenant, () => navigate('/dashboard/tenants')) },
        'Delete tenant',
      ),
    ),
  );
}

/** @param {TenantContext} context */
export async function render({ page, body, setTitle }) {
  setTitle(page.tenant.displayName);
  const readOnly = !canManageTenant();
  const aside = h('div.overview-aside');
  const drawAside = () => replace(aside, detailsCard(page.tenant));
  const update = page.update;
  page.update = (next, etag) => {
    update(next, etag);
    drawAside();
  };
  drawAside();
  replace(
    body,
    h(
      'div.overview-grid',
      h(
        'div.overview-main',
        readOnly ? h('div.alert.alert-info', { role: 'status' }, icon('info'), h('p', 'You can view this tenant. Its owners can change it.')) : null,
        profileForm(page, readOnly),
        settingsForm(page, readOnly),
        metadataForm(page, readOnly),
        isAdmin() ? dangerZone(page) : null,
      ),
      aside,
    ),
  );
}
