import { auth, isAbortError, onUnauthorized, SessionEndedError, statusOf } from './api.js';
import { find, h, replace } from './dom.js';
import { appFrame, resetFrame, setActiveNav } from './layout.js';
import { createRoutes, navigate, safeDashboardPath, startRouter } from './router.js';
import { clearSession, currentUser, homePath, isAdmin, isSuperadmin, session, startSession } from './session.js';
import { errorState, loading } from './ui/components.js';
import { clearToastsOfOtherPages } from './ui/toast.js';

/** @import { Role, SessionInfo } from './types.js' */
/** @import { NavKey, Notice, OrganizationTab, Route, TenantTab } from './app-types.js' */

/** @type {Role[]} */
const ADMINS = ['admin', 'superadmin'];
/** @param {TenantTab} tab */
const tenantTab = (tab) => ({ load: () => import('./views/tenant-page.js'), tab, nav: /** @type {const} */ ('tenants') });

/** @param {OrganizationTab} tab */
const organizationTab = (tab) => ({ load: () => import('./views/organization-page.js'), tab, roles: ADMINS, nav: /** @type {const} */ ('organization') });

/** @type {Route[]} */
const ROUTES = [
  { path: '/dashboard/sign-in', load: () => import('./views/sign-in.js'), public: true },
  { path: '/dashboard/accept-invitation', load: () => import('./views/accept-invitation.js'), public: true },
  { path: '/dashboard/forgot-password', load: () => import('./views/forgot-password.js'), public: true },
  { path: '/dashboard/reset-password', load: () => import('./views/reset-password.js'), public: true },
  { path: '/dashboard', home: true },
  { path: '/dashboard/tenants', load: () => import('./views/tenant-list.js'), roles: ADMINS, nav: 'tenants' },
  // Before `/dashboard/tenants/:id`, which would take "deleted" for a tenant's id.
  { path: '/dashboard/tenants/deleted', load: () => import('./views/deleted-tenants.js'), roles: ADMINS, nav: 'tenants' },
  { path: '/dashboard/tenants/:id', ...tenantTab('overview') },
  { path: '/dashboard/tenants/:id/users', ...tenantTab('users') },
  { path: '/dashboard/tenants/:id/api-keys', ...tenantTab('api-keys') },
  { path: '/dashboard/tenants/:id/webhooks', ...tenantTab('webhooks') },
  { path: '/dashboard/tenants/:id/webhooks/:webhookId', ...tenantTab('webhook') },
  { path: '/dashboard/tenants/:id/sso', ...tenantTab('sso') },
  { path: '/dashboard/tenants/:id/audit-log', ...tenantTab('audit-log') },
  { path: '/dashboard/plans', load: () => import('./views/plans.js'), roles: ADMINS, nav: 'plans' },
  { path: '/dashboard/roles', load: () => import('./views/roles.js'), roles: ADMINS, nav: 'roles' },
  { path: '/dashboard/audit-log', load: () => import('./views/audit-log.js'), roles: ADMINS, nav: 'audit' },
  { path: '/dashboard/organizations', load: () => import('./views/organizations.js'), roles: ['superadmin'], nav: 'organizations' },
  { path: '/dashboard/organizations/:id', ...organizationTab('admins') },
  { path: '/dashboard/organizations/:id/api-keys', ...organizationTab('api-keys') },
  { path: '/dashboard/organizations/:id/webhooks', ...organizationTab('webhooks') },
  { path: '/dashboard/organizations/:id/webhooks/:webhookId', ...organizationTab('webhook') },
];
const match = createRoutes(ROUTES);

const root = find(document, '#app', HTMLElement);
/** @type {AbortController | null} */
let controller = null;
let firstRender = true;
/**
 * A message for the sign-in page: why the person landed there.
 * @type {{ current: Notice | null }}
 */
const signInNotice = { current: null };

/**
 * Leaves for the sign-in page, remembering where the person was so they can come back.
 * @param {Notice} notice
 */
