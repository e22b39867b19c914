import { ApiError } from '../api.js';
import { h, icon } from '../dom.js';
import { explainProblem } from './problems.js';

/** @import { Child } from '../app-types.js' */

/**
 * A field error to show next to its field: the API's, or one a form's own checks found.
 * @typedef {{ field?: string, message: string }} FieldProblem
 */

/** A problem a form's own checks found before anything was sent; shown like the API's field errors. */
export class FormProblem extends Error {
  /**
   * @param {string} detail
   * @param {FieldProblem[]} [errors]
   */
  constructor(detail, errors = []) {
    super(detail);
    this.detail = detail;
    this.errors = errors;
  }
}

let sequence = 0;
export const uid = (prefix = 'id') => `${prefix}-${++sequence}`;

/**
 * @typedef {object} FieldOptions
 * @property {string} label
 * @property {string} name The API field path, e.g. `settings.timezone`.
 * @property {string} [type] The input's type (text by default).
 * @property {string | number | null} [value]
 * @property {string} [hint]
 * @property {boolean} [optional] Marks the label "Optional".
 * @property {readonly (readonly [string | number, string])[]} [options] A select of [value, text] choices.
 * @property {number} [rows] A textarea of this many rows.
 * @property {boolean} [wide] Spans the whole form grid.
 * @property {Child} [after] Beside the control (a button, say).
 * @property {boolean} [mono] A monospaced control.
 * @property {boolean} [required]
 * @property {boolean} [disabled]
 * @property {boolean} [readonly]
 * @property {string} [placeholder]
 * @property {string} [autocomplete] Off by default.
 * @property {number} [maxlength]
 * @property {string} [inputmode]
 * @property {boolean} [spellcheck]
 * @property {boolean} [autofocus]
 * @property {string} [list] The id of a datalist of suggestions.
 * @property {string} [pattern]
 * @property {number | string} [min]
 */

/**
 * A labelled form control with its hint and an error slot, wired with aria-describedby.
 * `name` is the API field path (e.g. `settings.timezone`) so field errors land next to it.
 * @param {FieldOptions} options
 */
export function field(options) {
  const { label, name, type = 'text', value, hint, optional, options: choices, rows, wide, after } = options;
  const id = uid('f');
  const hintId = hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  const attrs = {
    id,
    name,
    'aria-describedby': [hintId, errorId].filter(Boolean).join(' '),
    required: options.required,
    disabled: options.disabled,
    readOnly: options.readonly,
    placeholder: options.placeholder,
    autocomplete: options.autocomplete ?? 'off',
    maxlength: options.maxlength,
    inputmode: options.inputmode,
    spellcheck: options.spellcheck,
    autofocus: options.autofocus,
    list: options.list,
    pattern: options.pattern,
    min: options.min,
    class: options.mono ? 'mono' : undefined,
  };
  let control;
  if (choices) {
    control = h(
      'select.input',
      attrs,
      choices.map(([v, text]) => h('option', { value: v, selected: String(v) === String(value ?? '') }, text)),
    );
  } else if (rows) {
    control = h('textarea.input', { ...attrs, rows }, value ?? '');
  } else {
    control = h('input.input', { ...attrs, type, value: value ?? '' });
  }
  return h(
    `div.field${wide ? '.field-wide' : ''}`,
    { dataset: { field: name ?? '' } },
    h('label.label', { for: id }, label, optional ? h('span.optional', 'Optional') : null),
    after ? h('div.input-row', control, after) : control,
    hint ? h('p.hint', { id: hintId }, hint) : null,
    h('p.field-error', { id: errorId, hidden: true }),
  );
}

/**
 * A checkbox with its label to the right, and an optional description under it.
 * @param {{ label: string, name: string, checked?: boolean, description?: string, value?: string, disabled?: boolean }} options
 */
export function checkbox({ label, name, checked, description, value, disabled }) {
  const id = uid('c');
  return h(
    'div.check',
    h('input', { type: 'checkbox', id, name, checked, value, disabled, 'aria-describedby': description ? `${id}-d` : undefined }),
    h('label', { for: id }, h('span.check-label', label), description ? h('span.check-description', { id: `${id}-d` }, description) : null),
  );
}

/** @param {{ label: string, name: string, value: string, checked?: boolean, description?: string }} options */
export function radio({ label, name, value, checked, description }) {
  const id = uid('r');
  return h(
    'div.check.radio',
    h('input', { type: 'radio', id, name, value, checked, 'aria-describedby': description ? `${id}-d` : undefined }),
    h('label', { for: id }, h('span.check-label', label), description ? h('span.check-description', { id: `${id}-d` }, description) : null),
  );
}

export function formAlert() {
  return h('div.alert.alert-error.form-alert', { role: 'alert', tabindex: -1, hidden: true });
}

/**
 * The alert formAlert() put in a form, if it has one.
 * @param {HTMLFormElement} form
 */
