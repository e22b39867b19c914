import { formatDateTime, h, icon, pluralize, replace } from '../dom.js';
import { navigate } from '../router.js';
import { canManageTenant, isAdmin } from '../session.js';
import { code, copyButton, definitionList, sectionHeader } from '../ui/components.js';
import { field, FormProblem, trimmedOrNull, fieldValue } from '../ui/form.js';
import { metadataEditor } from './metadata-editor.js';
import { parentPicker } from './parent-picker.js';
import { settingsFields } from './tenant-settings.js';
import { deleteTenant, reactivateTenant, setDeletionProtection, suspendTenant } from './tenant-actions.js';
import { childTenantsCard } from './tenant-children.js';
import { entitlementsCard } from './tenant-entitlements.js';
import { changed, patchForm } from './tenant-patch-form.js';

/** @import { Tenant } from '../types.js' */
/** @import { TenantContext, TenantPage } from '../app-types.js' */

/**
 * @param {TenantPage} page
 * @param {boolean} readOnly
 */
function profileForm(page, readOnly) {
  const t = page.tenant;
  const admin = isAdmin();
  // Where the tenant sits in the tree is for administrators to change.
  const parent = admin ? parentPicker({ parentId: t.parentId, self: t.id, organizationId: t.organizationId }) : null;
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
      parent?.element,
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
        next.parentId = parent?.value() ?? null;
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
        h('p.danger-title', t.status === 'active' ? 'Suspend this tenant' : 'Reactivate this tenant'),
        h(
          'p.muted',
          t.status === 'active'
            ? 'Signs its users out and stops its API keys, and those of its child tenants. You can reactivate it at any time.'
            : 'Its users can sign in again and its API keys work again.',
        ),
      ),
      t.status === 'active'
        ? h('button.btn.btn-danger-outline', { type: 'button', onclick: () => suspendTenant(page.tenant, reload) }, 'Suspend')
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
        h(
          'p.muted',
          t.deletionProtection
            ? 'Turn off deletion protection first.'
            : 'Stops its API keys at once. It can be restored under Recently deleted until it is purged.',
        ),
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
        entitlementsCard(page),
        childTenantsCard(page),
        settingsForm(page, readOnly),
        metadataForm(page, readOnly),
        isAdmin() ? dangerZone(page) : null,
      ),
      aside,
    ),
  );
}
