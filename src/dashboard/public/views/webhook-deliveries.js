import { api, apiPath, messageOf, statusOf } from '../api.js';
import { formatPreciseDateTime, h, icon, pluralize, replace, timeAgo } from '../dom.js';
import { badge, code, copyButton, definitionList, emptyState, loading, sectionHeader } from '../ui/components.js';
import { busy, uid } from '../ui/form.js';
import { toast } from '../ui/toast.js';

/** @import { Attempt, CursorList, Delivery } from '../types.js' */

/** @type {[string, string][]} */
const STATUS_FILTERS = [
  ['', 'All deliveries'],
  ['succeeded', 'Delivered'],
  ['failed', 'Failed'],
  ['pending', 'Pending'],
];

/** @param {Delivery} d */
function deliveryBadge(d) {
  if (d.status === 'succeeded') return badge('Delivered', 'success');
  if (d.status === 'failed') return badge('Failed', 'danger');
  if (d.status === 'sending') return badge('Sending', 'info');
  return d.attemptCount > 0 ? badge('Retrying', 'warning') : badge('Pending', 'neutral');
}

/** @param {number | null} statusCode */
function statusCodeBadge(statusCode) {
  if (statusCode === null) return badge('No response', 'danger');
  return badge(String(statusCode), statusCode >= 200 && statusCode < 300 ? 'success' : 'danger');
}

/**
 * @param {Attempt} attempt
 * @param {number} index
 */
function attemptItem(attempt, index) {
  return h(
    'li.attempt',
    h(
      'div.attempt-head',
      h('span.attempt-title', `Attempt ${index + 1}`),
      statusCodeBadge(attempt.statusCode),
      h('time.muted', { datetime: attempt.attemptedAt }, formatPreciseDateTime(attempt.attemptedAt)),
      h('span.muted', `${attempt.durationMs} ms`),
    ),
    // "HTTP 500" would only repeat the badge; timeouts and refused connections say more.
    attempt.error && attempt.error !== `HTTP ${attempt.statusCode}` ? h('p.attempt-error', attempt.error) : null,
    attempt.responseExcerpt ? h('pre.response', { tabindex: 0, 'aria-label': `Response to attempt ${index + 1}` }, attempt.responseExcerpt) : null,
  );
}

/**
 * An endpoint's delivery log, newest first: each delivery opens to show the request body it sends
 * and every attempt (status, duration, error, response excerpt), and can be retried. While
 * deliveries are in flight, or just after a test or retry, the log refreshes itself.
 * @param {{ webhookPath: string, signal: AbortSignal }} options The endpoint's API path; the page's signal.
 */
