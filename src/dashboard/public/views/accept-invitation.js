import { ApiError, auth, statusOf } from '../api.js';
import { find, h, replace } from '../dom.js';
import { navigate } from '../router.js';
import { homePath } from '../session.js';
import { busy, clearErrors, field, formAlert, FormProblem, showErrors, fieldValue } from '../ui/form.js';
import { PASSWORD_RULES, passwordField } from '../ui/password-field.js';
import { authLinks, authShell, authTitle, notice, takeToken } from './auth-page.js';

/** @import { Child, Notice, SignInContext } from '../app-types.js' */

const FOOTER = 'The link in your invitation works once. If it has expired, ask whoever invited you to send it again.';
const SIGN_IN = /** @type {const} */ (['/dashboard/sign-in', 'Sign in']);
const FORGOT = /** @type {const} */ (['/dashboard/forgot-password', 'Forgot password?']);

/** @param {Child[]} children */
const shell = (...children) => authShell({ footer: FOOTER }, ...children);

/**
 * What to say when the invitation cannot make an account, whatever is typed: nothing on this page helps.
 * @param {unknown} error
 * @returns {Notice | null}
 */
function deadEnd(error) {
  if (statusOf(error) === 410) {
    return {
      kind: 'error',
      title: 'This invitation link can’t be used',
      text: 'This invitation link is used, revoked or expired — ask for a new one from whoever invited you.',
    };
  }
  if (error instanceof ApiError && error.code === 'EMAIL_OCCUPIED') {
    return {
      kind: 'warning',
      title: 'You already have an account',
      text: 'Someone with this invitation’s email address already has an account, so the invitation can’t make another. Sign in with it, or reset its password if you have forgotten it.',
    };
  }
  return null;
}

/**
 * `/dashboard/accept-invitation?token=…`: the invited person chooses a name and a password, and is
 * signed in to the tenant they were invited to.
 * @param {SignInContext} context
 */
export async function render({ root, query, setTitle, beginSession }) {
  setTitle('Accept invitation');
  const token = takeToken(query, '/dashboard/accept-invitation');

  /** @param {Notice} message */
  const showDeadEnd = (message) => {
    replace(root, shell(authTitle('Accept your invitation'), notice(message), authLinks([SIGN_IN, FORGOT])));
    find(root, '.auth-title', HTMLElement).focus();
  };

  if (!token) {
    return showDeadEnd({
      kind: 'info',
      title: 'Open the link from your invitation',
      text: 'This page needs the link from the invitation you received. Open it again from the email or message.',
    });
  }

  const name = field({ label: 'Your name', name: 'name', autocomplete: 'name', required: true, maxlength: 200, autofocus: true });
  const password = passwordField({ label: 'Password', name: 'password', autocomplete: 'new-password', required: true, maxlength: 128, hint: PASSWORD_RULES });
  const submit = h('button.btn.btn-primary.btn-block', { type: 'submit' }, 'Accept and sign in');
  const form = h('form.auth-form', { novalidate: true }, formAlert(), name, password, submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const values = { name: fieldValue(form, 'name').trim(), password: fieldValue(form, 'password') };
    /** @type {{ field: string, message: string }[]} */
    const missing = [];
    if (!values.name) missing.push({ field: 'name', message: 'enter your name' });
    if (!values.password) missing.push({ field: 'password', message: 'choose a password' });
    if (missing.length) return showErrors(form, new FormProblem('Enter your name and a password.', missing));
    try {
      beginSession(await busy(submit, () => auth.acceptInvitation(token, values.name, values.password)));
      navigate(homePath(), { replace: true });
    } catch (error) {
      const message = deadEnd(error);
      if (message) return showDeadEnd(message);
      // A weak password (WEAK_PASSWORD) or a blank name is shown next to its field.
      showErrors(form, error);
    }
  });

  replace(root, shell(authTitle('Accept your invitation'), h('p.auth-subtitle', 'Choose the name others will see and a password to sign in with.'), form));
  find(name, 'input', HTMLInputElement).focus();
}
