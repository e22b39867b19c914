// History-API routing under /dashboard: every path there is served the same shell by the server.

/** @import { Query } from './api.js' */

/** @type {() => void} */
let handler = () => {};

/**
 * @param {string} pattern A path with `:name` segments.
 */
function compile(pattern) {
  /** @type {string[]} */
  const names = [];
  const source = pattern.replace(/:(\w+)/g, (_, name) => {
    names.push(name);
    return '([^/]+)';
  });
  return { regex: new RegExp(`^${source}/?$`), names };
}

/**
 * A matcher for a route table: the first entry whose path fits, with the decoded `:name` params.
 * @template {{ path: string }} R
 * @param {R[]} table
 * @returns {(pathname: string) => { entry: R, params: Record<string, string> } | null}
 */
export function createRoutes(table) {
  const compiled = table.map((entry) => ({ ...entry, ...compile(entry.path) }));
  return (pathname) => {
    for (const entry of compiled) {
      const m = entry.regex.exec(pathname);
      if (m) return { entry, params: Object.fromEntries(entry.names.map((n, i) => [n, decodeURIComponent(m[i + 1])])) };
    }
    return null;
  };
}

/**
 * @param {string} path
 * @param {{ replace?: boolean }} [options] Replace the current history entry instead of adding one.
 */
export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path);
  else if (path !== location.pathname + location.search) history.pushState(null, '', path);
  handler();
}

/**
 * Updates the query string of the current page without a new history entry or a re-render.
 * @param {Query} params
 */
export function setQuery(params) {
  const url = new URL(location.href);
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') url.searchParams.delete(key);
    else url.searchParams.set(key, String(value));
  }
  history.replaceState(null, '', url.pathname + url.search);
}

/**
 * Only same-origin dashboard paths may be a post-sign-in destination.
 * @param {unknown} path
 * @returns {string | null}
 */
export function safeDashboardPath(path) {
  return typeof path === 'string' && /^\/dashboard(\/|$)/.test(path) && !path.startsWith('//') ? path : null;
}

/** @param {() => void} render */
export function startRouter(render) {
  handler = render;
  window.addEventListener('popstate', () => handler());
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target instanceof Element ? event.target.closest('a[href]') : null;
    if (!(link instanceof HTMLAnchorElement) || link.target || link.hasAttribute('download')) return;
    const url = new URL(link.href, location.href);
    if (url.origin !== location.origin || !safeDashboardPath(url.pathname)) return;
    if (url.hash && url.pathname === location.pathname && url.search === location.search) return; // in-page anchor
    event.preventDefault();
    navigate(url.pathname + url.search);
  });
  handler();
}
