import { api, apiPath, isAbortError, statusOf, withQuery } from '../api.js';
import { formatDate, formatDateTime, h, replace, timeAgo } from '../dom.js';
import { emptyState, errorState, loading, pageHeader, pager, table } from '../ui/components.js';
import { restoreTenant } from './tenant-actions.js';
import { tenantListTabs } from './tenant-list-controls.js';

/** @import { Page, Tenant } from '../types.js' */
/** @import { PageContext } from '../app-types.js' */

const PAGE_SIZE = 20;

/**
 * Recently deleted tenants (admins): each is kept, with its users, keys and webhooks, until its
 * purge date, and can be restored until then.
 * @param {PageContext} context
 */
export async function render({ main, signal, setTitle }) {
  setTitle('Recently deleted', 'Tenants');
  const results = h('div.list-results', loading());
  const summary = h('p.page-subtitle-text', { 'aria-live': 'polite' });
  replace(
    main,
    h(
      'div.page',
      pageHeader({ title: 'Tenants', subtitle: summary }),
      tenantListTabs('deleted'),
      h(
        'p.list-intro.muted',
        'Deleted tenants are kept with their users, API keys and webhooks until their purge date. Restore one to bring it back as it was.',
      ),
      results,
    ),
  );

  /** @param {string | null} [link] */
  async function load(link) {
    results.setAttribute('aria-busy', 'true');
    try {
      const path = link ? apiPath(link) : withQuery('/v1/tenants', { status: 'pending_deletion', limit: PAGE_SIZE, ordering: '-updatedAt' });
      /** @type {Page<Tenant>} */
      const data = await api.get(path, undefined, { signal });
      if (data.count !== null && data.count !== undefined) summary.textContent = `${data.count} recently deleted`;
      draw(data);
    } catch (error) {
      if (!isAbortError(error) && !signal.aborted && statusOf(error) !== 401)
        replace(
          results,
          errorState(error, () => load(link)),
        );
    } finally {
      results.removeAttribute('aria-busy');
    }
  }

  /** @param {Page<Tenant>} data */
  function draw(data) {
    if (data.results.length === 0) {
      return replace(
        results,
        emptyState({ iconName: 'building', title: 'Nothing was deleted recently', text: 'Tenants you delete stay here until they are purged.' }),
      );
    }
    replace(
      results,
      table({
        caption: 'Recently deleted tenants',
        columns: [
          { label: 'Tenant', render: (t) => h('div.cell-main', h('span.cell-strong', t.displayName), h('span.cell-sub', t.email ?? t.slug)) },
          { label: 'Deleted', render: (t) => timeAgo(t.deletedAt, '—') },
          {
            label: 'Purge',
            render: (t) => (t.purgeAt ? h('time', { datetime: t.purgeAt, title: formatDateTime(t.purgeAt) }, `Purged on ${formatDate(t.purgeAt)}`) : '—'),
          },
          {
            label: 'Actions',
            hidden: true,
            className: 'actions-wide',
            render: (t) =>
              h(
                'button.btn.btn-secondary.btn-sm',
                { type: 'button', 'aria-label': `Restore ${t.displayName}`, onclick: () => restoreTenant(t, () => load()) },
                'Restore',
              ),
          },
        ],
        rows: data.results.map((t) => ({ item: t, dataset: { id: t.id } })),
      }),
      data.next || data.previous
        ? pager({
            range: `${data.results.length} shown`,
            onPrevious: data.previous ? () => load(data.previous) : null,
            onNext: data.next ? () => load(data.next) : null,
          })
        : null,
    );
  }

  await load();
}
