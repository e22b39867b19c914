import { h } from '../dom.js';
import { checkbox, field, radio, trimmedOrNull, valueOf } from '../ui/form.js';

// The event types a webhook can subscribe to (GET /openapi.json lists them under the webhook schemas).
const EVENT_GROUPS = [
  ['Tenant', ['tenant.created', 'tenant.updated', 'tenant.deleted', 'tenant.deactivated', 'tenant.reactivated']],
  ['Users', ['user.created', 'user.updated', 'user.deleted']],
  ['API keys', ['api_key.created', 'api_key.revoked']],
  ['Webhooks', ['webhook.test', 'webhook.disabled']],
];

export function eventsLabel(events) {
  if (events.includes('*')) return 'All events';
  return events.length === 1 ? events[0] : `${events.length} events`;
}

/** "All events" or a chosen list, as checkboxes grouped by resource. */
function eventsPicker(selected) {
  const all = selected.includes('*');
  const grid = h(
    'div.event-grid',
    { hidden: all },
    EVENT_GROUPS.map(([group, types]) =>
      h('div.event-group', h('p.event-group-title', group), types.map((type) => checkbox({ label: type, name: 'event', value: type, checked: !all && selected.includes(type) }))),
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
    if (e.target.name === 'eventMode') grid.hidden = e.target.value === 'all';
  });
  return element;
}

/** The endpoint fields shared by "add endpoint" and the endpoint's settings. */
export function webhookFields(webhook = { url: '', description: null, events: ['*'], isEnabled: true }, { autofocus = false } = {}) {
  return [
    field({ label: 'Endpoint URL', name: 'url', type: 'url', value: webhook.url, required: true, mono: true, wide: true, autofocus, placeholder: 'https://example.com/webhooks/landlord', hint: 'Landlord POSTs signed JSON events here (Standard Webhooks).' }),
    field({ label: 'Description', name: 'description', value: webhook.description, optional: true, wide: true, maxlength: 500 }),
    eventsPicker(webhook.events),
    h('div.field-wide', checkbox({ label: 'Enabled', name: 'isEnabled', checked: webhook.isEnabled, description: 'A disabled endpoint receives nothing until it is enabled again.' })),
  ];
}

/** Reads the fields back; throws a form problem when something is missing. */
export function readWebhook(form) {
  const url = valueOf(form, 'url').trim();
  const all = form.querySelector('input[name=eventMode]:checked')?.value !== 'some';
  const events = all ? ['*'] : [...form.querySelectorAll('input[name=event]:checked')].map((el) => el.value);
  const errors = [];
  if (!url) errors.push({ field: 'url', message: 'is required' });
  if (events.length === 0) errors.push({ field: 'events', message: 'choose at least one event' });
  if (errors.length) throw { detail: 'Please correct the highlighted fields.', errors };
  return { url, description: trimmedOrNull(valueOf(form, 'description')), events, isEnabled: form.elements.namedItem('isEnabled').checked };
}
