import { api, request, statusOf } from '../api.js';
import { h, replace } from '../dom.js';
import { navigate } from '../router.js';
import { canManageTenant, currentUser, isAdmin } from '../session.js';
import { code, pageHeader, revealCurrentTab, viewTabs } from '../ui/components.js';
import { actionMenu } from '../ui/menu.js';
import { renderNotFound } from './not-found.js';
import { suspendedBanner, tenantMenuItems } from './tenant-actions.js';
import { tenantStatusBadge } from './tenant-status.js';
import { tenantScope } from './owner-scope.js';

/** @import { Tenant } from '../types.js' */
/** @import { PageContext, TenantPage, TenantTab } from '../app-types.js' */

const TABS = [
  { key: 'overview', label: 'Overview', path: '' },
  { key: 'users', label: 'Users', path: '/users', manage: true },
  { key: 'api-keys', label: 'API keys', path: '/api-keys', manage: true },
  { key: 'webhooks', label: 'Webhooks', path: '/webhooks', manage: true },
  { key: 'sso', label: 'SSO', path: '/sso', manage: true },
  { key: 'audit-log', label: 'Audit log', path: '/audit-log', manage: true },
];

/** The section under the tabs, for each tab. */
const VIEWS = {
  overview: () => import('./tenant-overview.js'),
  users: () => import('./users.js'),
  'api-keys': () => import('./api-keys.js'),
  webhooks: () => import('./webhooks.js'),
  webhook: () => import('./webhook-detail.js'),
  sso: () => import('./sso-connections.js'),
  'audit-log': () => import('./audit-log.js'),
};

/**
 * The tenant's ancestors the signed-in person may see, root first: all of them for admins; for an
 * owner, those from their own tenant down (never above it). One that cannot be read shows its id.
 * @param {Tenant} tenant
 * @param {AbortSignal} signal
 * @returns {Promise<{ id: string, name: string }[]>}
 */
async function visibleAncestors(tenant, signal) {
  const own = currentUser().tenantId;
  const from = isAdmin() ? 0 : own ? tenant.ancestorIds.indexOf(own) : -1;
  const ids = from < 0 ? [] : tenant.ancestorIds.slice(from);
  return Promise.all(
    ids.map(async (id) => {
      try {
        /** @type {Tenant} */
        const ancestor = await api.get(`/v1/tenants/${encodeURIComponent(id)}`, undefined, { signal });
        return { id, name: ancestor.displayName };
      } catch {
        return { id, name: id };
      }
    }),
  );
}

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
  const { main, params, signal, setTitle } = ctx;
  const tab = /** @type {TenantTab} */ (ctx.tab ?? 'overview');
  if (!canManageTenant() && tab !== 'overview') return renderNotFound(main, setTitle, 'page');
  /** @type {{ data: Tenant, etag: string | null }} */
  let loaded;
  try {
    loaded = await request('GET', `/v1/tenants/${encodeURIComponent(params.id)}`, { signal });
  } catch (error) {
    if (statusOf(error) === 404) return renderNotFound(main, setTitle, 'tenant');
    throw error;
  }
  const ancestors = await visibleAncestors(loaded.data, signal);
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
    const separator = () => h('span', { 'aria-hidden': 'true' }, '/');
    const trail = [
      ...(admin ? [h('a', { href: '/dashboard/tenants' }, 'Tenants')] : []),
      ...ancestors.map((a) => h('a', { href: `/dashboard/tenants/${encodeURIComponent(a.id)}` }, a.name)),
    ];
    replace(
      headerSlot,
      pageHeader({
        breadcrumb: trail.length ? [...trail.flatMap((link) => [link, separator()]), h('span', { 'aria-current': 'page' }, tenant.displayName)] : null,
        title: tenant.displayName,
        subtitle: [tenantStatusBadge(tenant), code(tenant.slug)],
        actions,
      }),
      tenant.status === 'suspended' ? suspendedBanner(tenant, { canReactivate: admin, onChange: reload }) : null,
      viewTabs(
        'Tenant sections',
        TABS.filter((t) => !t.manage || canManageTenant()).map((t) => ({ href: `${tenantBase(tenant)}${t.path}`, label: t.label, current: t.key === active })),
        '',
      ),
    );
  }

  drawHeader();
  replace(main, h('div.page', headerSlot, body));
  revealCurrentTab(headerSlot);
  const view = await VIEWS[tab]();
  if (signal.aborted) return;
  await view.render({ ...ctx, page, body, owner: tenantScope(tenant) });
}
