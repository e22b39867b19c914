import { before, describe, it } from 'node:test';
import { expect } from 'expect';
import type { Page } from 'playwright-core';
import { json, type TestApp } from './helpers.js';
import { PASSWORD, screenshot, useDashboardFixture } from './support/dashboard.js';

// The dashboard's sign-in and sessions, a member's read-only view, and what admins and superadmins do.
describe('dashboard in Chromium: sign-in and administration', () => {
  const fx = useDashboardFixture();
  const { newPage, signInWithPassword } = fx;
  let t: TestApp;
  let tenant: any;
  let other: any;
  /** The owner's dashboard, open in the background (the admin's suspension signs it out). */
  let ownerPage: Page;
  before(async () => {
    ({ t, tenant, other } = fx);
    // The name and email the owner's edits give Contoso in dashboard-tenant-owner.test.ts; the tenant list and its toasts show them.
    const patched = await t.call('PATCH', `/v1/tenants/${tenant.id}`, { body: { displayName: 'Contoso', email: 'team@contoso.example' } });
    expect(patched.statusCode).toBe(200);
    const link = json(await t.call('POST', `/v1/tenants/${tenant.id}/users/${tenant.owner.id}/sign-in-links`));
    ({ page: ownerPage } = await newPage());
    await ownerPage.goto(link.url);
    await ownerPage.getByLabel('Display name').waitFor();
  });

  it('refuses a wrong password with a clear error', async () => {
    await t.call('POST', `/v1/tenants/${tenant.id}/users`, { body: { name: 'Grace Hopper', email: 'grace@contoso.example', password: PASSWORD } });
    const { page } = await newPage();
    await page.goto('/dashboard/sign-in');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await screenshot(page, 'sign-in');
    await page.getByLabel('Email').fill('grace@contoso.example');
    await page.getByLabel('Password', { exact: true }).fill('Wrong-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('The email or password is not correct').waitFor();
    expect(page.url()).toContain('/dashboard/sign-in');
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`**/dashboard/tenants/${tenant.id}`);
    // Grace is a member: she reads the profile and can change nothing.
    await page.getByText('You can view this tenant').waitFor();
    expect(await page.getByLabel('Display name').isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Save changes' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'API keys' }).count()).toBe(0);
  });

  it('lets an admin search, page and suspend tenants; the suspended owner is signed out', async () => {
    const organizationId = tenant.organizationId;
    await t.call('POST', `/v1/organizations/${organizationId}/users`, {
      body: { name: 'Alex Admin', email: 'alex@platform.example', role: 'admin', password: PASSWORD },
    });
    const names = [
      'Fabrikam Inc',
      'Adventure Works',
      'Tailspin Toys',
      'Wide World Importers',
      'Litware',
      'Proseware',
      'Lucerne Publishing',
      'Margie’s Travel',
      'Alpine Ski House',
      'Coho Winery',
      'Woodgrove Bank',
      'Humongous Insurance',
      'Blue Yonder Airlines',
      'Trey Research',
      'Graphic Design Institute',
      'School of Fine Art',
      'Consolidated Messenger',
      'VanArsdel',
      'Relecloud',
      'Southridge Video',
      'Fourth Coffee',
      'Datum Corporation',
    ];
    const batch = await t.call('POST', '/v1/tenants/batch', {
      body: { items: names.map((name, i) => ({ name, email: `hello@${name.toLowerCase().replace(/[^a-z]+/g, '')}.example`, isActive: i % 7 !== 3 })) },
    });
    expect(batch.statusCode).toBe(200);

    const { page } = await newPage();
    await signInWithPassword(page, 'alex@platform.example');
    await page.waitForURL('**/dashboard/tenants');
    await page.getByText('24 tenants').waitFor();
    await page.getByText('1–20 of 24').waitFor();
    await screenshot(page, 'tenant-list');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('21–24 of 24').waitFor();
    await page.getByRole('button', { name: 'Previous' }).click();
    await page.getByText('1–20 of 24').waitFor();

    await page.getByLabel('Status').selectOption('suspended');
    await page.getByText('3 tenants match').waitFor();
    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Search tenants').pressSequentially('contoso', { delay: 30 });
    await page.getByText('1 tenant match').waitFor();
    expect(new URL(page.url()).searchParams.get('search')).toBe('contoso');
    const row = page.getByRole('row', { name: /Contoso/ });
    await row.getByRole('button', { name: /Actions for/ }).click();
    await page.getByRole('menuitem', { name: 'Suspend…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Suspend tenant' }).click();
    await row.getByText('Suspended').waitFor();

    // The owner's open dashboard: the next thing they do lands on sign-in, with the reason.
    await ownerPage.getByRole('link', { name: 'My tenant' }).click();
    await ownerPage.waitForURL('**/dashboard/sign-in**');
    await ownerPage.getByText('You have been signed out').waitFor();
    await ownerPage.getByText(/deactivated/).waitFor();

    // A new tenant with its owner: the owner's one-time link is shown to copy.
    await page.getByRole('button', { name: 'New tenant' }).click();
    const create = page.getByRole('dialog', { name: 'New tenant' });
    await create.getByLabel('Name', { exact: true }).fill('Globex Retail');
    await create.getByLabel('Owner name').fill('Hank Scorpio');
    await create.getByLabel('Owner email').fill('hank@globex.example');
    await create.getByRole('button', { name: 'Create tenant' }).click();
    expect(await create.getByLabel('Sign-in link for Hank Scorpio').inputValue()).toContain('/dashboard/sign-in?token=');
    await create.getByRole('button', { name: 'Open tenant' }).click();
    await page.getByRole('heading', { level: 1, name: 'Globex Retail' }).waitFor();
    await page.getByRole('link', { name: 'Audit log' }).first().click();
    await page.getByText('tenant.create').first().waitFor();
    await page.goBack();
    await page.goBack();

    // Reactivated from the tenant's page, its owner can sign in again.
    await row.getByRole('link', { name: 'Contoso' }).click();
    await page.getByRole('button', { name: 'Reactivate' }).first().click();
    await page.getByText('Contoso is active again').waitFor();
    await page.getByText('This tenant is suspended').waitFor({ state: 'detached' });
  });

  it('lets a superadmin list and create organizations, and delete a tenant with its users', async () => {
    await t.call('POST', `/v1/organizations/${tenant.organizationId}/users`, {
      body: { name: 'Sam Super', email: 'sam@platform.example', role: 'superadmin', password: PASSWORD },
    });
    const { page } = await newPage();
    await signInWithPassword(page, 'sam@platform.example');
    await page.waitForURL('**/dashboard/tenants');
    await page.getByRole('link', { name: 'Organizations' }).click();
    await page.getByRole('button', { name: 'New organization' }).click();
    const dialog = page.getByRole('dialog', { name: 'New organization' });
    await dialog.getByLabel('Name').fill('Globex Corporation');
    await dialog.getByRole('button', { name: 'Create organization' }).click();
    await page.getByRole('row', { name: /Globex Corporation/ }).waitFor();

    // Protected from deletion first: the button waits until protection is turned off.
    expect((await t.call('PATCH', `/v1/tenants/${other.id}`, { body: { deletionProtection: true } })).statusCode).toBe(200);
    await page.goto(`/dashboard/tenants/${other.id}`);
    await page.getByText('Deletion protection is on').waitFor();
    expect(await page.getByRole('button', { name: 'Delete tenant' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Turn off protection' }).click();
    await page.getByText('Deletion protection is off').waitFor();
    expect(json(await t.call('GET', `/v1/tenants/${other.id}`)).deletionProtection).toBe(false);
    await page.getByRole('button', { name: 'Delete tenant' }).click();
    const confirm = page.getByRole('dialog', { name: /Delete Northwind/ });
    await confirm.getByText('still has 1 user').waitFor();
    const submit = confirm.getByRole('button', { name: 'Delete tenant' });
    expect(await submit.isDisabled()).toBe(true);
    await confirm.getByLabel('Also delete its 1 user').check();
    await submit.click();
    await page.waitForURL('**/dashboard/tenants');
    // The deletion is confirmed on the list it leads to; the toast about protection stays behind with the tenant's page.
    await page.locator('.toast').getByText('Northwind Traders was deleted').waitFor();
    expect(await page.locator('.toast').allTextContents()).toEqual([expect.stringContaining('Northwind Traders was deleted')]);
    expect((await t.call('GET', `/v1/tenants/${other.id}`)).statusCode).toBe(404);
  });

  it('signs out, and sends an expired session back to sign-in, then back to where it was', async () => {
    const link = () => t.call('POST', `/v1/tenants/${tenant.id}/users/${tenant.owner.id}/sign-in-links`).then((r) => json(r).url);
    const { page } = await newPage();
    await page.goto(await link());
    await page.getByRole('button', { name: /Account/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.getByText('You have signed out').waitFor();
    await page.goto(`/dashboard/tenants/${tenant.id}/users`);
    await page.waitForURL(/\/dashboard\/sign-in\?next=/);

    await page.goto(await link());
    // Once the overview has loaded all it shows (its child tenants too), so that the click is what meets the expired session.
    await page.getByLabel('Display name').waitFor();
    await page.locator('.loading').first().waitFor({ state: 'detached' });
    await t.deps.database.db
      .updateTable('sessions')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .execute();
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.waitForURL('**/dashboard/sign-in?next=*');
    await page.getByText('You have been signed out').waitFor();
    await t.call('POST', `/v1/tenants/${tenant.id}/users`, { body: { name: 'Back Again', email: 'back@contoso.example', password: PASSWORD } });
    await page.getByLabel('Email').fill('back@contoso.example');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`**/dashboard/tenants/${tenant.id}/api-keys`);
  });
});
