import { isAbortError } from '../api.js';
import { h, replace } from '../dom.js';
import { uid } from './form.js';

/**
 * @typedef {{ value: string, label: string, description?: string }} Choice
 */

/**
 * A searchable choice, after the ARIA combobox pattern: typing asks `search` for choices shown in a
 * listbox under the field; arrow keys move through them, Enter picks one, Escape closes the list.
 * `fixed` choices (such as "none") always come first. Leaving the field without picking restores
 * the current choice's label, so what the field shows is always what will be saved.
 * @param {object} options
 * @param {string} options.label
 * @param {string} options.name The API field, so its errors show next to it.
 * @param {Choice} options.initial
 * @param {(text: string, signal: AbortSignal) => Promise<Choice[]>} options.search
 * @param {Choice[]} [options.fixed]
 * @param {string} [options.hint]
 * @param {string} [options.placeholder]
 * @param {boolean} [options.optional]
 * @param {boolean} [options.wide]
 */
export function combobox({ label, name, initial, search, fixed = [], hint, placeholder, optional, wide }) {
  const id = uid('cb');
  const listId = `${id}-list`;
  const hintId = hint ? `${id}-hint` : null;
  let selected = initial;
  /** @type {Choice[]} */
  let choices = [];
  let active = -1;
  /** @type {AbortController | null} */
  let inflight = null;

  const input = h('input.input', {
    id,
    type: 'text',
    role: 'combobox',
    value: initial.label,
    placeholder,
    autocomplete: 'off',
    spellcheck: false,
    'aria-autocomplete': 'list',
    'aria-expanded': 'false',
    'aria-controls': listId,
    'aria-describedby': [hintId, `${id}-error`].filter(Boolean).join(' '),
  });
  const list = h('ul.combobox-list', { id: listId, role: 'listbox', 'aria-label': label, hidden: true });
  const status = h('p.visually-hidden', { 'aria-live': 'polite' });

  const optionId = (/** @type {number} */ i) => `${id}-o${i}`;

  function draw(message = '') {
    replace(
      list,
      choices.map((c, i) =>
        h(
          'li.combobox-option',
          {
            id: optionId(i),
            role: 'option',
            'aria-selected': String(i === active),
            dataset: { value: c.value },
            // Picked on mousedown, which also keeps the focus in the field: a click could be lost
            // when the list is redrawn, as search results arrive, between the press and the release.
            onmousedown: (/** @type {MouseEvent} */ e) => {
              e.preventDefault();
              if (e.button === 0) pick(c);
            },
          },
          h('span.combobox-label', c.label),
          c.description ? h('span.cell-sub', c.description) : null,
        ),
      ),
      message ? h('li.combobox-message', { role: 'presentation' }, message) : null,
    );
    if (active >= 0) input.setAttribute('aria-activedescendant', optionId(active));
    else input.removeAttribute('aria-activedescendant');
    list.querySelector('[aria-selected="true"]')?.scrollIntoView?.({ block: 'nearest' });
  }

  function open() {
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  }

  function close() {
    clearTimeout(timer);
    inflight?.abort();
    list.hidden = true;
    active = -1;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  }

  /** @param {Choice} choice */
  function pick(choice) {
    selected = choice;
    input.value = choice.label;
    close();
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }

  async function load() {
    inflight?.abort();
    const controller = new AbortController();
    inflight = controller;
    const text = input.value === selected.label ? '' : input.value.trim();
    open();
    if (!choices.length) draw('Searching…');
    try {
      const found = await search(text, controller.signal);
      if (controller.signal.aborted) return;
      choices = [...fixed, ...found.filter((c) => !fixed.some((f) => f.value === c.value))];
      active = -1;
      draw(found.length ? '' : text ? `Nothing matches “${text}”` : '');
      status.textContent = `${found.length} ${found.length === 1 ? 'result' : 'results'}`;
    } catch (error) {
      if (!isAbortError(error) && !controller.signal.aborted) draw('The list could not be loaded');
    }
  }
  /** @type {number | undefined} */
  let timer;
  const searchSoon = () => {
    clearTimeout(timer);
    timer = setTimeout(load, 200);
  };

  input.addEventListener('focus', () => load());
  input.addEventListener('input', () => {
    open();
    searchSoon();
  });
  input.addEventListener('blur', () => {
    close();
    input.value = selected.label;
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (list.hidden) return void load();
      if (!choices.length) return;
      active = event.key === 'ArrowDown' ? (active + 1) % choices.length : (active - 1 + choices.length) % choices.length;
      draw();
    } else if (event.key === 'Enter') {
      // Enter picks the highlighted choice rather than submitting the form.
      if (list.hidden) return;
      event.preventDefault();
      if (active >= 0) pick(choices[active]);
    } else if (event.key === 'Escape' && !list.hidden) {
      // Closes the list only, not the dialog around it.
      event.preventDefault();
      event.stopPropagation();
      close();
      input.value = selected.label;
    }
  });

  const element = h(
    `div.field.combobox${wide ? '.field-wide' : ''}`,
    { dataset: { field: name } },
    h('label.label', { for: id }, label, optional ? h('span.optional', 'Optional') : null),
    input,
    list,
    status,
    hint ? h('p.hint', { id: hintId }, hint) : null,
    h('p.field-error', { id: `${id}-error`, hidden: true }),
  );
  return {
    element,
    /** The value of the current choice. */
    value: () => selected.value,
    /** Shows another choice as the current one (say, once its label is known). @param {Choice} choice */
    set: (choice) => {
      selected = choice;
      if (document.activeElement !== input) input.value = choice.label;
    },
  };
}
