import type { MailContent } from './mail.outbox.js';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A short mail with one call to action: plain text and the same as simple HTML. */
function actionMail(subject: string, lines: string[], action: { label: string; url: string }, footer: string): MailContent {
  const text = [...lines, '', `${action.label}: ${action.url}`, '', footer].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #1f2328">',
    ...lines.map((l) => `<p>${escapeHtml(l)}</p>`),
    `<p><a href="${escapeHtml(action.url)}" style="display: inline-block; padding: 10px 16px; background: #1f6feb; color: #fff; border-radius: 6px; text-decoration: none">${escapeHtml(action.label)}</a></p>`,
    `<p style="color: #59636e; font-size: 13px">${escapeHtml(footer)}</p>`,
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}

export function invitationMail(input: { tenantName: string; url: string; expiresAt: Date }): MailContent {
  return actionMail(
    `You are invited to join ${input.tenantName}`,
    [`You have been invited to join ${input.tenantName}.`, 'Open the link to choose your name and password; you will be signed in right away.'],
    { label: 'Accept the invitation', url: input.url },
    `The link works once, until ${input.expiresAt.toUTCString()}. If you did not expect this invitation, ignore this mail.`,
  );
}

export function passwordResetMail(input: { url: string; expiresAt: Date }): MailContent {
  return actionMail(
    'Reset your password',
    ['Someone asked to reset the password of this account.', 'Open the link to choose a new password; your other sessions will be signed out.'],
    { label: 'Choose a new password', url: input.url },
    `The link works once, until ${input.expiresAt.toUTCString()}. If you did not ask for this, ignore this mail: your password stays as it is.`,
  );
}

export function signInLinkMail(input: { name: string; url: string; expiresAt: Date }): MailContent {
  return actionMail(
    'Your sign-in link',
    [`Hello ${input.name},`, 'Here is a link that signs you in to the dashboard.'],
    { label: 'Sign in', url: input.url },
    `The link works once, until ${input.expiresAt.toUTCString()}. If you did not expect it, ignore this mail.`,
  );
}
