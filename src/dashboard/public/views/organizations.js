import { api, statusOf } from '../api.js';
import { formatNumber, h, replace, timeAgo } from '../dom.js';
import { code, createButton, emptyState, errorState, loading, pageHeader, table } from '../ui/components.js';
import { formDialog } from '../ui/dialog.js';
import { field, FormProblem, trimmedOrNull, fieldValue } from '../ui/form.js';
import { toast } from '../ui/toast.js';

/** @import { List, Organization } from '../types.js' */
/** @import { PageContext } from '../app-types.js' */

/**
 * Organizations (superadmins): each one a separate customer of this Landlord, with its own tenants.
 * @param {PageContext} context
 */
export async function render({ main, signal, setTitle }) {
  setTitle('Organizations');
  const list = h('div.card.card-flush', loading());

  async function load() {
    try {
      /** @type {List<Organization>} */
      const { results } = await api.get('/v1/organizations', undefined, { signal });
      draw(results);
    } catch (error) {
      if (!signal.aborted && statusOf(error) !== 401) replace(list, errorState(error, load));
    }
  }

  function create() {
    formDialog({
      title: 'New organization',
      description: 'An organization owns tenants and has its own administrators and API keys.',
      submitLabel: 'Create organization',
      fields: [
        field({ label: 'Name', name: 'name', required: true, maxlength: 200, autofocus: true }),
        field({ label: 'Slug', name: 'slug', optional: true, mono: true, maxlength: 63, hint: 'Derived from the name when empty.' }),
      ],
      onSubmit: async (form) => {
        const name = fieldValue(form, 'name').trim();
        if (!name) throw new FormProblem('Please name the organization.', [{ field: 'name', message: 'is required' }]);
        const slug = trimmedOrNull(fieldValue(form, 'slug'));
        /** @type {Organization} */
        const org = await api.post('/v1/organizations', slug ? { name, slug } : { name });
        toast(`${org.name} was created`);
        await load();
      },
    });
  }

  /** @param {Organization[]} orgs */
  function draw(orgs) {
    if (orgs.length === 0)
      return replace(list, emptyState({ iconName: 'users', title: 'No organizations', text: 'Create one to give another company its own tenants.' }));
    replace(
      list,
      table({
        caption: 'Organizations',
        columns: [
          {
            label: 'Organization',
            render: (o) =>
              h('div.cell-main', h('a.cell-link', { href: `/dashboard/organizations/${encodeURIComponent(o.id)}` }, o.name), h('span.cell-sub', code(o.slug))),
          },
          { label: 'ID', className: 'hide-md', render: (o) => code(o.id) },
          {
            label: 'Tenants',
            className: 'num',
            render: (o) => h('a', { href: `/dashboard/tenants?organizationId=${encodeURIComponent(o.id)}` }, formatNumber(o.tenantCount)),
          },
          { label: 'Created', render: (o) => timeAgo(o.createdAt) },
        ],
        rows: orgs.map((o) => ({ item: o, dataset: { id: o.id } })),
      }),
    );
  }

  replace(
    main,
    h(
      'div.page',
      pageHeader({
        title: 'Organizations',
        subtitle: 'Each organization has its own tenants, administrators and API keys.',
        actions: createButton('New organization', create),
      }),
      list,
    ),
  );
  await load();
}
