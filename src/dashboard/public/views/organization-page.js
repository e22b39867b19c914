import { api, statusOf } from '../api.js';
import { formatNumber, h, replace } from '../dom.js';
import { isSuperadmin } from '../session.js';
import { code, pageHeader, revealCurrentTab, viewTabs } from '../ui/components.js';
import { renderNotFound } from './not-found.js';
import { organizationScope } from './owner-scope.js';

/** @import { Organization } from '../types.js' */
/** @import { OrganizationTab, PageContext } from '../app-types.js' */

const TABS = [
  { key: 'admins', label: 'Administrators', path: '' },
  { key: 'api-keys', label: 'API keys', path: '/api-keys' },
  { key: 'webhooks', label: 'Webhooks', path: '/webhooks' },
];

/** The section under the tabs, for each tab. */
const VIEWS = {
  admins: () => import('./organization-admins.js'),
  'api-keys': () => import('./api-keys.js'),
  webhooks: () => import('./webhooks.js'),
  webhook: () => import('./webhook-detail.js'),
};

/**
 * An organization's pages, for its administrators (and superadmins): who administers it, its API
 * keys, and the webhook endpoints that hear every tenant's events. A 404 from
 * `GET /v1/organizations/{id}` (missing, or another organization) shows "not found" only.
 * @param {PageContext} ctx
 */
export async function render(ctx) {
  const { main, params, signal, setTitle } = ctx;
  const tab = /** @type {OrganizationTab} */ (ctx.tab ?? 'admins');
  /** @type {Organization} */
  let organization;
  try {
    organization = await api.get(`/v1/organizations/${encodeURIComponent(params.id)}`, undefined, { signal });
  } catch (error) {
    if (statusOf(error) === 404) return renderNotFound(main, setTitle, 'organization');
    throw error;
  }
  if (signal.aborted) return;
  const owner = organizationScope(organization);
  const active = tab === 'webhook' ? 'webhooks' : tab;
  const separator = h('span', { 'aria-hidden': 'true' }, '/');
  const body = h('div.tab-panel');
  const tenants = `/dashboard/tenants?organizationId=${encodeURIComponent(organization.id)}`;
  replace(
    main,
    h(
      'div.page',
      pageHeader({
        breadcrumb: isSuperadmin()
          ? [h('a', { href: '/dashboard/organizations' }, 'Organizations'), separator, h('span', { 'aria-current': 'page' }, organization.name)]
          : null,
        title: organization.name,
        subtitle: [code(organization.slug), h('a', { href: tenants }, `${formatNumber(organization.tenantCount)} tenants`)],
      }),
      viewTabs(
        'Organization sections',
        TABS.map((t) => ({ href: `${owner.dashboardBase}${t.path}`, label: t.label, current: t.key === active })),
        '',
      ),
      body,
    ),
  );
  revealCurrentTab(main);
  const view = await VIEWS[tab]();
  if (signal.aborted) return;
  await view.render({ ...ctx, organization, owner, body });
}
