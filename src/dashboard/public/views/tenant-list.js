import { api, apiPath, isAbortError, statusOf, withQuery } from '../api.js';
import { debounce, find, formatNumber, h, icon, replace, timeAgo } from '../dom.js';
import { navigate, setQuery } from '../router.js';
import { createButton, errorState, emptyState, pageHeader, pager, table } from '../ui/components.js';
import { uid } from '../ui/form.js';
import { actionMenu } from '../ui/menu.js';
import { createTenantDialog } from './tenant-create.js';
import { tenantMenuItems } from './tenant-actions.js';
import { ORDERINGS, select, STATUSES, statusFilter, tenantListTabs } from './tenant-list-controls.js';
import { tenantStatus } from './tenant-status.js';
import { childrenToggle, parentLine, parentNames } from './tenant-tree.js';

/** The API counts exactly up to 1,000 matches and estimates beyond. */
const countText = (/** @type {number} */ count) => (count > 1_000 ? `about ${formatNumber(count)}` : formatNumber(count));

/** @import { Page, Tenant } from '../types.js' */
/** @import { PageContext } from '../app-types.js' */
/** @import { Column } from '../ui/components.js' */

const PAGE_SIZE = 20;
/**
 * The tenant list for administrators: debounced search, status filter, ordering, and cursor paging
 * that follows the API's `next`/`previous` links (fast at any size). The total is counted once per
 * query; paging on asks with `count=false` so deep pages never pay for it again.
 * @param {PageContext} context
 */
