import { h } from '../dom.js';
import { checkbox, checkedOf, checkedValues, field, FormProblem, radio, trimmedOrNull, fieldValue } from '../ui/form.js';

/** @import { Webhook, WebhookInput } from '../types.js' */

// The event types a webhook can subscribe to (GET /openapi.json lists them under the webhook schemas).
/** @type {[string, string[]][]} */
const EVENT_GROUPS = [
  ['Tenant', ['tenant.created', 'tenant.updated', 'tenant.deleted', 'tenant.deactivated', 'tenant.reactivated']],
  ['Users', ['user.created', 'user.updated', 'user.deleted']],
  ['API keys', ['api_key.created', 'api_key.revoked']],
  ['Webhooks', ['webhook.test', 'webhook.disabled']],
];

/** @param {string[]} events */
export function eventsLabel(events) {
  if (events.includes('*')) return 'All events';
  return events.length === 1 ? events[0] : `${events.length} events`;
}

/**
 * "All events" or a chosen list, as checkboxes grouped by resource.
 * @param {string[]} selected
 */
function eventsPicker(selected) {
  const all = selected.includes('*');
  const grid = h(
    'div.event-grid',
    { hidden: all },
    EVENT_GROUPS.map(([group, types]) =>
      h(
        'div.event-group',
        h('p.event-group-title', group),
        types.map((type) => checkbox({ label: type, name: 'event', value: type, checked: !all && selected.includes(type) })),
      ),
    ),
  );
  const element = h(
    'fieldset.fieldset.field-wide',
    { dataset: { field: 'events' } },
    h('legend.legend', 'Events'),
    radio({ label: 'All events', name: 'eventMode', value: 'all', checked: all, description: 'Including event types added later.' }),
    radio({ label: 'Selected events', name: 'eventMode', value: 'some', checked: !all }),
    grid,
    h('p.field-error', { hidden: true }),
  );
  element.addEventListener('change', (e) => {
    if (e.target instanceof HTMLInputElement && e.target.name === 'eventMode') grid.hidden = e.target.value === 'all';
  });
  return element;
}

/**
 * The endpoint fields shared by "add endpoint" and the endpoint's settings.
 * @param {Pick<Webhook, 'url' | 'description' | 'events' | 'isEnabled'>} [webhook] The endpoint to edit; a new one's defaults when absent.
 * @param {{ autofocus?: boolean }} [options]
 */
export function webhookFields(webhook = { url: '', description: null, events: ['*'], isEnabled: true }, { autofocus = false } = {}) {
  return [
    field({
      label: 'Endpoint URL',
      name: 'url',
      type: 'url',
      value: webhook.url,
      required: true,
      mono: true,
      wide: true,
      autofocus,
      placeholder: 'https://example.com/webhooks/landlord',
      hint: 'Landlord POSTs signed JSON events here (Standard Webhooks).',
    }),
    field({ label: 'Description', name: 'description', value: webhook.description, optional: true, wide: true, maxlength: 500 }),
    eventsPicker(webhook.events),
    h(
      'div.field-wide',
      checkbox({
        label: 'Enabled',
        name: 'isEnabled',
        checked: webhook.isEnabled,
        description: 'A disabled endpoint receives nothing until it is enabled again.',
      }),
    ),
  ];
}

/**
 * Reads the fields back; throws a form problem when something is missing.
 * @param {HTMLFormElement} form
 * @returns {WebhookInput}
 */
export function readWebhook(form) {
  const url = fieldValue(form, 'url').trim();
  const all = checkedValues(form, 'eventMode')[0] !== 'some';
  const events = all ? ['*'] : checkedValues(form, 'event');
  /** @type {{ field: string, message: string }[]} */
  const errors = [];
  if (!url) errors.push({ field: 'url', message: 'is required' });
  if (events.length === 0) errors.push({ field: 'events', message: 'choose at least one event' });
  if (errors.length) throw new FormProblem('Please correct the highlighted fields.', errors);
  return { url, description: trimmedOrNull(fieldValue(form, 'description')), events, isEnabled: checkedOf(form, 'isEnabled') };
}