export function deliveryLog({ webhookPath, signal }) {
  const state = {
    status: '',
    /** @type {Delivery[]} */
    results: [],
    /** @type {string | null} */
    next: null,
    /** @type {Set<string>} The ids of the deliveries shown open. */
    open: new Set(),
    /** @type {Set<string>} The ids of the deliveries whose request body is shown, kept across refreshes. */
    bodyOpen: new Set(),
    watchUntil: 0,
    /** @type {number | undefined} */
    timer: undefined,
  };
  const listEl = h('div.deliveries', loading());
  const filterId = uid('dlv');
  const filter = h(
    'select.input.input-sm',
    { id: filterId },
    STATUS_FILTERS.map(([v, t]) => h('option', { value: v }, t)),
  );
  const refreshButton = h('button.btn.btn-secondary.btn-sm', { type: 'button' }, icon('refresh'), 'Refresh');
  const element = h(
    'section.card.card-flush',
    sectionHeader({
      title: 'Deliveries',
      description: 'Newest first. Every attempt is logged with its response.',
      actions: [h('label.visually-hidden', { for: filterId }, 'Show'), filter, refreshButton],
    }),
    listEl,
  );

  /**
   * @param {{ watch?: boolean, more?: boolean }} [options] `watch` refreshes often for a minute; `more` adds the next page.
   */
  async function refresh({ watch = false, more = false } = {}) {
    if (watch) state.watchUntil = Date.now() + 60_000;
    /** @type {CursorList<Delivery>} */
    const data =
      more && state.next
        ? await api.get(apiPath(state.next), undefined, { signal })
        : await api.get(`${webhookPath}/deliveries`, { limit: 20, status: state.status || undefined }, { signal });
    state.results = more ? [...state.results, ...data.results] : data.results;
    state.next = data.next;
    draw();
    schedule();
  }

  function schedule() {
    clearTimeout(state.timer);
    if (signal.aborted) return;
    const soon = state.results.some(
      (d) => d.status === 'sending' || (d.status === 'pending' && (!d.nextAttemptAt || new Date(d.nextAttemptAt).getTime() - Date.now() < 30_000)),
    );
    const waiting = state.results.some((d) => d.status === 'pending');
    const delay = soon || Date.now() < state.watchUntil ? 2000 : waiting ? 15_000 : null;
    if (delay) state.timer = setTimeout(() => refresh().catch(() => {}), delay);
  }
  signal.addEventListener('abort', () => clearTimeout(state.timer), { once: true });

  /**
   * @param {Delivery} delivery
   * @param {HTMLButtonElement} button
   */
  async function retry(delivery, button) {
    try {
      await busy(button, () => api.post(`${webhookPath}/deliveries/${encodeURIComponent(delivery.id)}/retry`));
      toast('Delivery queued again');
      await refresh({ watch: true });
    } catch (error) {
      if (statusOf(error) !== 401) toast(messageOf(error), { kind: 'error' });
    }
  }

  /**
   * The JSON body the endpoint was sent, folded away until asked for.
   * @param {Delivery} d
   */
  function requestBody(d) {
    if (!d.payload) return null;
    const text = JSON.stringify(d.payload, null, 2);
    const copy = copyButton(text, 'Copy JSON');
    copy.classList.add('btn-sm');
    const details = h(
      'details.request-body',
      { open: state.bodyOpen.has(d.id) },
      h('summary', 'Request body'),
      h('pre.response.request-json', { tabindex: 0, 'aria-label': `Request body of ${d.eventId}` }, text),
      h('div.request-body-actions', copy),
    );
    details.addEventListener('toggle', () => {
      if (details.open) state.bodyOpen.add(d.id);
      else state.bodyOpen.delete(d.id);
    });
    return details;
  }

  /** @param {Delivery} d */
  function deliveryItem(d) {
    const bodyId = `dlv-${d.id}`;
    const isOpen = state.open.has(d.id);
    const last = d.attempts[d.attempts.length - 1];
    const summary = h(
      'button.delivery-summary',
      { type: 'button', 'aria-expanded': String(isOpen), 'aria-controls': bodyId },
      h('span.delivery-event', h('span.delivery-type', d.eventType ?? 'event'), h('span.delivery-id.mono', d.eventId)),
      h('span.delivery-status', deliveryBadge(d)),
      h('span.delivery-attempts.muted', pluralize(d.attemptCount, 'attempt')),
      h('span.delivery-time.muted', timeAgo(last?.attemptedAt ?? d.createdAt)),
      icon('chevronDown'),
    );
    summary.addEventListener('click', () => {
      if (state.open.has(d.id)) state.open.delete(d.id);
      else state.open.add(d.id);
      const open = state.open.has(d.id);
      summary.setAttribute('aria-expanded', String(open));
      detail.hidden = !open;
    });
    const canRetry = d.status !== 'sending';
    const detail = h(
      'div.delivery-body',
      { id: bodyId, hidden: !isOpen },
      definitionList([
        ['Event', code(d.eventId)],
        ['Delivery', code(d.id)],
        ['Created', formatPreciseDateTime(d.createdAt)],
        d.completedAt ? ['Completed', formatPreciseDateTime(d.completedAt)] : null,
        d.status === 'pending' && d.nextAttemptAt ? ['Next attempt', formatPreciseDateTime(d.nextAttemptAt)] : null,
      ]),
      requestBody(d),
      d.attempts.length ? h('ol.attempts', d.attempts.map(attemptItem)) : h('p.muted', 'Not attempted yet.'),
      canRetry
        ? h(
            'div.form-actions',
            h(
              'button.btn.btn-secondary.btn-sm',
              { type: 'button', onclick: (e) => retry(d, e.currentTarget) },
              icon('refresh'),
              d.status === 'succeeded' ? 'Send again' : 'Retry now',
            ),
          )
        : null,
    );
    return h('div.delivery', { dataset: { id: d.id, status: d.status } }, summary, detail);
  }

  function draw() {
    if (state.results.length === 0) {
      return replace(
        listEl,
        emptyState({
          iconName: 'send',
          title: state.status ? 'No deliveries with this status' : 'No deliveries yet',
          text: 'Events for this endpoint appear here. Send a test event to try it.',
        }),
      );
    }
    replace(
      listEl,
      state.results.map(deliveryItem),
      state.next
        ? h(
            'div.load-more',
            h('button.btn.btn-secondary', { type: 'button', onclick: (e) => busy(e.currentTarget, () => refresh({ more: true })) }, 'Load older deliveries'),
          )
        : null,
    );
  }

  filter.addEventListener('change', () => {
    state.status = filter.value;
    refresh().catch(() => {});
  });
  refreshButton.addEventListener('click', () => busy(refreshButton, () => refresh()).catch(() => {}));

  return { element, refresh };
}
