import { messageOf, statusOf } from '../api.js';
import { copyText, h, icon } from '../dom.js';
import { uid } from './form.js';
import { toast } from './toast.js';

/** @import { IconName } from '../dom.js' */
/** @import { Child } from '../app-types.js' */

/** @typedef {'neutral' | 'primary' | 'success' | 'info' | 'warning' | 'danger'} BadgeKind */

/**
 * @param {string} text
 * @param {BadgeKind} [kind]
 */
export function badge(text, kind = 'neutral') {
  return h(`span.badge.badge-${kind}`, text);
}

/** @param {{ title: string, subtitle?: Child, actions?: Child, breadcrumb?: Child }} options */
export function pageHeader({ title, subtitle, actions, breadcrumb }) {
  return h(
    'header.page-header',
    breadcrumb ? h('nav.breadcrumb', { 'aria-label': 'Breadcrumb' }, breadcrumb) : null,
    h(
      'div.page-header-row',
      h('div.page-heading', h('h1.page-title', { tabindex: -1 }, title), subtitle ? h('div.page-subtitle', subtitle) : null),
      actions ? h('div.page-actions', actions) : null,
    ),
  );
}

/** @param {{ title: string, description?: string, actions?: Child, level?: 'h2' | 'h3', id?: string }} options */
export function sectionHeader({ title, description, actions, level = 'h2', id }) {
  return h(
    'div.section-header',
    h('div', h(`${level}.section-title`, { id }, title), description ? h('p.section-description', description) : null),
    actions ? h('div.section-actions', actions) : null,
  );
}

/** @param {Child[]} children */
export function card(...children) {
  return h('section.card', ...children);
}

/**
 * The primary "add something" button of a list (header and empty state).
 * @param {string} label
 * @param {() => void} onclick
 */
export function createButton(label, onclick) {
  return h('button.btn.btn-primary', { type: 'button', onclick }, icon('plus'), label);
}

/**
 * A tenant section: a card with its title, description and create button over the list.
 * @param {{ title: string, description: string, createLabel: string, onCreate: () => void }} options
 * @param {Child} content
 */
export function listCard({ title, description, createLabel, onCreate }, content) {
  return h('section.card.card-flush', sectionHeader({ title, description, actions: createButton(createLabel, onCreate) }), content);
}

/** @param {{ iconName?: IconName, title: string, text?: string, action?: Child }} options */
export function emptyState({ iconName = 'list', title, text, action }) {
  return h('div.empty', h('div.empty-icon', icon(iconName)), h('h3.empty-title', title), text ? h('p.empty-text', text) : null, action ?? null);
}

/**
 * @param {unknown} error What was caught: usually an ApiError.
 * @param {() => void} [retry]
 */
export function errorState(error, retry) {
  return h(
    'div.empty.empty-error',
    { role: 'alert' },
    h('div.empty-icon', icon('alert')),
    h('h3.empty-title', statusOf(error) === 403 ? 'You don’t have access to this' : 'This could not be loaded'),
    h('p.empty-text', messageOf(error)),
    retry ? h('button.btn.btn-secondary', { type: 'button', onclick: retry }, 'Try again') : null,
  );
}

/** @param {string} [label] */
export function loading(label = 'Loading…') {
  return h('div.loading', { role: 'status' }, h('span.spinner', { 'aria-hidden': 'true' }), h('span', label));
}

/**
 * @param {string | (() => string)} getText
 * @param {string} [label]
 */
export function copyButton(getText, label = 'Copy') {
  const text = h('span', label);
  const button = h('button.btn.btn-secondary.copy-button', { type: 'button' }, icon('copy'), text);
  button.addEventListener('click', async () => {
    const ok = await copyText(typeof getText === 'function' ? getText() : getText);
    text.textContent = ok ? 'Copied' : 'Copy failed';
    if (ok) toast('Copied to the clipboard');
    setTimeout(() => (text.textContent = label), 2000);
  });
  return button;
}

/**
 * A read-only value with a copy button (ids, links, secrets).
 * @param {{ label: string, value: string, name: string, hint?: string }} options
 */
export function copyField({ label, value, name, hint }) {
  const id = uid('copy');
  const input = h('input.input.mono', { id, name, value, readOnly: true, spellcheck: false, autocomplete: 'off', onfocus: (e) => e.currentTarget.select() });
  return h(
    'div.field',
    h('label.label', { for: id }, label),
    h(
      'div.input-row',
      input,
      copyButton(() => input.value),
    ),
    hint ? h('p.hint', hint) : null,
  );
}

