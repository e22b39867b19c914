import { auth } from '../api.js';
import { find, h, replace } from '../dom.js';
import { busy, clearErrors, field, formAlert, FormProblem, showErrors, fieldValue } from '../ui/form.js';
import { authLinks, authShell, authTitle, notice } from './auth-page.js';

/** @import { Child, SignInContext } from '../app-types.js' */

const FOOTER = 'No email? Your tenant’s owner or administrator can send you a one-time sign-in link instead.';

/** @param {Child[]} children */
const shell = (...children) => authShell({ footer: FOOTER }, ...children);

/**
 * `/dashboard/forgot-password`: asks for a reset link by mail. The answer is the same whether or not
 * the email has an account, so the page never tells who has one.
 * @param {SignInContext} context
 */
export async function render({ root, setTitle }) {
  setTitle('Forgot password');
  const email = field({ label: 'Email', name: 'email', type: 'email', autocomplete: 'username', required: true, autofocus: true, spellcheck: false });
  const submit = h('button.btn.btn-primary.btn-block', { type: 'submit' }, 'Send reset link');
  const form = h('form.auth-form', { novalidate: true }, formAlert(), email, submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const address = fieldValue(form, 'email').trim();
    if (!address) return showErrors(form, new FormProblem('Enter your email address.', [{ field: 'email', message: 'enter your email address' }]));
    try {
      await busy(submit, () => auth.requestPasswordReset(address));
    } catch (error) {
      // A malformed address, or too many requests (429, with when to try again).
      return showErrors(form, error);
    }
    replace(
      root,
      shell(
        authTitle('Check your email'),
        notice({
          kind: 'success',
          title: `If an account exists for ${address}, we sent a link to reset its password.`,
          text: 'The link works once, within 30 minutes. It may take a minute to arrive; look in your spam folder too.',
        }),
        authLinks([['/dashboard/sign-in', 'Back to sign in']]),
      ),
    );
    find(root, '.auth-title', HTMLElement).focus();
  });

  replace(
    root,
    shell(
      authTitle('Forgot your password?'),
      h('p.auth-subtitle', 'Enter the email you sign in with. We will send you a link to choose a new password.'),
      form,
      authLinks([['/dashboard/sign-in', 'Back to sign in']]),
    ),
  );
  find(email, 'input', HTMLInputElement).focus();
}
