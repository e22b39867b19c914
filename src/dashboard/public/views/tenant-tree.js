import { api, messageOf, statusOf } from '../api.js';
import { h, icon } from '../dom.js';
import { tableRow } from '../ui/components.js';
import { toast } from '../ui/toast.js';

/** @import { Page, Tenant } from '../types.js' */
/** @import { Column } from '../ui/components.js' */
/** @import { Child } from '../app-types.js' */

/** How many levels of children are indented; deeper ones stay at the last step. */
const MAX_INDENT = 5;
const CHILDREN_SHOWN = 50;

/**
 * The names of parent tenants, for the "in …" line of a child: from the rows already loaded, or
 * asked for once (a parent is often not on the same page as its child).
 */
export function parentNames() {
  /** @type {Map<string, Promise<string | null>>} */
  const known = new Map();
  return {
    /** @param {Tenant[]} tenants */
    remember(tenants) {
      for (const t of tenants) known.set(t.id, Promise.resolve(t.displayName));
    },
    /** @param {string} id @returns {Promise<string | null>} */
    nameOf(id) {
      let name = known.get(id);
      if (!name) {
        name = (async () => {
          try {
            /** @type {Tenant} */
            const parent = await api.get(`/v1/tenants/${encodeURIComponent(id)}`);
            return parent.displayName;
          } catch {
            return null;
          }
        })();
        known.set(id, name);
      }
      return name;
    },
  };
}

/**
 * "in <parent>", linking to the parent; the name is filled in once it is known.
 * @param {Tenant} tenant
 * @param {ReturnType<typeof parentNames>} names
 */
export function parentLine(tenant, names) {
  if (!tenant.parentId) return null;
  const link = h('a', { href: `/dashboard/tenants/${encodeURIComponent(tenant.parentId)}` }, 'its parent');
  names.nameOf(tenant.parentId).then((name) => {
    if (name) link.textContent = name;
  });
  return h('span.cell-sub.parent-line', 'in ', link);
}

/**
 * The button that shows a tenant's children as indented rows under its own (`GET /v1/tenants?parentId=`),
 * each with its own button, and hides them again.
 * @param {Tenant} tenant
 * @param {number} level 0 for a row of the list itself.
 * @param {(level: number) => Column<Tenant>[]} columnsFor The columns of a row at a level.
 */
export function childrenToggle(tenant, level, columnsFor) {
  /** @type {HTMLTableRowElement[]} */
  let shown = [];
  const button = h(
    'button.icon-button.tree-toggle',
    { type: 'button', 'aria-expanded': 'false', 'aria-label': `Child tenants of ${tenant.displayName}` },
    icon('chevronRight'),
  );

  const collapse = () => {
    for (const row of shown) {
      const open = row.querySelector('.tree-toggle[aria-expanded="true"]');
      if (open instanceof HTMLButtonElement) open.click();
      row.remove();
    }
    shown = [];
    button.setAttribute('aria-expanded', 'false');
  };

  button.addEventListener('click', async () => {
    if (button.getAttribute('aria-expanded') === 'true') return collapse();
    const row = button.closest('tr');
    if (!row || button.getAttribute('aria-busy')) return;
    button.setAttribute('aria-busy', 'true');
    try {
      /** @type {Page<Tenant>} */
      const data = await api.get('/v1/tenants', { parentId: tenant.id, limit: CHILDREN_SHOWN, ordering: 'name', count: 'false' });
      const next = level + 1;
      const columns = columnsFor(next);
      const className = `tree-row tree-level-${Math.min(next, MAX_INDENT)}`;
      const message = (/** @type {Child} */ text) => h('tr', { class: `${className} tree-message` }, h('td', { colspan: columns.length }, text));
      shown = data.results.map((child) => tableRow(columns, { item: child, dataset: { id: child.id, parentId: tenant.id }, className }));
      if (data.results.length === 0) shown.push(message(h('span.muted', `${tenant.displayName} has no child tenants`)));
      else if (data.next)
        shown.push(message(h('a', { href: `/dashboard/tenants/${encodeURIComponent(tenant.id)}` }, `More child tenants on ${tenant.displayName}’s page`)));
      row.after(...shown);
      button.setAttribute('aria-expanded', 'true');
    } catch (error) {
      if (statusOf(error) !== 401) toast(messageOf(error), { kind: 'error' });
    } finally {
      button.removeAttribute('aria-busy');
    }
  });
  return button;
}
