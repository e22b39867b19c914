import { api, messageOf, statusOf } from '../api.js';
import { formatDateTime, h, initials } from '../dom.js';
import { currentUser } from '../session.js';
import { copyField } from '../ui/components.js';
import { confirmDialog, openDialog, showResult } from '../ui/dialog.js';
import { toast } from '../ui/toast.js';

/** @import { SignInLink, User } from '../types.js' */

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