function endSession(notice) {
  if (!session.user) return;
  clearSession();
  resetFrame();
  signInNotice.current = notice;
  const here = location.pathname + location.search;
  const next = safeDashboardPath(location.pathname) && !location.pathname.startsWith('/dashboard/sign-in') ? `?next=${encodeURIComponent(here)}` : '';
  navigate(`/dashboard/sign-in${next}`, { replace: true });
}

/** @param {SessionInfo} data */
function beginSession(data) {
  startSession(data, () => endSession({ kind: 'info', title: 'Your session has expired', text: 'Sign in again to continue.' }));
}

async function signOut() {
  try {
    await auth.logout();
  } catch {
    // Signed out on the server already, or unreachable: either way this browser forgets the session.
  }
  clearSession();
  resetFrame();
  signInNotice.current = { kind: 'success', title: 'You have signed out', text: null };
  navigate('/dashboard/sign-in', { replace: true });
}

async function ensureSession() {
  if (session.user) return true;
  try {
    beginSession(await auth.session());
    return true;
  } catch (error) {
    if (statusOf(error) === 401) return false;
    throw error;
  }
}

/**
 * The navigation item of a page: owners and members have only their tenant; superadmins reach
 * each organization's page from the list of organizations.
 * @param {NavKey | undefined} nav
 */
function navKeyOf(nav) {
  if (!isAdmin()) return 'tenant';
  return nav === 'organization' && isSuperadmin() ? 'organizations' : nav;
}

/** @param {(string | null | undefined)[]} parts */
function setTitle(...parts) {
  document.title = [...parts.filter(Boolean), 'Landlord'].join(' · ');
}

async function render() {
  controller?.abort();
  controller = new AbortController();
  const { signal } = controller;
  const url = new URL(location.href);
  clearToastsOfOtherPages(url.pathname);
  const found = match(url.pathname);
  const entry = found?.entry;
  try {
    if (!entry?.public && !(await ensureSession())) {
      const next = entry ? `?next=${encodeURIComponent(url.pathname + url.search)}` : '';
      return navigate(`/dashboard/sign-in${next}`, { replace: true });
    }
    if (signal.aborted) return;
    // Home, and the tenant list for someone who has just their own tenant, lead to that person's start page.
    if (entry?.home || (url.pathname === '/dashboard/tenants' && !isAdmin())) {
      return navigate(homePath(), { replace: true });
    }
    if (entry?.public) {
      const view = await entry.load();
      if (!signal.aborted) await view.render({ root, query: url.searchParams, signal, setTitle, beginSession, notice: signInNotice });
      return;
    }
    const frame = appFrame({ onSignOut: signOut });
    if (!frame.root.isConnected) replace(root, frame.root);
    setActiveNav(navKeyOf(entry?.nav));
    replace(frame.main, loading());
    if (!entry || (entry.roles && !entry.roles.includes(currentUser().role))) {
      const { renderNotFound } = await import('./views/not-found.js');
      return renderNotFound(frame.main, setTitle);
    }
    const view = await entry.load();
    if (signal.aborted) return;
    await view.render({ main: frame.main, params: found?.params ?? {}, query: url.searchParams, signal, setTitle, tab: entry.tab });
    if (signal.aborted) return;
    // After an in-app navigation, focus moves to the new page's heading so screen readers announce it.
    if (!firstRender) {
      const heading = frame.main.querySelector('.page-title');
      (heading instanceof HTMLElement ? heading : frame.main).focus({ preventScroll: true });
      window.scrollTo(0, 0);
    }
    firstRender = false;
  } catch (error) {
    if (signal.aborted || error instanceof SessionEndedError || isAbortError(error)) return;
    console.error(error);
    const target = session.user ? appFrame({ onSignOut: signOut }).main : root;
    replace(
      target,
      h(
        'div.page',
        errorState(error, () => render()),
      ),
    );
  }
}

onUnauthorized((detail) =>
  endSession({ kind: 'warning', title: 'You have been signed out', text: `${detail ?? 'Your session has ended.'} Sign in again to continue.` }),
);
startRouter(render);