/**
 * A secret the API returns once: a clear warning, the value, and a copy button. Nothing keeps it after the dialog closes.
 * @param {{ secret: string, label?: string, what?: string, extra?: Child }} options
 */
export function secretReveal({ secret, label = 'Secret', what = 'secret', extra }) {
  return h(
    'div.secret-reveal',
    h(
      'div.alert.alert-warning',
      { role: 'alert' },
      icon('alert'),
      h(
        'div',
        h('p.alert-title', `Copy this ${what} now`),
        h('p', `For your security it is shown only once. Store it in your secret manager; if you lose it, rotate to get a new one.`),
      ),
    ),
    copyField({ label, value: secret, name: 'secret' }),
    extra ?? null,
  );
}

/**
 * Term and value rows; a falsy row is left out, a null or undefined value shows as a dash.
 * @param {(readonly [string, Child] | null | false | undefined)[]} rows
 */
export function definitionList(rows) {
  return h(
    'dl.details',
    rows.filter((row) => !!row).map(([term, value]) => h('div.details-row', h('dt', term), h('dd', value ?? h('span.muted', '—')))),
  );
}

/** @param {string} text */
export function code(text) {
  return h('code.code', text);
}

/**
 * @template T
 * @typedef {object} Column
 * @property {string} label
 * @property {(item: T) => Child} render
 * @property {string} [className]
 * @property {boolean} [hidden] Only screen readers get the label.
 */

/**
 * One row of a `table()`, for rows added to it later (say, the children of an expanded row).
 * @template T
 * @param {Column<T>[]} columns
 * @param {{ item: T, dataset?: Record<string, string>, className?: string }} row
 */
export function tableRow(columns, { item, dataset, className }) {
  return h(
    'tr',
    { dataset, class: className },
    columns.map((c, i) =>
      h(`${i === 0 ? 'th' : 'td'}${c.className ? `.${c.className}` : ''}`, { 'data-label': c.label, scope: i === 0 ? 'row' : undefined }, c.render(item)),
    ),
  );
}

/**
 * Responsive table: on narrow screens each row becomes a card, cells labelled by data-label.
 * @template T
 * @param {{ columns: Column<T>[], rows: { item: T, dataset?: Record<string, string> }[], caption?: string, busy?: boolean }} options
 */
export function table({ columns, rows, caption, busy }) {
  return h(
    'div.table-wrap',
    { 'aria-busy': busy ? 'true' : undefined },
    h(
      'table.table',
      caption ? h('caption.visually-hidden', caption) : null,
      h(
        'thead',
        h(
          'tr',
          columns.map((c) => h(`th${c.className ? `.${c.className}` : ''}`, { scope: 'col' }, c.hidden ? h('span.visually-hidden', c.label) : c.label)),
        ),
      ),
      h(
        'tbody',
        rows.map((row) => tableRow(columns, row)),
      ),
    ),
  );
}

/**
 * Previous / next buttons under a list, with the range it shows.
 * @param {{ range: string, onPrevious: (() => void) | null, onNext: (() => void) | null }} options A null handler disables its button.
 */
export function pager({ range, onPrevious, onNext }) {
  return h(
    'nav.pager',
    { 'aria-label': 'Pagination' },
    h('p.pager-range', range),
    h(
      'div.pager-buttons',
      h('button.btn.btn-secondary.btn-sm', { type: 'button', disabled: !onPrevious, onclick: () => onPrevious?.() }, icon('chevronLeft'), 'Previous'),
      h('button.btn.btn-secondary.btn-sm', { type: 'button', disabled: !onNext, onclick: () => onNext?.() }, 'Next', icon('chevronRight')),
    ),
  );
}

/**
 * Links styled as tabs: a page's sections, or the views of one list (`className` 'list-tabs').
 * @param {string} label
 * @param {{ href: string, label: string, current: boolean }[]} links
 * @param {string} [className]
 */
export function viewTabs(label, links, className = 'list-tabs') {
  return h(
    `nav.tabs${className ? `.${className}` : ''}`,
    { 'aria-label': label },
    links.map((l) => h('a.tab', { href: l.href, 'aria-current': l.current ? 'page' : undefined }, l.label)),
  );
}

/**
 * On a phone the tabs scroll sideways: brings the current one into view (once they are on the page).
 * @param {ParentNode} container
 */
export function revealCurrentTab(container) {
  const current = container.querySelector('.tab[aria-current="page"]');
  const tabs = current?.parentElement;
  if (current instanceof HTMLElement && tabs && tabs.scrollWidth > tabs.clientWidth) tabs.scrollLeft = current.offsetLeft - 16;
}
