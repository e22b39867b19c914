import { api, messageOf, statusOf } from '../api.js';
import { formatDateTime, h, initials } from '../dom.js';
import { currentUser } from '../session.js';
import { copyField } from '../ui/components.js';
import { confirmDialog, openDialog, showResult } from '../ui/dialog.js';
import { toast } from '../ui/toast.js';
import { field, FormProblem, fieldValue } from '../ui/form.js';

/** @import { SignInLink, User } from '../types.js' */
/** @import { Child } from '../app-types.js' */

/**
 * What a new sign-in link looks like: the link to copy, or where it was mailed.
 * @param {User} user
 * @param {SignInLink} link
 */
export function linkResult(user, link) {
  if (!link.url)
    return h(
      'div.result',
      h('p', `A sign-in link was mailed to ${link.sentTo ?? user.email}. It signs them in once and expires at ${formatDateTime(link.expiresAt)}.`),
    );
  return h(
    'div.result',
    copyField({
      label: `Sign-in link for ${user.name}`,
      value: link.url,
      name: 'signInUrl',
      hint: `Send it to ${user.email}. It signs them in once and expires at ${formatDateTime(link.expiresAt)}.`,
    }),
  );
}

/**
 * A person in a table: initials, name (marked when it is the signed-in person) and email.
 * @param {User} user
 */
export function personCell(user) {
  return h(
    'div.person',
    h('span.avatar', { 'aria-hidden': 'true' }, initials(user.name)),
    h('div.cell-main', h('span.cell-strong', user.name, user.id === currentUser().id ? h('span.you', ' (you)') : null), h('span.cell-sub', user.email)),
  );
}

/**
 * The fields of a new account: name and email, then `middle` (its role), then an optional password.
 * @param {Child[]} middle
 * @param {string} passwordHint What an empty password means.
 */
export function newAccountFields(middle, passwordHint) {
  return [
    field({ label: 'Name', name: 'name', required: true, maxlength: 200, autofocus: true }),
    field({ label: 'Email', name: 'email', type: 'email', required: true, spellcheck: false }),
    ...middle,
    field({
      label: 'Password',
      name: 'password',
      type: 'password',
      optional: true,
      autocomplete: 'new-password',
      hint: `${passwordHint} At least 8 characters with upper and lower case letters and a digit.`,
    }),
  ];
}

/**
 * Creates the account a form of `newAccountFields` describes, at `base` (with `extra`: its role and
 * custom roles), and says so: a toast when a password was set, else the one-time sign-in link.
 * @param {HTMLFormElement} form
 * @param {{ base: string, extra: Record<string, unknown>, roleName: (user: User) => string, reload: () => Promise<void> }} options
 * @returns {Promise<true | HTMLElement>} What the dialog shows next (true: it closes).
 */
export async function createAccount(form, { base, extra, roleName, reload }) {
  /** @type {Record<string, unknown> & { name: string, email: string }} */
  const input = { name: fieldValue(form, 'name').trim(), email: fieldValue(form, 'email').trim(), ...extra };
  const password = fieldValue(form, 'password');
  if (password) input.password = password;
  const missing = /** @type {const} */ (['name', 'email'])
    .filter((k) => !input[k])
    .map((f) => ({ field: f, message: 'is required' }));
  if (missing.length) throw new FormProblem('Please fill in the required fields.', missing);
  /** @type {User} */
  const user = await api.post(base, input);
  await reload();
  if (password) {
    toast(`${user.name} was added`);
    return true;
  }
  /** @type {SignInLink} */
  const link = await api.post(`${base}/${encodeURIComponent(user.id)}/sign-in-links`);
  return h('div', h('p.result-lead', `${user.name} was added as ${roleName(user)}.`), linkResult(user, link));
}

/** @param {unknown} error */
export const reportError = (error) => statusOf(error) !== 401 && toast(messageOf(error), { kind: 'error' });

/**
 * The menu items every account has, a tenant's users as an organization's administrators: a
 * one-time sign-in link, deactivating or reactivating it, and removing it (never one's own).
 * @param {User} user
 * @param {{ path: string, reload: () => Promise<void> }} options `path`: the user's API path.
 */
export function accountItems(user, { path, reload }) {
  const self = user.id === currentUser().id;

  async function sendLink() {
    const d = openDialog({ title: 'Sign-in link', description: `A one-time link that signs ${user.name} in to this dashboard.` });
    try {
      /** @type {SignInLink} */
      const link = await api.post(`${path}/sign-in-links`);
      showResult(d, linkResult(user, link));
    } catch (error) {
      d.close();
      reportError(error);
    }
  }

  async function reactivate() {
    try {
      await api.patch(path, { isActive: true });
      toast(`${user.name} can sign in again`);
      await reload();
    } catch (error) {
      reportError(error);
    }
  }

  return {
    link: user.isActive && { label: 'Create sign-in link', onSelect: sendLink },
    status:
      !self &&
      (user.isActive
        ? {
            label: 'Deactivate…',
            onSelect: () =>
              confirmDialog({
                title: `Deactivate ${user.name}?`,
                message: 'They are signed out at once and cannot sign in until you reactivate them.',
                confirmLabel: 'Deactivate',
                danger: true,
                onConfirm: async () => {
                  await api.patch(path, { isActive: false });
                  toast(`${user.name} is deactivated`);
                  await reload();
                },
              }),
          }
        : { label: 'Reactivate', onSelect: reactivate }),
    remove: !self && {
      label: 'Remove…',
      danger: true,
      onSelect: () =>
        confirmDialog({
          title: `Remove ${user.name}?`,
          message: `${user.email} loses access at once and the account is deleted. This cannot be undone.`,
          confirmLabel: 'Remove user',
          danger: true,
          onConfirm: async () => {
            await api.del(path);
            toast(`${user.name} was removed`);
            await reload();
          },
        }),
    },
  };
}
