import { h, replace } from '../dom.js';
import { homePath } from '../session.js';
import { emptyState } from '../ui/components.js';

/** @import { SetTitle } from '../app-types.js' */

/**
 * Shown for unknown paths and for anything the API says does not exist for this person (404 never tells which).
 * @param {string} [what]
 */
function notFound(what = 'page') {
  return h(
    'div.page',
    h('h1.page-title.visually-hidden', { tabindex: -1 }, 'Not found'),
    emptyState({
      iconName: 'alert',
      title: `This ${what} was not found`,
      text: `It does not exist, or you don’t have access to it. Check the address, or go back to your dashboard.`,
      action: h('a.btn.btn-primary', { href: homePath() }, 'Go to the dashboard'),
    }),
  );
}

/**
 * @param {HTMLElement} main
 * @param {SetTitle} setTitle
 * @param {string} [what] What was not found: a page, a tenant, a webhook.
 */
export function renderNotFound(main, setTitle, what) {
  setTitle('Not found');
  replace(main, notFound(what));
}
