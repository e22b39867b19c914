import { before, describe, it } from 'node:test';
import { expect } from 'expect';
import type { Page } from 'playwright-core';
import { json, type TestApp } from './helpers.js';
import { PASSWORD, PHONE, useDashboardFixture } from './support/dashboard.js';

/** A date as the dashboard shows it in the test browser (en-US, UTC). */
const shownDate = (iso: string) => new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(iso));

// What administrators and owners do with a tenant's lifecycle, its place in the tree and its plan,
// in the dashboard: deleted tenants restored, child tenants, suspension with a reason, plans and quotas.
describe('dashboard in Chromium: tenant lifecycle, hierarchy and plans', () => {
  const fx = useDashboardFixture();
  const { newPage, signInWithPassword } = fx;
  let t: TestApp;
  let tenant: any;
  let other: any;

  before(async () => {
    ({ t, tenant, other } = fx);
    const admin = await t.call('POST', `/v1/organizations/${tenant.organizationId}/users`, {
      body: { name: 'Alex Admin', email: 'alex@platform.example', role: 'admin', password: PASSWORD },
    });
    expect(admin.statusCode).toBe(201);
  });

  const signInAsAdmin = async (viewport?: { width: number; height: number }) => {
    const { page } = await newPage(viewport);
    await signInWithPassword(page, 'alex@platform.example');
    await page.waitForURL('**/dashboard/tenants');
    return page;
  };

  const signInAsOwnerOf = async (target: any) => {
    const link = json(await t.call('POST', `/v1/tenants/${target.id}/users/${target.owner.id}/sign-in-links`));
    const { page } = await newPage();
    await page.goto(link.url);
    await page.waitForURL(`**/dashboard/tenants/${target.id}`);
    return page;
  };

  /** Waits until the combobox shows `value` (its label is filled in once the API answers). */
  const valueShown = (page: Page, label: string, value: string) =>
    page.waitForFunction(
      ([label, value]) =>
        [...document.querySelectorAll('[role=combobox]')].some(
          (el) => (el as HTMLInputElement).labels?.[0]?.textContent?.startsWith(label) && (el as HTMLInputElement).value === value,
        ),
      [label, value],
    );

  const openActions = async (page: Page, name: string) => {
    await page
      .getByRole('row', { name: new RegExp(name) })
      .getByRole('button', { name: `Actions for ${name}` })
      .click();
  };

  it('restores a deleted tenant from Recently deleted, with its purge date, and its owner and key work again', async () => {
    const created = json(
      await t.call('POST', '/v1/tenants', {
        body: { name: 'Fabrikam Inc', owner: { name: 'Fiona Fabrikam', email: 'fiona@fabrikam.example', password: PASSWORD }, apiKey: { name: 'Backend' } },
      }),
    );
    const key = created.apiKey.secret;
    expect((await t.call('GET', `/v1/tenants/${created.id}`, { key })).statusCode).toBe(200);

    const page = await signInAsAdmin();
    await openActions(page, 'Fabrikam Inc');
    await page.getByRole('menuitem', { name: 'Delete…' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete Fabrikam Inc?' });
    await confirm.getByLabel('Also delete its 1 user').check();
    await confirm.getByRole('button', { name: 'Delete tenant' }).click();
    await page.getByRole('row', { name: /Fabrikam Inc/ }).waitFor({ state: 'detached' });

    // Deleted: its key stops at once, and it is listed with the date it will be purged on.
    expect((await t.call('GET', `/v1/tenants/${created.id}`, { key })).statusCode).toBe(401);
    const deleted = json(await t.call('GET', '/v1/tenants?status=pending_deletion')).results.find((x: any) => x.id === created.id);
    expect(deleted.purgeAt).toBeTruthy();
    const purgeDate = shownDate(deleted.purgeAt);
    await page.getByText(`it can be restored under Recently deleted until ${purgeDate}`).waitFor();

    await page.getByRole('link', { name: 'Recently deleted' }).click();
    await page.waitForURL('**/dashboard/tenants/deleted');
    const row = page.getByRole('row', { name: /Fabrikam Inc/ });
    await row.getByText(`Purged on ${purgeDate}`).waitFor();
    await row.getByRole('button', { name: 'Restore Fabrikam Inc' }).click();
    await page.getByText('Fabrikam Inc was restored').waitFor();
    await row.waitFor({ state: 'detached' });

    await page.getByRole('link', { name: 'All tenants' }).click();
    await page
      .getByRole('row', { name: /Fabrikam Inc/ })
      .getByText('Active')
      .waitFor();
    expect((await t.call('GET', `/v1/tenants/${created.id}`, { key })).statusCode).toBe(200);
    const login = await t.call('POST', '/v1/auth/login', { key: null, body: { email: 'fiona@fabrikam.example', password: PASSWORD } });
    expect(login.statusCode).toBe(200);
  });

  it('creates a child tenant with the parent picker, shows it under its parent, and lets the parent’s owner manage it', async () => {
    const page = await signInAsAdmin();
    await page.getByRole('button', { name: 'New tenant' }).click();
    const create = page.getByRole('dialog', { name: 'New tenant' });
    await create.getByLabel('Name', { exact: true }).fill('Contoso Labs');
    // The picker works from the keyboard: the search's results, arrows to the second, Enter picks it.
    const picker = create.getByRole('combobox', { name: 'Parent tenant' });
    await picker.fill('Contoso');
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[role=option]')]
        .map((o) => o.textContent)
        .join('|')
        .match(/^No parent.*\|Contoso Ltd[^|]*$/),
    );
    await picker.press('ArrowDown');
    await picker.press('ArrowDown');
    expect(await create.getByRole('option', { selected: true }).textContent()).toContain('Contoso Ltd');
    await picker.press('Enter');
    expect(await picker.inputValue()).toBe('Contoso Ltd');
    expect(await picker.getAttribute('aria-expanded')).toBe('false');
    // Escape closes the list, not the dialog, and leaves the choice as it was.
    await picker.fill('North');
    await create.getByRole('option', { name: /Northwind/ }).waitFor();
    await picker.press('Escape');
    await create.getByRole('listbox').waitFor({ state: 'hidden' });
    expect(await create.isVisible()).toBe(true);
    expect(await picker.inputValue()).toBe('Contoso Ltd');
    await create.getByRole('button', { name: 'Create tenant' }).click();

    // The child's page names its ancestors, and confirms the create.
    await page.getByRole('heading', { level: 1, name: 'Contoso Labs' }).waitFor();
    await page.locator('.toast').getByText('Contoso Labs was created').waitFor();
    const breadcrumb = page.getByRole('navigation', { name: 'Breadcrumb' });
    await breadcrumb.getByRole('link', { name: 'Contoso Ltd' }).waitFor();
    const child = json(await t.call('GET', '/v1/tenants?search=contoso-labs')).results[0];
    expect([child.parentId, child.depth, child.ancestorIds]).toEqual([tenant.id, 1, [tenant.id]]);
    await valueShown(page, 'Parent tenant', 'Contoso Ltd');

    // In the list the child says whose it is, and expanding its parent shows it indented right under it.
    await page.getByRole('link', { name: 'Tenants', exact: true }).first().click();
    await page
      .getByRole('row', { name: /Contoso Labs/ })
      .first()
      .getByText('in Contoso Ltd')
      .waitFor();
    const parentRow = page.locator(`tr[data-id="${tenant.id}"]`);
    const toggle = parentRow.getByRole('button', { name: 'Child tenants of Contoso Ltd' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await toggle.click();
    const childRow = page.locator(`tr[data-parent-id="${tenant.id}"][data-id="${child.id}"]`);
    await childRow.getByRole('link', { name: 'Contoso Labs' }).waitFor();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    expect(await parentRow.evaluate((row) => (row.nextElementSibling as HTMLElement).dataset.id)).toBe(child.id);
    const indent = await childRow.evaluate((row) => Number.parseFloat(getComputedStyle(row.children[0]).paddingLeft));
    const parentIndent = await parentRow.evaluate((row) => Number.parseFloat(getComputedStyle(row.children[0]).paddingLeft));
    expect(indent).toBeGreaterThan(parentIndent);
    // The child has no children of its own: expanding it says so.
    await childRow.getByRole('button', { name: 'Child tenants of Contoso Labs' }).click();
    await page.getByText('Contoso Labs has no child tenants').waitFor();
    await toggle.click();
    await childRow.waitFor({ state: 'detached' });
    await page.getByText('Contoso Labs has no child tenants').waitFor({ state: 'detached' });

    // A cycle is refused by the API, next to the field.
    await parentRow.getByRole('link', { name: 'Contoso Ltd' }).click();
    await page.getByRole('heading', { level: 1, name: 'Contoso Ltd' }).waitFor();
    const profile = page.locator('form', { has: page.getByRole('heading', { name: 'Profile' }) });
    await profile.getByRole('combobox', { name: 'Parent tenant' }).fill('Contoso Labs');
    await profile.getByRole('option', { name: /Contoso Labs/ }).click();
    await profile.getByRole('button', { name: 'Save changes' }).click();
    const parentError = profile.locator('[data-field="parentId"] .field-error');
    await parentError.waitFor();
    expect(await parentError.textContent()).toMatch(/descendants/);
    expect(json(await t.call('GET', `/v1/tenants/${tenant.id}`)).parentId).toBe(null);

    // The parent's owner sees the child on their tenant's page and opens it; its breadcrumb starts at their tenant.
    const owner = await signInAsOwnerOf(tenant);
    const children = owner.locator('section', { has: owner.getByRole('heading', { name: 'Child tenants' }) });
    await children.getByRole('link', { name: 'Contoso Labs' }).click();
    await owner.getByRole('heading', { level: 1, name: 'Contoso Labs' }).waitFor();
    await owner.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Contoso Ltd' }).waitFor();
    expect(await owner.getByRole('combobox', { name: 'Parent tenant' }).count()).toBe(0);
  });

  it('suspends a tenant with a reason shown in the list and on its page, and reactivation clears it', async () => {
    const reason = 'Invoice 2024-117 is overdue';
    const page = await signInAsAdmin();
    await openActions(page, 'Northwind Traders');
    await page.getByRole('menuitem', { name: 'Suspend…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Suspend Northwind Traders?' });
    await dialog.getByLabel('Reason').fill(reason);
    await dialog.getByRole('button', { name: 'Suspend tenant' }).click();
    const row = page.getByRole('row', { name: /Northwind Traders/ });
    await row.getByText('Suspended').waitFor();
    await row.getByText(reason).waitFor();
    expect(json(await t.call('GET', `/v1/tenants/${other.id}`))).toMatchObject({ status: 'suspended', isActive: false, suspendedReason: reason });

    // The status filter asks for `status`, and an older `isActive=false` link still means suspended.
    await page.getByLabel('Status').selectOption({ label: 'Suspended' });
    await page.getByText('1 tenant match').waitFor();
    expect(new URL(page.url()).searchParams.get('status')).toBe('suspended');
    await row.waitFor();
    expect(await page.getByRole('row', { name: /Contoso Ltd/ }).count()).toBe(0);
    await page.goto('/dashboard/tenants?isActive=false');
    expect(await page.getByLabel('Status').inputValue()).toBe('suspended');
    await page.getByRole('row', { name: /Northwind Traders/ }).waitFor();

    await page.getByRole('link', { name: 'Northwind Traders' }).click();
    const banner = page.getByRole('status').filter({ hasText: 'This tenant is suspended' });
    await banner.getByText(`Reason: ${reason}`).waitFor();
    await banner.getByRole('button', { name: 'Reactivate' }).click();
    await page.getByText('Northwind Traders is active again').waitFor();
    await page.getByText('This tenant is suspended').waitFor({ state: 'detached' });
    await page.locator('.page-header').getByText('Active', { exact: true }).waitFor();
    expect(json(await t.call('GET', `/v1/tenants/${other.id}`))).toMatchObject({ status: 'active', suspendedReason: null });
  });

  it('creates a plan, puts a tenant on it, shows the owner the entitlements read-only, and explains the quota', async () => {
    const page = await signInAsAdmin();
    await page.getByRole('link', { name: 'Plans' }).click();
    await page.getByText('No plans yet').waitFor();
    await page.getByRole('button', { name: 'New plan' }).click();
    const create = page.getByRole('dialog', { name: 'New plan' });
    await create.getByLabel('Key', { exact: true }).fill('pro');
    await create.getByLabel('Name', { exact: true }).fill('Pro');
    await create.getByRole('button', { name: 'Add feature' }).click();
    await create.getByLabel('Feature', { exact: true }).fill('sso');
    await create.getByLabel('Users').fill('2');
    await create.getByRole('button', { name: 'Create plan' }).click();
    const planRow = page.getByRole('row', { name: /Pro/ });
    await planRow.getByText('Users: 2').waitFor();
    await planRow.getByText('sso').waitFor();
    expect(json(await t.call('GET', '/v1/plans/pro'))).toMatchObject({ key: 'pro', name: 'Pro', features: { sso: true }, limits: { users: 2 } });

    // Northwind (one user, its owner) goes on the plan from its page.
    await page.goto(`/dashboard/tenants/${other.id}`);
    const editor = page.locator('form', { has: page.getByRole('heading', { name: 'Plan and overrides' }) });
    await editor.getByLabel('Plan').selectOption('pro');
    await editor.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Plan: Pro · Users 1 of 2').waitFor();
    expect(json(await t.call('GET', `/v1/tenants/${other.id}`)).entitlements).toEqual({ plan: 'pro', features: { sso: true }, limits: { users: 2 } });

    // Its owner reads the entitlements and has nothing to change them with.
    const owner = await signInAsOwnerOf(other);
    const entitlements = owner.locator('section', { has: owner.getByRole('heading', { name: 'Plan and entitlements' }) });
    await entitlements.getByText('Plan: pro · Users 1 of 2').waitFor();
    await entitlements.getByText('sso').waitFor();
    expect(await owner.getByRole('heading', { name: 'Plan and overrides' }).count()).toBe(0);
    expect(await owner.getByLabel('Plan', { exact: true }).count()).toBe(0);

    // The second user fits; a third is over the limit, and the dialog says so in plain words.
    await owner.getByRole('link', { name: 'Users' }).click();
    const invite = async (name: string, email: string) => {
      await owner.getByRole('button', { name: 'Invite user' }).first().click();
      const dialog = owner.getByRole('dialog', { name: 'Invite a user' });
      await dialog.getByLabel('Name').fill(name);
      await dialog.getByLabel('Email').fill(email);
      await dialog.getByRole('button', { name: 'Invite user' }).click();
      return dialog;
    };
    const first = await invite('Andrew Fuller', 'andrew@northwind.example');
    await first.getByLabel('Sign-in link for Andrew Fuller').waitFor();
    await first.getByRole('button', { name: 'Done' }).click();
    const second = await invite('Janet Leverling', 'janet@northwind.example');
    const alert = second.getByRole('alert');
    await alert.getByText('This tenant has reached a limit of its plan').waitFor();
    await alert.getByText(/allow 2 users \(pending invitations included\) and it has 2/).waitFor();
    expect(json(await t.call('GET', `/v1/tenants/${other.id}/users`)).results).toHaveLength(2);

    // A plan in use cannot be deleted: the dialog says why.
    await page.goto('/dashboard/plans');
    await openActions(page, 'Pro');
    await page.getByRole('menuitem', { name: 'Delete…' }).click();
    const remove = page.getByRole('dialog', { name: 'Delete Pro?' });
    await remove.getByRole('button', { name: 'Delete plan' }).click();
    await remove.getByRole('alert').getByText('This plan is still in use').waitFor();
    await remove
      .getByRole('alert')
      .getByText(/1 tenant is on this plan/)
      .waitFor();
    expect((await t.call('GET', '/v1/plans/pro')).statusCode).toBe(200);

    // The plans page fits a phone.
    const phone = await signInAsAdmin(PHONE);
    await phone.goto('/dashboard/plans');
    await phone.getByRole('row', { name: /Pro/ }).waitFor();
    expect(await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  });
});
