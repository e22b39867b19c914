import { formatNumber, h, icon } from '../dom.js';
import { field, fieldValue, FormProblem, uid } from '../ui/form.js';

/** @import { FeatureMap, LimitKey, LimitMap } from '../types.js' */

/** @type {[LimitKey, string][]} */
export const LIMITS = [
  ['users', 'Users'],
  ['apiKeys', 'API keys'],
  ['webhooks', 'Webhook endpoints'],
  ['requestsPerMinute', 'Requests per minute'],
];

const FEATURE_KEY = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;

/** @typedef {'boolean' | 'number' | 'string'} FeatureType */

/** @param {boolean | number | string} value */
export const featureText = (value) => (value === true ? 'On' : value === false ? 'Off' : typeof value === 'number' ? formatNumber(value) : value);

/**
 * Key / type / value rows for feature flags (a boolean, a number or a text each); `read()` returns
 * the flags or throws a problem for the form.
 * @param {FeatureMap} features
 * @param {{ readOnly?: boolean, empty?: string }} [options]
 */
export function featuresEditor(features, { readOnly = false, empty = 'No features.' } = {}) {
  const rows = h('div.kv-rows');
  const emptyText = h('p.muted.kv-empty', empty);
  const sync = () => (emptyText.hidden = rows.children.length > 0);

  /**
   * @param {string} key
   * @param {boolean | number | string} value
   * @param {boolean} [focus]
   */
  const addRow = (key, value, focus = false) => {
    const id = uid('feat');
    const keyInput = h('input.input.mono', {
      id,
      value: key,
      'aria-label': 'Feature',
      placeholder: 'feature',
      maxlength: 64,
      disabled: readOnly,
      spellcheck: false,
      autocomplete: 'off',
    });
    /** @type {FeatureType} */
    const type = typeof value === 'boolean' ? 'boolean' : typeof value === 'number' ? 'number' : 'string';
    const typeSelect = h(
      'select.input',
      { 'aria-label': 'Type', disabled: readOnly },
      h('option', { value: 'boolean', selected: type === 'boolean' }, 'On / off'),
      h('option', { value: 'number', selected: type === 'number' }, 'Number'),
      h('option', { value: 'string', selected: type === 'string' }, 'Text'),
    );
    const onOff = h(
      'select.input',
      { 'aria-label': 'Value', disabled: readOnly, hidden: type !== 'boolean' },
      h('option', { value: 'true', selected: value === true }, 'On'),
      h('option', { value: 'false', selected: value === false }, 'Off'),
    );
    const text = h('input.input', {
      'aria-label': 'Value',
      type: type === 'number' ? 'number' : 'text',
      value: type === 'boolean' ? '' : String(value),
      maxlength: 500,
      disabled: readOnly,
      hidden: type === 'boolean',
      autocomplete: 'off',
    });
    typeSelect.addEventListener('change', () => {
      onOff.hidden = typeSelect.value !== 'boolean';
      text.hidden = typeSelect.value === 'boolean';
      text.type = typeSelect.value === 'number' ? 'number' : 'text';
    });
    const remove = readOnly
      ? null
      : h(
          'button.icon-button',
          {
            type: 'button',
            'aria-label': `Remove ${key || 'this feature'}`,
            onclick: () => {
              const next = row.nextElementSibling ?? row.previousElementSibling;
              row.remove();
              sync();
              (next?.querySelector('input') ?? addButton).focus();
            },
          },
          icon('close'),
        );
    keyInput.addEventListener('input', () => remove?.setAttribute('aria-label', `Remove ${keyInput.value || 'this feature'}`));
    const row = h('div.feature-row', { dataset: { feature: '' } }, keyInput, typeSelect, onOff, text, remove);
    rows.append(row);
    sync();
    if (focus) keyInput.focus();
  };

  const addButton = h('button.btn.btn-secondary.btn-sm', { type: 'button', onclick: () => addRow('', true, true) }, icon('plus'), 'Add feature');
  for (const [key, value] of Object.entries(features)) addRow(key, value);
  sync();

  const element = h(
    'div.field.field-wide',
    { dataset: { field: 'features' } },
    h('span.label', 'Features'),
    h('div.feature-head', { 'aria-hidden': 'true' }, h('span', 'Feature'), h('span', 'Type'), h('span', 'Value')),
    rows,
    emptyText,
    readOnly ? null : h('div', addButton),
    h('p.field-error', { hidden: true }),
  );

  /** @returns {FeatureMap} */
  function read() {
    /** @type {FeatureMap} */
    const result = {};
    /** @type {{ field: string, message: string }[]} */
    const errors = [];
    for (const row of rows.children) {
      const [keyInput, text] = row.querySelectorAll('input');
      const [typeSelect, onOff] = row.querySelectorAll('select');
      const key = keyInput.value.trim();
      const type = typeSelect.value;
      if (!key && (type === 'boolean' || !text.value)) continue;
      if (!FEATURE_KEY.test(key)) errors.push({ field: 'features', message: `“${key}” is not a feature name: a letter, then letters, digits, _ . : or -` });
      else if (key in result) errors.push({ field: 'features', message: `the feature “${key}” appears twice` });
      else if (type === 'boolean') result[key] = onOff.value === 'true';
      else if (type === 'number') {
        if (text.value.trim() === '' || !Number.isFinite(Number(text.value))) errors.push({ field: 'features', message: `“${key}” needs a number` });
        else result[key] = Number(text.value);
      } else result[key] = text.value;
    }
    if (errors.length) throw new FormProblem('The features have problems.', errors);
    return result;
  }

  return { element, read };
}

/**
 * The four limits as optional whole numbers; an empty one is unlimited (or, for a tenant, its plan's).
 * @param {LimitMap} limits
 * @param {{ hint: string }} options
 */
export function limitFields(limits, { hint }) {
  const fields = LIMITS.map(([key, label]) =>
    field({ label, name: `limits.${key}`, type: 'number', value: limits[key] ?? null, optional: true, min: 0, inputmode: 'numeric', placeholder: hint }),
  );
  /**
   * @param {HTMLFormElement} form
   * @returns {LimitMap}
   */
  const read = (form) => {
    /** @type {LimitMap} */
    const result = {};
    /** @type {{ field: string, message: string }[]} */
    const errors = [];
    for (const [key] of LIMITS) {
      const text = fieldValue(form, `limits.${key}`).trim();
      if (text === '') continue;
      const n = Number(text);
      if (!Number.isInteger(n) || n < 0) errors.push({ field: `limits.${key}`, message: 'must be a whole number, 0 or more' });
      else result[key] = n;
    }
    if (errors.length) throw new FormProblem('Please correct the highlighted fields.', errors);
    return result;
  };
  return { fields, read };
}

/**
 * A PATCH of a map the API merges: what is new or changed, and null for what was removed.
 * @template {string | number | boolean} V
 * @param {Partial<Record<string, V>>} current
 * @param {Partial<Record<string, V>>} next
 * @returns {Record<string, V | null>}
 */
export function mergePatch(current, next) {
  /** @type {Record<string, V | null>} */
  const patch = {};
  for (const key of Object.keys(current)) if (!(key in next)) patch[key] = null;
  for (const [key, value] of Object.entries(next)) if (value !== undefined && current[key] !== value) patch[key] = value;
  return patch;
}
