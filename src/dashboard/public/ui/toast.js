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
 * @param {string} message
 * @param {{ kind?: 'success' | 'info' | 'error' }} [options]
 */
export function toast(message, { kind = 'success' } = {}) {
  /** @type {HTMLDivElement} */
  const el = h(
    `div.toast.toast-${kind}`,
    { role: kind === 'error' ? 'alert' : 'status' },
    icon(kind === 'error' ? 'alert' : 'check'),
    h('span', message),
    h('button.toast-close', { type: 'button', 'aria-label': 'Dismiss', onclick: () => el.remove() }, icon('close')),
  );
  ensureRegion().append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}
