import { auth, statusOf } from '../api.js';
import { find, h, replace } from '../dom.js';
import { navigate } from '../router.js';
import { homePath } from '../session.js';
import { busy, clearErrors, formAlert, FormProblem, showErrors, fieldValue } from '../ui/form.js';
import { PASSWORD_RULES, passwordField } from '../ui/password-field.js';
import { authLinks, authShell, authTitle, notice, takeToken } from './auth-page.js';

/** @import { Notice, SignInContext } from '../app-types.js' */

const FORGOT = /** @type {const} */ (['/dashboard/forgot-password', 'Forgot password?']);
const SIGN_IN = /** @type {const} */ (['/dashboard/sign-in', 'Back to sign in']);

/**
 * `/dashboard/reset-password?token=…`: the link from a password reset mail. A new password, typed
 * twice, signs the person in (and ends their other sessions).
 * @param {SignInContext} context
 */
export async function render({ root, setTitle, query, beginSession }) {
  setTitle('Reset password');
  const token = takeToken(query, '/dashboard/reset-password');

  /** @param {Notice} message */
  const showDeadEnd = (message) => {
    replace(root, authShell({}, authTitle('Reset your password'), notice(message), authLinks([FORGOT, SIGN_IN])));
    find(root, '.auth-title', HTMLElement).focus();
  };

  if (!token) {
    return showDeadEnd({
      kind: 'info',
      title: 'Open the link from your email',
      text: 'This page needs the link from the password reset email. Open it again, or ask for a new one.',
    });
  }

  const password = passwordField({
    label: 'New password',
    name: 'password',
    autocomplete: 'new-password',
    required: true,
    maxlength: 128,
    autofocus: true,
    hint: PASSWORD_RULES,
  });
  const confirm = passwordField({ label: 'Confirm new password', name: 'confirm', autocomplete: 'new-password', required: true, maxlength: 128 });
  const submit = h('button.btn.btn-primary.btn-block', { type: 'submit' }, 'Set password and sign in');
  const form = h('form.auth-form', { novalidate: true }, formAlert(), password, confirm, submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const chosen = fieldValue(form, 'password');
    if (!chosen) return showErrors(form, new FormProblem('Choose a new password.', [{ field: 'password', message: 'choose a new password' }]));
    if (fieldValue(form, 'confirm') !== chosen) {
      return showErrors(form, new FormProblem('The passwords do not match.', [{ field: 'confirm', message: 'type the same password again' }]));
    }
    try {
      beginSession(await busy(submit, () => auth.resetPassword(token, chosen)));
      navigate(homePath(), { replace: true });
    } catch (error) {
      if (statusOf(error) === 410) {
        return showDeadEnd({
          kind: 'error',
          title: 'This reset link can’t be used',
          text: 'It has been used already or has expired (a link works once, within 30 minutes). Ask for a new one.',
        });
      }
      // A weak password (WEAK_PASSWORD) is shown next to its field.
      showErrors(form, error);
    }
  });

  replace(root, authShell({}, authTitle('Choose a new password'), h('p.auth-subtitle', 'Signing in with it ends your other sessions.'), form));
  find(password, 'input', HTMLInputElement).focus();
}
