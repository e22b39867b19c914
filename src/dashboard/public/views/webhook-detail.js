import { api, ApiError, messageOf, request, statusOf } from '../api.js';
import { formatDateTime, h, icon, replace } from '../dom.js';
import { navigate } from '../router.js';
import { code, errorState, secretReveal, sectionHeader } from '../ui/components.js';
import { confirmDialog, formDialog } from '../ui/dialog.js';
import { busy, clearErrors, field, formAlert, FormProblem, showErrors, fieldValue } from '../ui/form.js';
import { actionMenu } from '../ui/menu.js';
import { toast } from '../ui/toast.js';
import { renderNotFound } from './not-found.js';
import { deliveryLog } from './webhook-deliveries.js';
import { readWebhook, webhookFields } from './webhook-form.js';
import { belongsTo, webhookStatus } from './webhooks.js';

/** @import { Webhook, WebhookInput, WebhookWithSecret } from '../types.js' */
/** @import { SectionContext } from '../app-types.js' */

/** @type {[string, string][]} */
const OVERLAPS = [
  ['86400', '24 hours (recommended)'],
  ['3600', '1 hour'],
  ['604800', '7 days'],
  ['0', 'No overlap: the old secret stops now'],
];

/** @param {SectionContext} context */
export async function render({ owner, params, body, main, signal, setTitle }) {
  const path = `/v1/webhooks/${encodeURIComponent(params.webhookId)}`;
  const listPath = `${owner.dashboardBase}/webhooks`;
  /** @type {{ data: Webhook, etag: string | null }} */
  let loaded;
  try {
    loaded = await request('GET', path, { signal });
  } catch (error) {
    if (statusOf(error) === 404) return renderNotFound(main, setTitle, 'webhook');
    throw error;
  }
  if (signal.aborted) return;
  let webhook = loaded.data;
  let etag = loaded.etag;
  // The address names the owner; an endpoint of another tenant (or another level) is not shown here.
  if (!belongsTo(webhook, owner)) return renderNotFound(main, setTitle, 'webhook');
  setTitle('Webhook', owner.name);

  const headerSlot = h('div');
  const log = deliveryLog({ webhookPath: path, signal });
  const reload = () => navigate(location.pathname, { replace: true });

  /** @param {HTMLButtonElement} button */
  async function sendTest(button) {
    try {
      await busy(button, () => api.post(`${path}/test`));
      toast('Test event queued');
      log.refresh({ watch: true });
    } catch (error) {
      if (statusOf(error) !== 401) toast(messageOf(error), { kind: 'error' });
    }
  }

  function rotate() {
    formDialog({
      title: 'Rotate the signing secret',
      description: 'During the overlap every delivery carries two signatures, one per secret, so your receiver can switch at its own pace.',
      submitLabel: 'Rotate secret',
      fields: [field({ label: 'Old secret keeps signing for', name: 'overlap', options: OVERLAPS })],
      onSubmit: async (form) => {
        /** @type {WebhookWithSecret} */
        const rotated = await api.post(`${path}/rotate-secret`, { overlapSeconds: Number(fieldValue(form, 'overlap')) });
        webhook = rotated;
        return secretReveal({ secret: rotated.secret, label: 'New signing secret', what: 'new signing secret' });
      },
      onClose: reload,
    });
  }

  /** @param {boolean} isEnabled */
  async function setEnabled(isEnabled) {
    try {
      await api.patch(path, { isEnabled });
      toast(isEnabled ? 'Endpoint enabled' : 'Endpoint disabled');
      reload();
    } catch (error) {
      if (statusOf(error) !== 401) toast(messageOf(error), { kind: 'error' });
    }
  }

  function remove() {
    confirmDialog({
      title: 'Delete this endpoint?',
      message: `${webhook.url} stops receiving events and its delivery log is deleted. This cannot be undone.`,
      confirmLabel: 'Delete endpoint',
      danger: true,
      onConfirm: async () => {
        await api.del(path);
        navigate(listPath);
        toast('Endpoint deleted');
      },
    });
  }

  function drawHeader() {
    const test = h(
      'button.btn.btn-secondary',
      { type: 'button', disabled: !webhook.isEnabled, onclick: (e) => sendTest(e.currentTarget) },
      icon('send'),
      'Send test event',
    );
    replace(
      headerSlot,
      h(
        'div.subpage-header',
        h('a.back-link', { href: listPath }, icon('chevronLeft'), 'All endpoints'),
        h(
          'div.subpage-row',
          h(
            'div.subpage-heading',
            h('h2.subpage-title.mono', { title: webhook.url }, webhook.url),
            h('div.subpage-meta', webhookStatus(webhook), webhook.description ? h('span.muted', webhook.description) : null),
          ),
          h(
            'div.page-actions',
            test,
            actionMenu(
              'Endpoint actions',
              [
                { label: 'Rotate signing secret…', onSelect: rotate },
                webhook.isEnabled ? { label: 'Disable', onSelect: () => setEnabled(false) } : { label: 'Enable', onSelect: () => setEnabled(true) },
                { label: 'Delete…', danger: true, onSelect: remove },
              ],
              { buttonLabel: 'More' },
            ),
          ),
        ),
        webhook.disabledReason
          ? h(
              'div.alert.alert-error',
              { role: 'status' },
              icon('alert'),
              h('div', h('p.alert-title', 'Landlord disabled this endpoint'), h('p', webhook.disabledReason)),
            )
          : null,
      ),
    );
  }

  function settingsForm() {
    const submit = h('button.btn.btn-primary', { type: 'submit' }, 'Save changes');
    const form = h(
      'form.card.form-card',
      { novalidate: true },
      sectionHeader({ title: 'Settings' }),
      formAlert(),
      h('div.form-grid.form-grid-single', webhookFields(webhook)),
      h('div.form-actions', submit),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearErrors(form);
      try {
        const next = readWebhook(form);
        /** @type {Record<string, unknown>} */
        const changes = {};
        // The keys of `next` (a WebhookInput) are fields of the webhook too.
        for (const [key, value] of Object.entries(next))
          if (JSON.stringify(value) !== JSON.stringify(webhook[/** @type {keyof WebhookInput} */ (key)])) changes[key] = value;
        if (Object.keys(changes).length === 0) return toast('Nothing changed', { kind: 'info' });
        /** @type {{ data: Webhook, etag: string | null }} */
        const saved = await busy(submit, () => request('PATCH', path, { body: changes, ifMatch: etag }));
        webhook = saved.data;
        etag = saved.etag;
        drawHeader();
        toast('Changes saved');
      } catch (error) {
        if (statusOf(error) === 401) return;
        showErrors(
          form,
          error instanceof ApiError && error.code === 'PRECONDITION_FAILED'
            ? new FormProblem('This endpoint changed since you opened it. Reload the page and try again.')
            : error,
        );
      }
    });
    return form;
  }

  const secretCard = h(
    'section.card',
    sectionHeader({
      title: 'Signing secret',
      description: 'Shown only when it is created or rotated. Verify each delivery’s webhook-signature header with it.',
    }),
    h('p', code('whsec_••••••••••••••••')),
    webhook.previousSecretExpiresAt ? h('p.hint', `The previous secret also signs until ${formatDateTime(webhook.previousSecretExpiresAt)}.`) : null,
    h('div.form-actions', h('button.btn.btn-secondary', { type: 'button', onclick: rotate }, 'Rotate secret…')),
  );

  drawHeader();
  replace(body, h('div', headerSlot, h('div.detail-grid', h('div.detail-main', log.element), h('div.detail-aside', settingsForm(), secretCard))));
  await log.refresh().catch((/** @type {unknown} */ error) => {
    if (!signal.aborted && statusOf(error) !== 401)
      replace(
        log.element,
        errorState(error, () => log.refresh()),
      );
  });
}
