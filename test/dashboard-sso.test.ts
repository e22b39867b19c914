import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import type { Page } from 'playwright-core';
import { json, type TestApp } from './helpers.js';
import { useDashboardFixture } from './support/dashboard.js';
import { startOidcProvider, type TestProvider } from './support/oidc.js';

/** The card of a tenant's SSO connections. */
const connectionsCard = (page: Page) => page.locator('section', { has: page.getByRole('heading', { name: 'Single sign-on' }) });

/** A port nothing listens on: an issuer there does not answer. */
async function deadPort() {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// Single sign-on from the dashboard: the owner connects the tenant's identity provider (a real
// OpenID provider on 127.0.0.1), and someone of its domain signs in through it in a browser of their own.
describe('dashboard in Chromium: single sign-on', () => {
  const fx = useDashboardFixture();
  const { newPage } = fx;
  let t: TestApp;
  let tenant: any;
  let op: TestProvider;
  let ownerPage: Page;
  before(async () => {
    ({ t, tenant } = fx);
    op = await startOidcProvider({
      redirectUri: `${t.baseUrl}/v1/auth/sso/callback`,
      accounts: [{ sub: 'sub-new', email: 'new@contoso.test', name: 'New Person' }],
    });
    ({ page: ownerPage } = await newPage());
    await ownerPage.goto(tenant.signInUrl);
    await ownerPage.waitForURL(`**/dashboard/tenants/${tenant.id}`);
  });
  after(async () => {
    await op?.close();
  });

  it('lets the owner connect a provider, showing the redirect URI and the field an error is about', async () => {
    const page = ownerPage;
    await page.getByRole('link', { name: 'SSO', exact: true }).click();
    const card = connectionsCard(page);
    await card.getByText('No SSO connections').waitFor();
    // Before any connection exists, the redirect URI to give the provider is already there to copy.
    expect(await page.getByLabel('Redirect URI').inputValue()).toBe(`${t.baseUrl}/v1/auth/sso/callback`);
    await page.getByRole('button', { name: 'Copy' }).waitFor();

    await card.getByRole('button', { name: 'Add connection' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add an SSO connection' });
    await dialog.getByLabel('Issuer URL').fill(`http://127.0.0.1:${await deadPort()}`);
    await dialog.getByLabel('Client ID').fill(op.clientId);
    await dialog.getByLabel('Client secret', { exact: true }).fill(op.clientSecret);
    await dialog.getByLabel('Email domains').fill('contoso.test');
    await dialog.getByRole('button', { name: 'Add connection' }).click();
    await dialog
      .locator('[data-field="issuer"] .field-error')
      .getByText(/did not answer/)
      .waitFor();
    expect(await dialog.getByLabel('Issuer URL').getAttribute('aria-invalid')).toBe('true');
    await dialog.getByRole('alert').getByText('Please correct the highlighted fields.').waitFor();

    await dialog.getByLabel('Issuer URL').fill(op.issuer);
    await dialog.getByRole('button', { name: 'Add connection' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = card.getByRole('row', { name: /contoso\.test/ });
    for (const text of [op.issuer, op.clientId, 'Member', 'Enabled']) await row.getByText(text, { exact: true }).waitFor();
    expect(await page.getByLabel('Redirect URI').inputValue()).toBe(`${t.baseUrl}/v1/auth/sso/callback`);
    const [connection] = json(await t.call('GET', `/v1/tenants/${tenant.id}/sso-connections`)).results;
    expect(connection).toMatchObject({ issuer: op.issuer, clientId: op.clientId, domains: ['contoso.test'], defaultRole: 'member', isEnabled: true });
  });

  it('offers “Continue with SSO” for an email of the domain, which signs a new person in through the provider', async () => {
    const { page } = await newPage();
    await page.goto('/dashboard/sign-in');
    await page.getByLabel('Email').fill('new@contoso.test');
    await page.getByText('Your organization signs in with single sign-on.').waitFor();
    await page.getByRole('button', { name: 'Continue with SSO' }).click();
    await page.waitForURL(`**/dashboard/tenants/${tenant.id}`);
    await page.getByRole('button', { name: 'Account: New Person' }).click();
    await page.getByRole('menu').getByText('new@contoso.test').waitFor();
    await page.getByText('You can view this tenant').waitFor();
    const users = json(await t.call('GET', `/v1/tenants/${tenant.id}/users`)).results;
    expect(users.find((u: any) => u.email === 'new@contoso.test')).toMatchObject({ name: 'New Person', role: 'member' });
  });

  it('says why a single sign-on failed, and takes the code out of the address bar', async () => {
    const { page } = await newPage();
    await page.goto('/dashboard/sign-in?sso_error=SSO_EMAIL_OTHER_TENANT');
    const alert = page.getByRole('alert');
    await alert.getByText('Single sign-on didn’t sign you in').waitFor();
    await alert.getByText('This email belongs to an account of another tenant; sign in with your password or ask your administrator.').waitFor();
    expect(page.url()).toBe(`${t.baseUrl}/dashboard/sign-in`);
  });

  it('edits a connection keeping its secret, disables it and deletes it after asking', async () => {
    const page = ownerPage;
    const card = connectionsCard(page);
    const actions = () => card.getByRole('button', { name: /^Actions for the connection of / });

    await actions().click();
    await page.getByRole('menuitem', { name: 'Edit…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit the connection of contoso.test' });
    await dialog.getByText('Leave it empty to keep the current secret.').waitFor();
    expect(await dialog.getByLabel(/^Client secret/).inputValue()).toBe('');
    await dialog.getByLabel('Email domains').fill('contoso.test, contoso-labs.test');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'detached' });
    await card.getByRole('row', { name: /contoso-labs\.test/ }).waitFor();
    const lookup = async (email: string) => json(await t.app.inject({ method: 'GET', url: `/v1/auth/sso/lookup?email=${email}` })).sso;
    expect(await lookup('ann@contoso-labs.test')).toBe(true);
    // The secret stayed as it was: signing in through the provider still works.
    const { page: again } = await newPage();
    await again.goto('/dashboard/sign-in');
    await again.getByLabel('Email').fill('new@contoso.test');
    await again.getByRole('button', { name: 'Continue with SSO' }).click();
    await again.getByRole('button', { name: 'Account: New Person' }).waitFor();

    await actions().click();
    await page.getByRole('menuitem', { name: 'Disable' }).click();
    await card
      .getByRole('row', { name: /contoso\.test/ })
      .getByText('Disabled', { exact: true })
      .waitFor();
    expect(await lookup('new@contoso.test')).toBe(false);

    await actions().click();
    await page.getByRole('menuitem', { name: 'Delete…' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete the connection of contoso-labs.test, contoso.test?' });
    await confirm.getByRole('button', { name: 'Delete connection' }).click();
    await confirm.waitFor({ state: 'detached' });
    await card.getByText('No SSO connections').waitFor();
    expect(json(await t.call('GET', `/v1/tenants/${tenant.id}/sso-connections`)).results).toEqual([]);
  });
});
