import { find, h } from '../dom.js';
import { field } from './form.js';

/** @import { FieldOptions } from './form.js' */

/** What the API asks of a new password (WEAK_PASSWORD otherwise), said before anyone types one. */
export const PASSWORD_RULES = '8 to 128 characters, with an upper case letter, a lower case letter and a digit.';

/**
 * A password field with a Show/Hide button beside the input, so a person can check what they typed.
 * @param {Omit<FieldOptions, 'type'>} options
 */
export function passwordField(options) {
  const wrap = field({ ...options, type: 'password' });
  const input = find(wrap, 'input', HTMLInputElement);
  // The button names its field, as a form may have two (a new password and its confirmation).
  const what = options.label.toLowerCase();
  const reveal = h('button.btn.btn-ghost.btn-sm.password-toggle', { type: 'button', 'aria-label': `Show ${what}` }, 'Show');
  reveal.addEventListener('click', () => {
    const show = input.type === 'password';
    input.type = show ? 'text' : 'password';
    reveal.textContent = show ? 'Hide' : 'Show';
    reveal.setAttribute('aria-label', `${show ? 'Hide' : 'Show'} ${what}`);
    input.focus();
  });
  const row = h('div.password-row');
  input.replaceWith(row);
  row.append(input, reveal);
  return wrap;
}
