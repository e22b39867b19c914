import { api, apiPath, statusOf } from '../api.js';
import { h, replace, timeAgo } from '../dom.js';
import { navigate } from '../router.js';
import { badge, createButton, emptyState, errorState, listCard, loading, secretReveal, table } from '../ui/components.js';
import { formDialog, showResult } from '../ui/dialog.js';
import { eventsLabel, readWebhook, webhookFields } from './webhook-form.js';

/** @import { CursorList, Webhook, WebhookInput, WebhookWithSecret } from '../types.js' */
/** @import { OwnerScope, SectionContext } from '../app-types.js' */

/** @param {Webhook} w */
export function webhookStatus(w) {
  if (!w.isEnabled) return badge(w.disabledReason ? 'Disabled by Landlord' : 'Disabled', w.disabledReason ? 'danger' : 'neutral');
  if (w.failingSince) return badge('Failing', 'warning');
  return badge('Enabled', 'success');
}

/**
 * Where the owner's endpoints are listed and created: a tenant's own, or an organization's
 * organization-wide ones (the endpoints of its tenants are on their pages).
 * @param {OwnerScope} owner
 */
export function webhooksOf(owner) {
  if (owner.kind === 'tenant') return { list: `${owner.apiBase}/webhooks`, create: `${owner.apiBase}/webhooks`, extra: {} };
  return {
    list: `/v1/webhooks?organizationWide=true&organizationId=${encodeURIComponent(owner.id)}`,
    create: '/v1/webhooks',
    extra: { organizationId: owner.id },
  };
}

/**
 * Whether an endpoint is one of the owner's (and so shown on its page).
 * @param {Webhook} webhook
 * @param {OwnerScope} owner
 */
export const belongsTo = (webhook, owner) =>
  owner.kind === 'tenant' ? webhook.tenantId === owner.id : webhook.tenantId === null && webhook.organizationId === owner.id;

/**
 * The webhook endpoints of a tenant, or the organization-wide ones of an organization.
 * @param {SectionContext} context
 */
export async function render({ owner, body, signal, setTitle }) {
  setTitle('Webhooks', owner.name);
  const listPath = `${owner.dashboardBase}/webhooks`;
  const paths = webhooksOf(owner);
  const whose = owner.kind === 'tenant' ? 'this tenant’s events' : 'the events of every tenant of the organization';
  const list = h('div', loading());
  /** @type {Webhook[]} */
  let hooks = [];
  /** @type {string | null} */
  let next = null;

  /** @param {string | null} [link] The `next` link, to add the page after those shown; the first page without it. */
  async function load(link) {
    try {
      /** @type {CursorList<Webhook>} */
      const data = await api.get(link ? apiPath(link) : paths.list, undefined, { signal });
      hooks = link ? [...hooks, ...data.results] : data.results;
      next = data.next;
      draw();
    } catch (error) {
      if (!signal.aborted && statusOf(error) !== 401)
        replace(
          list,
          errorState(error, () => load()),
        );
    }
  }

  function create() {
    const d = formDialog({
      title: 'Add a webhook endpoint',
      description: `Landlord sends ${whose} to it, signed, and retries failed deliveries with backoff.`,
      submitLabel: 'Add endpoint',
      size: 'lg',
      fields: [h('div.form-grid', webhookFields(undefined, { autofocus: true }))],
      onSubmit: async (form) => {
        /** @type {Omit<WebhookInput, 'description'> & { description?: string | null }} */
        const input = readWebhook(form);
        if (input.description === null) delete input.description;
        /** @type {WebhookWithSecret} */
        const created = await api.post(paths.create, { ...input, ...paths.extra });
        await load();
        const href = `${listPath}/${encodeURIComponent(created.id)}`;
        showResult(
          d,
          secretReveal({
            secret: created.secret,
            label: 'Signing secret',
            what: 'signing secret',
            extra: h('p.hint', 'Use it to verify the webhook-signature header of each delivery.'),
          }),
          {
            doneLabel: 'Done',
            extra: h(
              'a.btn.btn-secondary',
              {
                href,
                onclick: (event) => {
                  event.preventDefault();
                  d.close();
                  navigate(href);
                },
              },
              'View endpoint',
            ),
          },
        );
        return false;
      },
    });
  }

  function draw() {
    if (hooks.length === 0) {
      return replace(
        list,
        emptyState({
          iconName: 'webhook',
          title: 'No webhook endpoints',
          text: 'Add an endpoint to hear about new users, key changes and tenant updates as they happen.',
          action: createButton('Add endpoint', create),
        }),
      );
    }
    replace(
      list,
      table({
        caption: 'Webhook endpoints',
        columns: [
          {
            label: 'Endpoint',
            render: (w) =>
              h(
                'div.cell-main',
                h('a.cell-link.mono.truncate', { href: `${listPath}/${encodeURIComponent(w.id)}`, title: w.url }, w.url),
                w.description ? h('span.cell-sub', w.description) : null,
              ),
          },
          { label: 'Events', render: (w) => h('span', { title: w.events.join(', ') }, eventsLabel(w.events)) },
          { label: 'Status', render: webhookStatus },
          { label: 'Created', render: (w) => timeAgo(w.createdAt) },
        ],
        rows: hooks.map((w) => ({ item: w, dataset: { id: w.id } })),
      }),
      next ? h('div.load-more', h('button.btn.btn-secondary', { type: 'button', onclick: () => load(next) }, 'Load more')) : null,
    );
  }

  replace(
    body,
    listCard(
      {
        title: 'Webhooks',
        description: `Endpoints that receive ${whose}. Each delivery is signed and every attempt is logged.`,
        createLabel: 'Add endpoint',
        onCreate: create,
      },
      list,
    ),
  );
  await load();
}
