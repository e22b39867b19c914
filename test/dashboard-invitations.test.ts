import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import type { Page } from 'playwright-core';
import { json, type TestApp } from './helpers.js';
import { PASSWORD, PHONE, useDashboardFixture } from './support/dashboard.js';
import { mailQueuedFor, sendQueuedMails } from './support/mail.js';
import { startSmtp } from './support/smtp.js';

const COLLEAGUE = 'colleague@contoso.example';

/** The card of the pending invitations on a tenant's Users page. */
const invitationsCard = (page: Page) => page.locator('section', { has: page.getByRole('heading', { name: 'Pending invitations' }) });

/** Sends an invitation from the Users page and answers the link the dialog shows (no mail is sent). */
async function invite(page: Page, email: string, days?: string) {
  await invitationsCard(page).getByRole('button', { name: 'Invite', exact: true }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Invite someone' });
  await dialog.getByLabel('Email').fill(email);
  if (days) await dialog.getByLabel('Expires in (days)').fill(days);
  await dialog.getByRole('button', { name: 'Send invitation' }).click();
  const link = dialog.getByLabel(`Invitation link for ${email}`);
  await link.waitFor();
  const url = await link.inputValue();
  await dialog.getByRole('button', { name: 'Done' }).click();
  await dialog.waitFor({ state: 'detached' });
  return url;
}

/** Fills the accept page of an invitation link and submits it. */
async function accept(page: Page, name: string, password: string) {
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Accept and sign in' }).click();
}

// Invitations without mail: the owner hands the link over, the invited person accepts it in a
// browser of their own.
describe('dashboard in Chromium: invitations', () => {
  const fx = useDashboardFixture();
  const { newPage } = fx;
  let t: TestApp;
  let tenant: any;
  let ownerPage: Page;
  before(async () => {
    ({ t, tenant } = fx);
    ({ page: ownerPage } = await newPage());
    await ownerPage.goto(tenant.signInUrl);
    await ownerPage.waitForURL(`**/dashboard/tenants/${tenant.id}`);
  });

  it('serves the shell for the invitation and password reset pages', async () => {
    const shell = await t.app.inject({ method: 'GET', url: '/dashboard/sign-in' });
    for (const path of ['/dashboard/accept-invitation?token=abc', '/dashboard/forgot-password', '/dashboard/reset-password?token=abc']) {
      const res = await t.app.inject({ method: 'GET', url: path });
      expect([path, res.statusCode, res.headers['referrer-policy'], res.body]).toEqual([path, 200, 'no-referrer', shell.body]);
    }
  });

  it('invites a colleague whose link, opened in another browser, signs them in as a member, once', async () => {
    const page = ownerPage;
    await page.getByRole('link', { name: 'Users' }).click();
    const card = invitationsCard(page);
    await card.getByText('No pending invitations').waitFor();

    const url = await invite(page, COLLEAGUE, '3');
    expect(url).toMatch(new RegExp(`^${t.baseUrl}/dashboard/accept-invitation\\?token=`));
    const row = card.getByRole('row', { name: new RegExp(COLLEAGUE) });
    await row.getByText('Member').waitFor();
    await row.getByText('in 3 days').waitFor();

    // Conflicts are shown next to the email: an invitation is pending, or a user has the address.
    await card.getByRole('button', { name: 'Invite', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Invite someone' });
    for (const [email, message] of [
      [COLLEAGUE, /pending invitation/],
      ['rene@contoso.example', /already exists/],
    ] as const) {
      await dialog.getByLabel('Email').fill(email);
      await dialog.getByRole('button', { name: 'Send invitation' }).click();
      const error = dialog.locator('[data-field="email"] .field-error');
      await error.getByText(message).waitFor();
      expect(await dialog.getByLabel('Email').getAttribute('aria-invalid')).toBe('true');
    }
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    // The colleague, in a browser of their own: the token leaves the address bar at once.
    const { page: colleague } = await newPage(PHONE);
    await colleague.goto(url);
    await colleague.getByRole('heading', { name: 'Accept your invitation' }).waitFor();
    expect(colleague.url()).toBe(`${t.baseUrl}/dashboard/accept-invitation`);
    await colleague.getByText('8 to 128 characters').waitFor();
    await accept(colleague, 'Colin League', 'short');
    await colleague
      .locator('[data-field="password"] .field-error')
      .getByText(/8-128 characters/)
      .waitFor();
    expect(await colleague.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await accept(colleague, 'Colin League', PASSWORD);
    await colleague.waitForURL(`**/dashboard/tenants/${tenant.id}`);
    await colleague.getByRole('button', { name: 'Account: Colin League' }).waitFor();
    await colleague.getByText('You can view this tenant').waitFor();
    const users = json(await t.call('GET', `/v1/tenants/${tenant.id}/users`)).results;
    expect(users.find((u: any) => u.email === COLLEAGUE)).toMatchObject({ name: 'Colin League', role: 'member', isActive: true });

    // The link worked once: opened again, it says so and how to go on.
    const { page: again } = await newPage();
    await again.goto(url);
    await accept(again, 'Someone Else', PASSWORD);
    await again.getByText('This invitation link can’t be used').waitFor();
    await again.getByText('This invitation link is used, revoked or expired — ask for a new one').waitFor();
    await again.getByRole('link', { name: 'Sign in' }).waitFor();

    // For the owner, the accepted invitation is no longer pending.
    await page.reload();
    await invitationsCard(page).getByText('No pending invitations').waitFor();
    await page.getByRole('cell', { name: /Colin League/ }).waitFor();
  });

  it('resends an invitation with a new link, and revokes one', async () => {
    const page = ownerPage;
    const card = invitationsCard(page);
    const first = await invite(page, 'temp@contoso.example');
    await invite(page, 'intern@contoso.example');
    const row = card.getByRole('row', { name: /temp@contoso\.example/ });
    await row.getByText('in 7 days').waitFor();

    await row.getByRole('button', { name: 'Actions for the invitation of temp@contoso.example' }).click();
    await page.getByRole('menuitem', { name: 'Resend' }).click();
    const resent = page.getByRole('dialog', { name: 'Invitation resent' });
    const second = await resent.getByLabel('Invitation link for temp@contoso.example').inputValue();
    expect(second).toMatch(/\/dashboard\/accept-invitation\?token=/);
    expect(second).not.toBe(first);
    await resent.getByRole('button', { name: 'Done' }).click();
    const token = (link: string) => new URL(link).searchParams.get('token');
    const tryAccept = (link: string) =>
      t.app.inject({ method: 'POST', url: '/v1/auth/invitations/accept', payload: { token: token(link), name: 'Temp', password: PASSWORD } });
    expect(json(await tryAccept(first)).code).toBe('TOKEN_EXPIRED');

    await row.getByRole('button', { name: 'Actions for the invitation of temp@contoso.example' }).click();
    await page.getByRole('menuitem', { name: 'Revoke…' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke the invitation for temp@contoso.example?' });
    await confirm.getByRole('button', { name: 'Revoke invitation' }).click();
    await confirm.waitFor({ state: 'detached' });
    await row.waitFor({ state: 'detached' });
    await card.getByRole('row', { name: /intern@contoso\.example/ }).waitFor();
    expect((await tryAccept(second)).statusCode).toBe(410);
    const pending = json(await t.call('GET', `/v1/tenants/${tenant.id}/invitations?status=pending`)).results;
    expect(pending.map((i: any) => i.email)).toEqual(['intern@contoso.example']);

    // A pending invitation holds a seat: with two users and one invitation, a limit of 3 is reached.
    expect((await t.call('PATCH', `/v1/tenants/${tenant.id}`, { body: { limits: { users: 3 } } })).statusCode).toBe(200);
    await card.getByRole('button', { name: 'Invite', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Invite someone' });
    await dialog.getByLabel('Email').fill('extra@contoso.example');
    await dialog.getByRole('button', { name: 'Send invitation' }).click();
    await dialog.getByRole('alert').getByText('This tenant has reached a limit of its plan').waitFor();
    await dialog
      .getByRole('alert')
      .getByText(/allow 3 users \(pending invitations included\) and it has 3/)
      .waitFor();
  });
});

// Password reset with mail: a real SMTP server in this process receives the link.
describe('dashboard in Chromium: password reset by mail', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  before(async () => {
    smtp = await startSmtp();
  });
  const fx = useDashboardFixture({ env: () => ({ LANDLORD_SMTP_URL: smtp.url }) });
  after(async () => {
    await smtp?.close();
  });
  const NEW_PASSWORD = 'Fresh-Start-2024';
  const EMAIL = 'grace@contoso.example';

  it('mails a link from “Forgot password?” that sets a new password and signs in; the old one stops working', async () => {
    const { t, tenant, newPage, signInWithPassword } = fx;
    const created = await t.call('POST', `/v1/tenants/${tenant.id}/users`, { body: { name: 'Grace Hopper', email: EMAIL, password: PASSWORD } });
    expect(created.statusCode).toBe(201);

    const { page } = await newPage();
    await page.goto('/dashboard/sign-in');
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.getByRole('heading', { name: 'Forgot your password?' }).waitFor();
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByText(`If an account exists for ${EMAIL}, we sent a link`).waitFor();

    await mailQueuedFor(t, EMAIL);
    await sendQueuedMails(t, smtp.url);
    const mail = smtp.received.find((m) => m.to && !Array.isArray(m.to) && m.to.text === EMAIL);
    expect(mail?.subject).toBe('Reset your password');
    const link = /https?:\/\/\S+\/dashboard\/reset-password\?token=[\w-]+/.exec(mail?.text ?? '')?.[0];
    expect(link?.startsWith(t.baseUrl)).toBe(true);

    await page.goto(link!);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    expect(page.url()).toBe(`${t.baseUrl}/dashboard/reset-password`);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Confirm new password', { exact: true }).fill('Something-else-1');
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await page.locator('[data-field="confirm"] .field-error').getByText('Type the same password again').waitFor();
    await page.getByLabel('Confirm new password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await page.waitForURL(`**/dashboard/tenants/${tenant.id}`);
    await page.getByRole('button', { name: 'Account: Grace Hopper' }).waitFor();

    // The old password no longer signs in; the new one does.
    const { page: other } = await newPage();
    await signInWithPassword(other, EMAIL);
    await other.getByRole('alert').getByText('The email or password is not correct').waitFor();
    await other.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
    await other.getByRole('button', { name: 'Sign in' }).click();
    await other.waitForURL(`**/dashboard/tenants/${tenant.id}`);

    // The link worked once: opened again, it points back to “Forgot password?”.
    await other.goto(link!);
    await other.getByLabel('New password', { exact: true }).fill('Another-Start-2025');
    await other.getByLabel('Confirm new password', { exact: true }).fill('Another-Start-2025');
    await other.getByRole('button', { name: 'Set password and sign in' }).click();
    await other.getByText('This reset link can’t be used').waitFor();
    await other.getByRole('link', { name: 'Forgot password?' }).click();
    await other.getByRole('heading', { name: 'Forgot your password?' }).waitFor();
  });
});
