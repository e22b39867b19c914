import { h, icon } from '../dom.js';

/** @import { Child, Notice } from '../app-types.js' */

// The frame of the pages a person sees before they are signed in: sign-in, accepting an
// invitation, asking for and using a password reset link.

/** @param {Notice} notice */
export function notice({ kind, title, text }) {
  return h(
    `div.alert.alert-${kind}`,
    { role: kind === 'error' || kind === 'warning' ? 'alert' : 'status' },
    icon(kind === 'success' ? 'check' : kind === 'info' ? 'info' : 'alert'),
    h('div', h('p.alert-title', title), text ? h('p', text) : null),
  );
}

/**
 * The card with the brand on top; `footer` is a line of help under it.
 * @param {{ footer?: string }} options
 * @param {Child[]} children
 */
export function authShell({ footer }, ...children) {
  return h(
    'div.auth-page',
    h('main.auth-card', { id: 'main' }, h('div.auth-brand', h('span.brand-mark', icon('logo')), h('span.brand-name', 'Landlord')), ...children),
    footer ? h('p.auth-footer', footer) : null,
  );
}

/** @param {string} text */
export const authTitle = (text) => h('h1.auth-title', { tabindex: -1 }, text);

/**
 * Where to go from here, under a message: links between the sign-in pages.
 * @param {readonly (readonly [href: string, label: string])[]} links
 */
export function authLinks(links) {
  return h(
    'p.auth-links',
    links.map(([href, label]) => h('a', { href }, label)),
  );
}

/**
 * Takes a one-time token out of the address bar and history before anything else happens, so it
 * is not kept in history nor shown over a shoulder (the server also never sends a Referer).
 * @param {URLSearchParams} query
 * @param {string} path The page's address without the token.
 */
export function takeToken(query, path) {
  const token = query.get('token');
  if (token) history.replaceState(null, '', path);
  return token;
}
