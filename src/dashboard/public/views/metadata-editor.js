import { h, icon } from '../dom.js';
import { FormProblem } from '../ui/form.js';

/**
 * Key/value rows for a tenant's metadata; `read()` returns the object or throws a problem for the form.
 * @param {Record<string, string>} metadata
 * @param {{ readOnly?: boolean }} [options]
 */
export function metadataEditor(metadata, { readOnly = false } = {}) {
  const rows = h('div.kv-rows');
  const empty = h('p.muted.kv-empty', 'No metadata yet.');
  const sync = () => (empty.hidden = rows.children.length > 0);

  const addRow = (key = '', value = '', focus = false) => {
    const keyInput = h('input.input.mono', {
      value: key,
      'aria-label': 'Key',
      placeholder: 'key',
      maxlength: 40,
      disabled: readOnly,
      autocomplete: 'off',
      spellcheck: false,
    });
    const valueInput = h('input.input', { value, 'aria-label': 'Value', placeholder: 'value', maxlength: 500, disabled: readOnly, autocomplete: 'off' });
    const remove = readOnly
      ? null
      : h(
          'button.icon-button',
          {
            type: 'button',
            'aria-label': `Remove ${key || 'this entry'}`,
            onclick: () => {
              const next = row.nextElementSibling ?? row.previousElementSibling;
              row.remove();
              sync();
              (next?.querySelector('input') ?? addButton).focus();
            },
          },
          icon('close'),
        );
    const row = h('div.kv-row', keyInput, valueInput, remove);
    keyInput.addEventListener('input', () => remove?.setAttribute('aria-label', `Remove ${keyInput.value || 'this entry'}`));
    rows.append(row);
    sync();
    if (focus) keyInput.focus();
  };

  const addButton = h('button.btn.btn-secondary.btn-sm', { type: 'button', onclick: () => addRow('', '', true) }, icon('plus'), 'Add entry');
  for (const [key, value] of Object.entries(metadata)) addRow(key, value);
  sync();

  const element = h(
    'div.field.field-wide',
    { dataset: { field: 'metadata' } },
    h('div.kv-head', { 'aria-hidden': 'true' }, h('span', 'Key'), h('span', 'Value')),
    rows,
    empty,
    readOnly ? null : h('div', addButton),
    h('p.field-error', { hidden: true }),
  );

  /** @returns {Record<string, string>} */
  function read() {
    /** @type {Record<string, string>} */
    const result = {};
    /** @type {{ field: string, message: string }[]} */
    const errors = [];
    for (const row of rows.children) {
      const [k, v] = row.querySelectorAll('input');
      const key = k.value.trim();
      if (!key && !v.value) continue;
      if (!key) errors.push({ field: 'metadata', message: 'every value needs a key' });
      else if (key in result) errors.push({ field: 'metadata', message: `the key “${key}” appears twice` });
      else result[key] = v.value;
    }
    if (errors.length) throw new FormProblem('The metadata has problems.', errors);
    return result;
  }

  return { element, read };
}
