import { auth, messageOf, statusOf } from '../api.js';
import { find, h, icon, replace } from '../dom.js';
import { navigate, safeDashboardPath } from '../router.js';
import { homePath } from '../session.js';
import { loading } from '../ui/components.js';
import { busy, clearErrors, field, formAlert, FormProblem, showErrors, fieldValue } from '../ui/form.js';

/** @import { Child, Notice, SignInContext } from '../app-types.js' */

/** @param {Notice} notice */
function notice({ kind, title, text }) {
  return h(
    `div.alert.alert-${kind}`,
    { role: kind === 'error' || kind === 'warning' ? 'alert' : 'status' },
    icon(kind === 'success' ? 'check' : kind === 'info' ? 'info' : 'alert'),
    h('div', h('p.alert-title', title), text ? h('p', text) : null),
  );
}

/** @param {Child[]} children */
function shell(...children) {
  return h(
    'div.auth-page',
    h('main.auth-card', { id: 'main' }, h('div.auth-brand', h('span.brand-mark', icon('logo')), h('span.brand-name', 'Landlord')), ...children),
    h('p.auth-footer', 'Got a sign-in link by email or chat? Open it in this browser to sign in at once.'),
  );
}

/** @param {SignInContext} context */
export async function render({ root, query, signal, setTitle, beginSession, notice: pending }) {
  setTitle('Sign in');
  const next = safeDashboardPath(query.get('next'));
  const token = query.get('token');
  let message = pending.current;
  pending.current = null;

  if (token) {
    // Take the one-time token out of the address bar (and history) before anything else happens.
    history.replaceState(null, '', `/dashboard/sign-in${next ? `?next=${encodeURIComponent(next)}` : ''}`);
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
  const password = field({ label: 'Password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const passwordInput = find(password, 'input', HTMLInputElement);
  const reveal = h('button.btn.btn-ghost.btn-sm.password-toggle', { type: 'button', 'aria-pressed': 'false' }, 'Show');
  reveal.addEventListener('click', () => {
    const show = passwordInput.type === 'password';
    passwordInput.type = show ? 'text' : 'password';
    reveal.textContent = show ? 'Hide' : 'Show';
    reveal.setAttribute('aria-pressed', String(show));
    passwordInput.focus();
  });
  const row = h('div.password-row');
  passwordInput.replaceWith(row);
  row.append(passwordInput, reveal);

  const submit = h('button.btn.btn-primary.btn-block', { type: 'submit' }, 'Sign in');
  const form = h('form.auth-form', { novalidate: true }, formAlert(), email, password, submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const values = { email: fieldValue(form, 'email').trim(), password: fieldValue(form, 'password') };
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
    shell(
      h('h1.auth-title', { tabindex: -1 }, 'Sign in'),
      h('p.auth-subtitle', 'Manage your tenant, its people, API keys and webhooks.'),
      message ? notice(message) : null,
      form,
    ),
  );
  find(email, 'input', HTMLInputElement).focus();
}