const formAlertOf = (form) => /** @type {HTMLDivElement | null} */ (form.querySelector('.form-alert'));

/**
 * A message as a sentence: capitalized, unless it starts with a URL (which must stay as it is).
 * @param {string} text
 */
const sentence = (text) => (text && !/^[a-z][a-z0-9+.-]*:\/\//.test(text) ? text[0].toUpperCase() + text.slice(1) : text);

/**
 * The field wrapper (`data-field`) for an error's path, or for the nearest parent path that has one.
 * @param {HTMLFormElement} form
 * @param {string} path
 */
function fieldFor(form, path) {
  let name = path;
  while (name) {
    const match = [...form.querySelectorAll('[data-field]')].find((el) => el.getAttribute('data-field') === name);
    if (match) return match;
    name = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : '';
  }
  return null;
}

/** @param {HTMLFormElement} form */
export function clearErrors(form) {
  for (const el of form.querySelectorAll('.field-error')) {
    if (!(el instanceof HTMLElement)) continue;
    el.hidden = true;
    el.textContent = '';
  }
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  const alert = formAlertOf(form);
  if (alert) {
    alert.hidden = true;
    alert.replaceChildren();
  }
}

/**
 * Shows an API problem on a form: each `errors[]` entry next to its field, the `detail` on top.
 * `error` is what was caught: an ApiError or a FormProblem; anything else (a bug) has neither.
 * @param {HTMLFormElement} form
 * @param {unknown} error
 */
export function showErrors(form, error) {
  clearErrors(form);
  const problem = error instanceof ApiError || error instanceof FormProblem ? error : null;
  /** @type {FieldProblem[]} */
  const unmatched = [];
  /** @type {HTMLElement | null} */
  let first = null;
  for (const e of problem?.errors ?? []) {
    const wrap = fieldFor(form, e.field ?? '');
    const slot = wrap?.querySelector('.field-error');
    if (!wrap || !(slot instanceof HTMLElement)) {
      unmatched.push(e);
      continue;
    }
    // Each of these is an HTMLElement.
    const control = /** @type {HTMLElement | null} */ (wrap.querySelector('input, select, textarea'));
    const exact = wrap.getAttribute('data-field') === e.field;
    const message = exact ? sentence(e.message) : `${e.field}: ${e.message}`;
    slot.textContent = slot.textContent ? `${slot.textContent} ${message}` : message;
    slot.hidden = false;
    control?.setAttribute('aria-invalid', 'true');
    first ??= control;
  }
  const alert = formAlertOf(form);
  if (alert) {
    const explained = explainProblem(problem instanceof ApiError ? problem : null);
    const detail = problem?.errors.length && !unmatched.length ? 'Please correct the highlighted fields.' : (explained?.title ?? problem?.detail);
    alert.replaceChildren(
      icon('alert'),
      h(
        'div',
        h('p.alert-title', detail),
        explained ? h('p', explained.text) : null,
        unmatched.length
          ? h(
              'ul',
              unmatched.map((e) => h('li', `${e.field ? `${e.field}: ` : ''}${e.message}`)),
            )
          : null,
      ),
    );
    alert.hidden = false;
  }
  (first ?? alert)?.focus?.();
  if (!first && alert) alert.scrollIntoView?.({ block: 'nearest' });
}

/**
 * Disables a submit button while work runs and shows a spinner in it.
 * @template T
 * @param {HTMLButtonElement | null | undefined} button
 * @param {() => Promise<T>} work
 * @returns {Promise<T>}
 */
export async function busy(button, work) {
  const wasDisabled = button?.disabled;
  if (button) {
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
  }
  try {
    return await work();
  } finally {
    if (button) {
      button.disabled = Boolean(wasDisabled);
      button.removeAttribute('aria-busy');
    }
  }
}

/**
 * The value of a named control (form.name would be the form's own name attribute).
 * @param {HTMLFormElement} form
 * @param {string} name
 * @returns {string}
 */
export const fieldValue = (form, name) => {
  const control = form.elements.namedItem(name);
  return control && 'value' in control && typeof control.value === 'string' ? control.value : '';
};

/**
 * The values of the ticked radio buttons or checkboxes named `name`, in document order.
 * @param {ParentNode} root
 * @param {string} name
 */
export const checkedValues = (root, name) =>
  [...root.querySelectorAll('input')].filter((input) => input.name === name && input.checked).map((input) => input.value);

/**
 * Whether the named checkbox is ticked.
 * @param {HTMLFormElement} form
 * @param {string} name
 */
export const checkedOf = (form, name) => {
  const control = form.elements.namedItem(name);
  return control instanceof HTMLInputElement && control.checked;
};

/** @param {unknown} value */
export const trimmedOrNull = (value) => {
  const text = String(value ?? '').trim();
  return text === '' ? null : text;
};
