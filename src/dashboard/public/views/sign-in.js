import { auth, messageOf, statusOf } from '../api.js';
import { find, h, replace } from '../dom.js';
import { navigate, safeDashboardPath } from '../router.js';
import { homePath } from '../session.js';
import { loading } from '../ui/components.js';
import { busy, clearErrors, field, formAlert, FormProblem, showErrors, fieldValue } from '../ui/form.js';
import { passwordField } from '../ui/password-field.js';
import { authShell, authTitle, notice, takeToken } from './auth-page.js';
import { ssoErrorNotice } from './sso-errors.js';
import { ssoStartPath, watchSso } from './sso-offer.js';

/** @import { Child, SignInContext } from '../app-types.js' */

/** @param {Child[]} children */
const shell = (...children) => authShell({ footer: 'Got a sign-in link by email or chat? Open it in this browser to sign in at once.' }, ...children);

/** @param {SignInContext} context */
export async function render({ root, query, signal, setTitle, beginSession, notice: pending }) {
  setTitle('Sign in');
  const next = safeDashboardPath(query.get('next'));
  const here = `/dashboard/sign-in${next ? `?next=${encodeURIComponent(next)}` : ''}`;
  const token = takeToken(query, here);
  let message = pending.current;
  pending.current = null;
  // Back from an identity provider without a session: say why, once (a reload does not repeat it).
  const ssoError = query.get('sso_error');
  if (ssoError) {
    history.replaceState(null, '', here);
    message = ssoErrorNotice(ssoError);
  }

  if (token) {
    replace(root, shell(h('h1.auth-title', 'Signing you in…'), loading('Checking your sign-in link…')));
    try {
      beginSession(await auth.consumeLink(token));
      return navigate(next ?? homePath(), { replace: true });
    } catch (error) {
      message = {
        kind: 'error',
        title: 'This sign-in link can’t be used',
        text: `${messageOf(error)} Ask for a new link, or sign in with your email and password.`,
      };
    }
  } else if (!message) {
    // Already signed in (another tab, or a bookmarked sign-in page): go straight on.
    try {
      beginSession(await auth.session());
      if (!signal.aborted) navigate(next ?? homePath(), { replace: true });
      return;
    } catch {
      // Not signed in: show the form.
    }
  }
  if (signal.aborted) return;

  const email = field({ label: 'Email', name: 'email', type: 'email', autocomplete: 'username', required: true, autofocus: true, spellcheck: false });
  const password = passwordField({ label: 'Password', name: 'password', autocomplete: 'current-password', required: true });
  const passwordInput = find(password, 'input', HTMLInputElement);
  const emailInput = find(email, 'input', HTMLInputElement);
  const forgot = h('p.auth-forgot', h('a', { href: '/dashboard/forgot-password' }, 'Forgot password?'));

  const submit = h('button.btn.btn-primary.btn-block', { type: 'submit' }, 'Sign in');
  /** Leaves for the identity provider, in this window: the API redirects on and back. */
  const continueWithSso = () => location.assign(ssoStartPath(emailInput.value.trim()));
  // Offered when the email's domain has an SSO connection; the password is then the second way.
  const ssoOffer = h(
    'div.sso-offer',
    { hidden: true },
    h('p.sso-offer-text', 'Your organization signs in with single sign-on.'),
    h('button.btn.btn-primary.btn-block', { type: 'button', onclick: continueWithSso }, 'Continue with SSO'),
    h('p.auth-divider', 'or sign in with your password'),
  );
  const sso = watchSso(
    emailInput,
    (offered) => {
      ssoOffer.hidden = !offered;
      passwordInput.required = !offered;
      submit.classList.toggle('btn-primary', !offered);
      submit.classList.toggle('btn-secondary', offered);
    },
    signal,
  );
  const form = h('form.auth-form', { novalidate: true }, formAlert(), email, ssoOffer, password, forgot, submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const values = { email: fieldValue(form, 'email').trim(), password: fieldValue(form, 'password') };
    // Enter with no password, for an email that signs in through SSO: that is what the person means.
    if (values.email && !values.password && (await sso.check())) return continueWithSso();
    /** @type {{ field: string, message: string }[]} */
    const missing = [];
    if (!values.email) missing.push({ field: 'email', message: 'enter your email address' });
    if (!values.password) missing.push({ field: 'password', message: 'enter your password' });
    if (missing.length) return showErrors(form, new FormProblem('Enter your email and password.', missing));
    try {
      const started = await busy(submit, () => auth.login(values.email, values.password));
      beginSession(started);
      navigate(next ?? homePath(), { replace: true });
    } catch (error) {
      // A wrong password is not a field problem: say so on top, keep the email, clear the password.
      showErrors(form, statusOf(error) === 401 ? new FormProblem(messageOf(error)) : error);
      passwordInput.value = '';
    }
  });

  replace(
    root,
    shell(authTitle('Sign in'), h('p.auth-subtitle', 'Manage your tenant, its people, API keys and webhooks.'), message ? notice(message) : null, form),
  );
  emailInput.focus();
}
