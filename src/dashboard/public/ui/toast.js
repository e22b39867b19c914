import { h, icon } from '../dom.js';

/** @type {HTMLDivElement | null} */
let region = null;

function ensureRegion() {
  if (!region || !region.isConnected) {
    region = h('div.toasts', { 'aria-live': 'polite', 'aria-relevant': 'additions' });
    document.body.append(region);
  }
  return region;
}

/**
 * A short confirmation in the corner; errors are announced at once (role=alert) and stay longer.
 * A toast belongs to the page it is raised on and goes when the dashboard leaves that page
 * (see clearToastsOfOtherPages). To confirm an action on the page it leads to, navigate first, then toast.
 * @param {string} message
 * @param {{ kind?: 'success' | 'info' | 'error' }} [options]
 */
export function toast(message, { kind = 'success' } = {}) {
  /** @type {HTMLDivElement} */
  const el = h(
    `div.toast.toast-${kind}`,
    { role: kind === 'error' ? 'alert' : 'status', dataset: { page: location.pathname } },
    icon(kind === 'error' ? 'alert' : 'check'),
    h('span', message),
    h('button.toast-close', { type: 'button', 'aria-label': 'Dismiss', onclick: () => el.remove() }, icon('close')),
  );
  ensureRegion().append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}

/**
 * Removes the toasts raised on a page other than `pathname`: on a new page they would speak of what is no longer shown.
 * Re-rendering the same page (a reload, a new query string) keeps them.
 * @param {string} pathname
 */
export function clearToastsOfOtherPages(pathname) {
  for (const el of region?.querySelectorAll('.toast') ?? []) {
    if (el instanceof HTMLElement && el.dataset.page !== pathname) el.remove();
  }
}
