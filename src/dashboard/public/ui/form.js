import { h, icon } from '../dom.js';

let sequence = 0;
export const uid = (prefix = 'id') => `${prefix}-${++sequence}`;

/**
 * A labelled form control with its hint and an error slot, wired with aria-describedby.
 * `name` is the API field path (e.g. `settings.timezone`) so field errors land next to it.
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
    control = h('select.input', attrs, choices.map(([v, text]) => h('option', { value: v, selected: String(v) === String(value ?? '') }, text)));
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

/** A checkbox with its label to the right, and an optional description under it. */
export function checkbox({ label, name, checked, description, value, disabled }) {
  const id = uid('c');
  return h(
    'div.check',
    h('input', { type: 'checkbox', id, name, checked, value, disabled, 'aria-describedby': description ? `${id}-d` : undefined }),
    h('label', { for: id }, h('span.check-label', label), description ? h('span.check-description', { id: `${id}-d` }, description) : null),
  );
}

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

const sentence = (text) => (text ? text[0].toUpperCase() + text.slice(1) : '');

function fieldFor(form, path) {
  let name = path;
  while (name) {
    const match = [...form.querySelectorAll('[data-field]')].find((el) => el.dataset.field === name);
    if (match) return match;
    name = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : '';
  }
  return null;
}

export function clearErrors(form) {
  for (const el of form.querySelectorAll('.field-error')) {
    el.hidden = true;
    el.textContent = '';
  }
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  const alert = form.querySelector('.form-alert');
  if (alert) {
    alert.hidden = true;
    alert.replaceChildren();
  }
}

/** Shows an API problem on a form: each `errors[]` entry next to its field, the `detail` on top. */
export function showErrors(form, error) {
  clearErrors(form);
  const unmatched = [];
  let first = null;
  for (const e of error.errors ?? []) {
    const wrap = fieldFor(form, e.field ?? '');
    const slot = wrap?.querySelector('.field-error');
    if (!slot) {
      unmatched.push(e);
      continue;
    }
    const control = wrap.querySelector('input, select, textarea');
    const exact = wrap.dataset.field === e.field;
    const message = exact ? sentence(e.message) : `${e.field}: ${e.message}`;
    slot.textContent = slot.textContent ? `${slot.textContent} ${message}` : message;
    slot.hidden = false;
    control?.setAttribute('aria-invalid', 'true');
    first ??= control;
  }
  const alert = form.querySelector('.form-alert');
  if (alert) {
    const detail = error.errors?.length && !unmatched.length ? 'Please correct the highlighted fields.' : error.detail;
    alert.replaceChildren(
      icon('alert'),
      h(
        'div',
        h('p.alert-title', detail),
        unmatched.length ? h('ul', unmatched.map((e) => h('li', `${e.field ? `${e.field}: ` : ''}${e.message}`))) : null,
      ),
    );
    alert.hidden = false;
  }
  (first ?? alert)?.focus?.();
  if (!first && alert) alert.scrollIntoView?.({ block: 'nearest' });
}

/** Disables a submit button while work runs and shows a spinner in it. */
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
      button.disabled = wasDisabled;
      button.removeAttribute('aria-busy');
    }
  }
}

/** The value of a named control (form.name would be the form's own name attribute). */
export const valueOf = (form, name) => form.elements.namedItem(name)?.value ?? '';

export const trimmedOrNull = (value) => {
  const text = String(value ?? '').trim();
  return text === '' ? null : text;
};
