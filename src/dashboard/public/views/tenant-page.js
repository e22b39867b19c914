import { request, statusOf } from '../api.js';
import { h, replace } from '../dom.js';
import { navigate } from '../router.js';
import { canManageTenant, isAdmin } from '../session.js';
import { code, pageHeader, statusBadge } from '../ui/components.js';
import { actionMenu } from '../ui/menu.js';
import { renderNotFound } from './not-found.js';
import { inactiveBanner, tenantMenuItems } from './tenant-actions.js';

/** @import { Tenant } from '../types.js' */
/** @import { PageContext, TenantPage } from '../app-types.js' */

const TABS = [
  { key: 'overview', label: 'Overview', path: '' },
  { key: 'users', label: 'Users', path: '/users', manage: true },
  { key: 'api-keys', label: 'API keys', path: '/api-keys', manage: true },
  { key: 'webhooks', label: 'Webhooks', path: '/webhooks', manage: true },
  { key: 'audit-log', label: 'Audit log', path: '/audit-log', manage: true },
];

/** The section under the tabs, for each tab. */
const VIEWS = {
  overview: () => import('./tenant-overview.js'),
  users: () => import('./users.js'),
  'api-keys': () => import('./api-keys.js'),
  webhooks: () => import('./webhooks.js'),
  webhook: () => import('./webhook-detail.js'),
  'audit-log': () => import('./audit-log.js'),
};

/** @param {Tenant} tenant */
const tenantBase = (tenant) => `/dashboard/tenants/${encodeURIComponent(tenant.id)}`;

/**
 * A tenant's pages: its header (name, status, admin actions), the section tabs, and the section.
 * The tenant comes from `GET /v1/tenants/{id}`; a 404 there (missing, or another tenant's) shows
 * "not found" and nothing else.
 * @param {PageContext} ctx
 */
export async function render(ctx) {
  // Every tenant route names its tab.
  const { main, params, tab = 'overview', signal, setTitle } = ctx;
  if (!canManageTenant() && tab !== 'overview') return renderNotFound(main, setTitle, 'page');
  /** @type {{ data: Tenant, etag: string | null }} */
  let loaded;
  try {
    loaded = await request('GET', `/v1/tenants/${encodeURIComponent(params.id)}`, { signal });
  } catch (error) {
    if (statusOf(error) === 404) return renderNotFound(main, setTitle, 'tenant');
    throw error;
  }
  if (signal.aborted) return;
  let tenant = loaded.data;
  const headerSlot = h('div');
  const body = h('div.tab-panel');
  /** @type {TenantPage} */
  const page = {
    get tenant() {
      return tenant;
    },
    etag: loaded.etag,
    /** Called by sections after they change the tenant, so the header shows it at once. */
    update(next, etag) {
      tenant = next;
      if (etag !== undefined) page.etag = etag;
      drawHeader();
    },
  };

  const reload = () => navigate(location.pathname + location.search, { replace: true });

  function drawHeader() {
    const active = tab === 'webhook' ? 'webhooks' : tab;
    const admin = isAdmin();
    const actions = admin
      ? actionMenu(
          `Actions for ${tenant.displayName}`,
          tenantMenuItems(tenant, {
            onChange: reload,
            onDelete: () => navigate('/dashboard/tenants'),
          }),
          { buttonLabel: 'Actions' },
        )
      : null;
    replace(
      headerSlot,
      pageHeader({
        breadcrumb: admin
          ? [
              h('a', { href: '/dashboard/tenants' }, 'Tenants'),
              h('span', { 'aria-hidden': 'true' }, '/'),
              h('span', { 'aria-current': 'page' }, tenant.displayName),
            ]
          : null,
        title: tenant.displayName,
        subtitle: [statusBadge(tenant.isActive), code(tenant.slug)],
        actions,
      }),
      tenant.isActive ? null : inactiveBanner(tenant, { canReactivate: admin, onChange: reload }),
      h(
        'nav.tabs',
        { 'aria-label': 'Tenant sections' },
        TABS.filter((t) => !t.manage || canManageTenant()).map((t) =>
          h('a.tab', { href: `${tenantBase(tenant)}${t.path}`, 'aria-current': t.key === active ? 'page' : undefined }, t.label),
        ),
      ),
    );
  }

  drawHeader();
  replace(main, h('div.page', headerSlot, body));
  // On a phone the tabs scroll sideways: bring the current one into view.
  const current = headerSlot.querySelector('.tab[aria-current="page"]');
  const tabs = current?.parentElement;
  if (current instanceof HTMLElement && tabs && tabs.scrollWidth > tabs.clientWidth) tabs.scrollLeft = current.offsetLeft - 16;
  const view = await VIEWS[tab]();
  if (signal.aborted) return;
  await view.render({ ...ctx, page, body });
}
