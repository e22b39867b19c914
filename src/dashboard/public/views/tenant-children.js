import { api, isAbortError, statusOf } from '../api.js';
import { formatNumber, h, replace } from '../dom.js';
import { canManageTenant, isAdmin } from '../session.js';
import { createButton, errorState, loading, sectionHeader, table } from '../ui/components.js';
import { createTenantDialog } from './tenant-create.js';
import { tenantStatus } from './tenant-status.js';

/** @import { Page, Tenant } from '../types.js' */
/** @import { TenantPage } from '../app-types.js' */

const SHOWN = 50;

/**
 * The tenant's children (`GET /v1/tenants?parentId=`): its owners manage them too, so they see them
 * here; administrators can add one.
 * @param {TenantPage} page
 */
export function childTenantsCard(page) {
  if (!canManageTenant()) return null;
  const tenant = page.tenant;
  const list = h('div', loading());
  const card = h(
    'section.card.card-flush',
    { 'aria-labelledby': `children-${tenant.id}` },
    sectionHeader({
      title: 'Child tenants',
      id: `children-${tenant.id}`,
      description: 'Tenants under this one. Its owners manage them too.',
      actions: isAdmin() ? createButton('New child tenant', () => createTenantDialog({ parentId: tenant.id })) : null,
    }),
    list,
  );

  const load = async () => {
    try {
      /** @type {Page<Tenant>} */
      const data = await api.get('/v1/tenants', { parentId: tenant.id, limit: SHOWN, ordering: 'name' });
      if (data.results.length === 0) {
        // Owners are told about child tenants only where there are some; admins can add the first.
        card.hidden = !isAdmin();
        return replace(list, h('p.muted.card-empty', `${tenant.displayName} has no child tenants.`));
      }
      replace(
        list,
        table({
          caption: `Child tenants of ${tenant.displayName}`,
          columns: [
            {
              label: 'Tenant',
              render: (t) =>
                h('div.cell-main', h('a.cell-link', { href: `/dashboard/tenants/${encodeURIComponent(t.id)}` }, t.displayName), h('span.cell-sub', t.slug)),
            },
            { label: 'Status', render: tenantStatus },
            { label: 'Users', className: 'num', render: (t) => formatNumber(t.userCount) },
          ],
          rows: data.results.map((t) => ({ item: t, dataset: { id: t.id } })),
        }),
        data.next ? h('p.muted.card-empty', `The first ${SHOWN} by name are shown.`) : null,
      );
    } catch (error) {
      if (!isAbortError(error) && statusOf(error) !== 401) replace(list, errorState(error, load));
    }
  };
  load();
  return card;
}