export async function render({ main, query, signal, setTitle }) {
  setTitle('Tenants');
  const ordering = query.get('ordering') ?? '';
  const state = {
    search: query.get('search') ?? '',
    status: statusFilter(query),
    ordering: ORDERINGS.some(([o]) => o === ordering) ? ordering : '-createdAt',
    organizationId: query.get('organizationId') ?? '',
    cursor: query.get('cursor') ?? '',
    page: Math.max(1, Number(query.get('p')) || 1),
    /** @type {number | null} */
    count: null,
    /** @type {Page<Tenant> | null} */
    data: null,
    loading: false,
  };
  /** @type {AbortController | null} */
  let inflight = null;
  const names = parentNames();

  const searchId = uid('search');
  const searchInput = h('input.input.search-input', {
    id: searchId,
    type: 'search',
    value: state.search,
    placeholder: 'Search name, slug, email or external ID',
    autocomplete: 'off',
    spellcheck: false,
  });
  const statusSelect = select('Status', STATUSES, state.status);
  const statusControl = find(statusSelect, 'select', HTMLSelectElement);
  const orderSelect = select('Order', ORDERINGS, state.ordering);
  const orderControl = find(orderSelect, 'select', HTMLSelectElement);
  const results = h('div.list-results');
  const summary = h('p.page-subtitle-text', { 'aria-live': 'polite' });

  const newTenant = createButton('New tenant', () => createTenantDialog({ organizationId: state.organizationId || undefined }));
  replace(
    main,
    h(
      'div.page',
      pageHeader({ title: 'Tenants', subtitle: summary, actions: newTenant }),
      tenantListTabs('all'),
      state.organizationId
        ? h('div.filter-chip', 'Organization ', h('code.code', state.organizationId), h('a.btn.btn-ghost.btn-sm', { href: '/dashboard/tenants' }, 'Show all'))
        : null,
      h(
        'div.toolbar',
        { role: 'search' },
        h('div.search', h('label.visually-hidden', { for: searchId }, 'Search tenants'), icon('search'), searchInput),
        statusSelect,
        orderSelect,
      ),
      results,
    ),
  );

  /**
   * Loads a page: the one a `next`/`previous` link names, or the current filters' page at `state.cursor`.
   * @param {{ link?: string | null, resetCount?: boolean }} [options] `resetCount` asks for the total again.
   */
  async function load({ link, resetCount = false } = {}) {
    inflight?.abort();
    const controller = new AbortController();
    inflight = controller;
    signal.addEventListener('abort', () => controller.abort(), { once: true });
    const wantCount = resetCount || state.count === null;
    let path;
    if (link) path = withQuery(apiPath(link), { count: wantCount ? undefined : 'false' });
    else {
      path = withQuery('/v1/tenants', {
        limit: PAGE_SIZE,
        search: state.search.trim() || undefined,
        status: state.status || undefined,
        ordering: state.ordering,
        organizationId: state.organizationId || undefined,
        cursor: state.cursor || undefined,
        count: wantCount ? undefined : 'false',
      });
    }
    state.loading = true;
    results.setAttribute('aria-busy', 'true');
    try {
      /** @type {Page<Tenant>} */
      const data = await api.get(path, undefined, { signal: controller.signal });
      if (controller.signal.aborted) return;
      if (data.count !== null && data.count !== undefined) state.count = data.count;
      state.data = data;
      state.cursor = new URL(path, location.origin).searchParams.get('cursor') ?? '';
      setQuery({
        search: state.search.trim(),
        status: state.status,
        isActive: '',
        ordering: state.ordering === '-createdAt' ? '' : state.ordering,
        organizationId: state.organizationId,
        cursor: state.cursor,
        p: state.page > 1 ? state.page : '',
      });
      draw();
    } catch (error) {
      if (isAbortError(error) || controller.signal.aborted || statusOf(error) === 401) return;
      replace(
        results,
        errorState(error, () => load({ resetCount: true })),
      );
    } finally {
      if (inflight === controller) {
        state.loading = false;
        results.removeAttribute('aria-busy');
      }
    }
  }

  const restart = () => {
    state.cursor = '';
    state.page = 1;
    state.count = null;
    load({ resetCount: true });
  };

  function draw() {
    const { data } = state;
    if (!data) return;
    const filtered = Boolean(state.search.trim() || state.status);
    summary.textContent = state.count === null ? '' : `${countText(state.count)} ${state.count === 1 ? 'tenant' : 'tenants'}${filtered ? ' match' : ''}`;
    if (data.results.length === 0 && state.cursor) return restart(); // the page emptied under us: back to the start
    if (data.results.length === 0) {
      return replace(
        results,
        filtered
          ? emptyState({
              iconName: 'search',
              title: 'No tenants match',
              text: state.search.trim() ? `Nothing matches “${state.search.trim()}” with these filters.` : 'No tenants have this status.',
              action: h(
                'button.btn.btn-secondary',
                {
                  type: 'button',
                  onclick: () => {
                    state.search = '';
                    state.status = '';
                    searchInput.value = '';
                    statusControl.value = '';
                    restart();
                  },
                },
                'Clear filters',
              ),
            })
          : emptyState({
              iconName: 'building',
              title: 'No tenants yet',
              text: 'Tenants are the companies you serve. Create one here, or with POST /v1/tenants from your backend.',
              action: createButton('Create your first tenant', () => newTenant.click()),
            }),
      );
    }
    const first = (state.page - 1) * PAGE_SIZE + 1;
    const last = first + data.results.length - 1;
    const range =
      state.count !== null ? `${formatNumber(first)}–${formatNumber(last)} of ${countText(state.count)}` : `${formatNumber(first)}–${formatNumber(last)}`;
    names.remember(data.results);
    replace(
      results,
      table({ caption: 'Tenants', columns: columnsFor(0), rows: data.results.map((t) => ({ item: t, dataset: { id: t.id } })) }),
      pager({
        range,
        onPrevious: data.previous
          ? () => {
              state.page = Math.max(1, state.page - 1);
              load({ link: data.previous });
            }
          : null,
        onNext: data.next
          ? () => {
              state.page += 1;
              load({ link: data.next });
            }
          : null,
      }),
    );
  }

  /**
   * The columns of a row; `level` is how far below a row of the list itself it is shown.
   * @param {number} level
   * @returns {Column<Tenant>[]}
   */
  function columnsFor(level) {
    return [
      {
        label: 'Tenant',
        render: (t) =>
          h(
            'div.tree-cell',
            childrenToggle(t, level, columnsFor),
            h(
              'div.cell-main',
              h('a.cell-link', { href: `/dashboard/tenants/${encodeURIComponent(t.id)}` }, t.displayName),
              h('span.cell-sub', t.email ?? t.slug),
              level === 0 ? parentLine(t, names) : null,
            ),
          ),
      },
      { label: 'Status', render: tenantStatus },
      {
        label: 'Owner',
        className: 'hide-md',
        render: (t) => (t.owner ? h('div.cell-main', h('span', t.owner.name), h('span.cell-sub', t.owner.email)) : h('span.muted', 'No owner')),
      },
      { label: 'Users', className: 'num', render: (t) => formatNumber(t.userCount) },
      { label: 'Created', render: (t) => timeAgo(t.createdAt) },
      {
        label: 'Actions',
        hidden: true,
        className: 'actions',
        render: (t) =>
          actionMenu(`Actions for ${t.displayName}`, [
            { label: 'Open', onSelect: () => navigate(`/dashboard/tenants/${encodeURIComponent(t.id)}`) },
            {
              label: 'New child tenant…',
              onSelect: () => createTenantDialog({ organizationId: state.organizationId || undefined, parentId: t.id }),
            },
            ...tenantMenuItems(t, {
              onChange: () => load({ link: null }),
              onDelete: () => {
                state.count = null;
                load();
              },
            }),
          ]),
      },
    ];
  }

  const onSearch = debounce(() => {
    if (searchInput.value === state.search) return;
    state.search = searchInput.value;
    restart();
  }, 300);
  searchInput.addEventListener('input', onSearch);
  searchInput.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      state.search = searchInput.value;
      restart();
    }
  });
  statusControl.addEventListener('change', () => {
    state.status = statusControl.value;
    restart();
  });
  orderControl.addEventListener('change', () => {
    state.ordering = orderControl.value;
    restart();
  });

  await load({ resetCount: true });
}
