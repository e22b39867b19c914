import { h, icon, initials } from './dom.js';
import { actionMenu } from './ui/menu.js';
import { currentUser, isAdmin, isSuperadmin, session } from './session.js';
import { ownOrganizationPath } from './views/owner-scope.js';

/** @import { IconName } from './dom.js' */
/** @import { Role, User } from './types.js' */
/** @import { NavKey } from './app-types.js' */

/** @type {Record<Role, string>} */
const ROLE_LABELS = { superadmin: 'Superadmin', admin: 'Administrator', owner: 'Owner', member: 'Member' };
/** @param {Role} role */
const roleLabel = (role) => ROLE_LABELS[role] ?? role;

/** @typedef {{ key: NavKey, label: string, href: string, iconName: IconName }} NavItem */

/** @returns {NavItem[]} */
function navItems() {
  if (!isAdmin()) return [{ key: 'tenant', label: 'My tenant', href: `/dashboard/tenants/${currentUser().tenantId}`, iconName: 'building' }];
  /** @type {(NavItem | null)[]} */
  const items = [
    { key: 'tenants', label: 'Tenants', href: '/dashboard/tenants', iconName: 'building' },
    { key: 'plans', label: 'Plans', href: '/dashboard/plans', iconName: 'layers' },
    { key: 'roles', label: 'Roles', href: '/dashboard/roles', iconName: 'users' },
    { key: 'audit', label: 'Audit log', href: '/dashboard/audit-log', iconName: 'list' },
    isSuperadmin()
      ? { key: 'organizations', label: 'Organizations', href: '/dashboard/organizations', iconName: 'users' }
      : { key: 'organization', label: 'Organization', href: ownOrganizationPath(currentUser().organizationId), iconName: 'users' },
  ];
  return items.filter((item) => item !== null);
}

/** @typedef {{ root: HTMLDivElement, main: HTMLElement, nav: HTMLElement, user: User }} Frame */

/** @type {Frame | null} */
let frame = null;

/**
 * The signed-in frame (top bar, navigation, main); built once per session and reused across pages.
 * @param {{ onSignOut: () => void }} options
 * @returns {Frame}
 */
export function appFrame({ onSignOut }) {
  if (frame && frame.user === session.user && frame.root.isConnected) return frame;
  const user = currentUser();
  const links = navItems().map((item) => h('a.nav-link', { href: item.href, dataset: { nav: item.key } }, icon(item.iconName), h('span', item.label)));
  const nav = h(
    'nav.primary-nav',
    { id: 'primary-nav', 'aria-label': 'Main' },
    links,
    h('a.nav-link.nav-docs', { href: '/docs', target: '_blank', rel: 'noopener' }, h('span', 'API reference'), icon('external')),
  );
  const toggle = h(
    'button.icon-button.nav-toggle',
    { type: 'button', 'aria-expanded': 'false', 'aria-controls': 'primary-nav', 'aria-label': 'Menu' },
    icon('menu'),
  );
  const header = h('header.topbar');
  toggle.addEventListener('click', () => {
    const open = header.classList.toggle('nav-open');
    toggle.setAttribute('aria-expanded', String(open));
  });
  nav.addEventListener('click', (event) => {
    if (event.target instanceof Element && event.target.closest('a')) {
      header.classList.remove('nav-open');
      toggle.setAttribute('aria-expanded', 'false');
    }
  });
  const account = actionMenu(`Account: ${user.name}`, [{ label: 'Sign out', onSelect: onSignOut }], {
    buttonContent: [h('span.avatar', { 'aria-hidden': 'true' }, initials(user.name)), h('span.account-name', user.name), icon('chevronDown')],
    header: [h('p.menu-header-name', user.name), h('p.menu-header-email', user.email), h('p.menu-header-role', roleLabel(user.role))],
  });
  header.append(
    h(
      'div.topbar-inner',
      h('a.brand', { href: '/dashboard' }, h('span.brand-mark', icon('logo')), h('span.brand-name', 'Landlord')),
      toggle,
      nav,
      h('div.account', account),
    ),
  );
  const main = h('main.main', { id: 'main', tabindex: -1 });
  const root = h('div.app', h('a.skip-link', { href: '#main' }, 'Skip to content'), header, main);
  frame = { root, main, nav, user };
  return frame;
}

/** @param {NavKey | undefined} key */
export function setActiveNav(key) {
  for (const link of frame?.nav.querySelectorAll('[data-nav]') ?? []) {
    if (link.getAttribute('data-nav') === key) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

export function resetFrame() {
  frame = null;
}
