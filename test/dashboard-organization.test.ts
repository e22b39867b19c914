import { before, describe, it } from 'node:test';
import { expect } from 'expect';
import type { Page } from 'playwright-core';
import { json, type TestApp } from './helpers.js';
import { lowContrast, PASSWORD, pageHolds, screenshot, useDashboardFixture } from './support/dashboard.js';
import type { Receiver } from './webhook-receiver.js';

// The organization's page, as its administrator uses it: administrators, organization API keys
// and organization-wide webhooks; and what it shows of other organizations (nothing).
describe('dashboard in Chromium: an organization administrator', () => {
  const fx = useDashboardFixture();
  const { newPage, signInWithPassword } = fx;
  let t: TestApp;
  let rx: Receiver;
  let tenant: any;
  let page: Page;
  before(async () => {
    ({ t, rx, tenant } = fx);
    const admin = await t.call('POST', `/v1/organizations/${tenant.organizationId}/users`, {
      body: { name: 'Alex Admin', email: 'alex@platform.example', role: 'admin', password: PASSWORD },
    });
    expect(admin.statusCode).toBe(201);
    ({ page } = await newPage());
    await signInWithPassword(page, 'alex@platform.example');
    await page.waitForURL('**/dashboard/tenants');
  });

  it('lists the administrators and adds one with a one-time sign-in link that works', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organization' }).click();
    await page.waitForURL(`**/dashboard/organizations/${tenant.organizationId}`);
    await page.getByRole('row', { name: /Alex Admin \(you\)/ }).waitFor();
    // An administrator cannot make superadmins: the choice is not offered.
    await page.getByRole('button', { name: 'Add administrator' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add an administrator' });
    expect(await dialog.getByLabel('Superadmin').count()).toBe(0);
    await dialog.getByLabel('Name').fill('Blair Admin');
    await dialog.getByLabel('Email').fill('blair@platform.example');
    await dialog.getByRole('button', { name: 'Add administrator' }).click();
    const url = await dialog.getByLabel('Sign-in link for Blair Admin').inputValue();
    await dialog.getByRole('button', { name: 'Done' }).click();
    await page
      .getByRole('row', { name: /Blair Admin/ })
      .getByText('Administrator')
      .waitFor();
    const admins = json(await t.call('GET', `/v1/organizations/${tenant.organizationId}/users`)).results;
    expect(admins.find((u: any) => u.email === 'blair@platform.example')).toMatchObject({ role: 'admin', tenantId: null, isActive: true });

    const { page: blair } = await newPage();
    await blair.goto(url);
    await blair.waitForURL('**/dashboard/tenants');
    await blair.getByRole('button', { name: /Account: Blair Admin/ }).waitFor();
    await screenshot(page, 'organization-admins');
  });

  it('deactivates and removes another administrator, never oneself', async () => {
    const row = page.getByRole('row', { name: /Blair Admin/ });
    await row.getByRole('button', { name: 'Actions for Blair Admin' }).click();
    await page.getByRole('menuitem', { name: 'Deactivate…' }).click();
    await page.getByRole('dialog', { name: 'Deactivate Blair Admin?' }).getByRole('button', { name: 'Deactivate' }).click();
    await row.getByText('Deactivated').waitFor();
    await row.getByRole('button', { name: 'Actions for Blair Admin' }).click();
    await page.getByRole('menuitem', { name: 'Remove…' }).click();
    await page.getByRole('dialog', { name: 'Remove Blair Admin?' }).getByRole('button', { name: 'Remove user' }).click();
    await row.waitFor({ state: 'detached' });
    const admins = json(await t.call('GET', `/v1/organizations/${tenant.organizationId}/users`)).results;
    expect(admins.map((u: any) => u.email)).not.toContain('blair@platform.example');

    await page.getByRole('button', { name: 'Actions for Alex Admin' }).click();
    const items = await page.getByRole('menuitem').allTextContents();
    expect(items).toEqual(['Create sign-in link']);
    await page.keyboard.press('Escape');
  });

  it('creates an organization API key that reaches every tenant, shows its secret once, and revokes it', async () => {
    await page.getByRole('navigation', { name: 'Organization sections' }).getByRole('link', { name: 'API keys' }).click();
    await page.waitForURL('**/api-keys');
    await page.getByRole('button', { name: 'Create API key' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Create an API key' });
    await dialog.getByText('over every tenant of the organization').waitFor();
    await dialog.getByLabel('Name').fill('Provisioning');
    await dialog.getByRole('button', { name: 'Create key' }).click();
    const secret = await dialog.getByLabel('Secret key for “Provisioning”').inputValue();
    expect(secret).toMatch(/^lk_/);
    await dialog.getByRole('button', { name: 'Done' }).click();
    expect(await pageHolds(page, secret)).toBe(false);
    await page
      .getByRole('row', { name: /Provisioning/ })
      .getByText('Full access')
      .waitFor();

    // The key acts as an administrator of the organization: it reads both tenants.
    const listed = await t.call('GET', '/v1/tenants', { key: secret });
    expect(listed.statusCode).toBe(200);
    expect(json(listed).results.map((x: any) => x.id)).toContain(tenant.id);
    const keys = json(await t.call('GET', `/v1/organizations/${tenant.organizationId}/api-keys`)).results;
    expect(keys.find((k: any) => k.name === 'Provisioning')).toMatchObject({ tenantId: null });

    await page.getByRole('button', { name: 'Actions for Provisioning' }).click();
    await page.getByRole('menuitem', { name: 'Revoke…' }).click();
    await page.getByRole('dialog', { name: 'Revoke “Provisioning”?' }).getByRole('button', { name: 'Revoke key' }).click();
    await page.getByText('“Provisioning” was revoked').waitFor();
    expect((await t.call('GET', '/v1/tenants', { key: secret })).statusCode).toBe(401);
  });

  it("subscribes an organization-wide endpoint that hears every tenant's events, apart from tenant endpoints", async () => {
    const tenantHook = json(await t.call('POST', `/v1/tenants/${tenant.id}/webhooks`, { body: { url: rx.url('/tenant-only') } }));
    await page.getByRole('navigation', { name: 'Organization sections' }).getByRole('link', { name: 'Webhooks' }).click();
    await page.getByText('No webhook endpoints').waitFor();
    await page.getByRole('button', { name: 'Add endpoint' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add a webhook endpoint' });
    await dialog.getByText('the events of every tenant of the organization').waitFor();
    await dialog.getByLabel('Endpoint URL').fill(rx.url('/org-wide'));
    await dialog.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = await dialog.getByLabel('Signing secret').inputValue();
    expect(secret).toMatch(/^whsec_/);
    await dialog.getByRole('link', { name: 'View endpoint' }).click();
    await page.getByRole('heading', { name: 'Deliveries', exact: true }).waitFor();
    const hookId = decodeURIComponent(page.url().split('/').at(-1)!);
    expect(json(await t.call('GET', `/v1/webhooks/${hookId}`))).toMatchObject({ tenantId: null, organizationId: tenant.organizationId });

    // Every tenant's change reaches it.
    expect((await t.call('PATCH', `/v1/tenants/${fx.other.id}`, { body: { description: 'Heard org-wide' } })).statusCode).toBe(200);
    await rx.waitFor((all) => all.some((r) => r.path === '/org-wide' && r.json?.tenantId === fx.other.id), 15_000, 'org-wide delivery');

    await page.getByRole('navigation', { name: 'Organization sections' }).getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('link', { name: rx.url('/org-wide') }).waitFor();
    expect(await page.getByRole('link', { name: rx.url('/tenant-only') }).count()).toBe(0);
    // A tenant's endpoint is not shown under the organization's address, nor the other way round.
    await page.goto(`/dashboard/organizations/${tenant.organizationId}/webhooks/${tenantHook.id}`);
    await page.getByText('This webhook was not found').waitFor();
    await page.goto(`/dashboard/tenants/${tenant.id}/webhooks/${hookId}`);
    await page.getByText('This webhook was not found').waitFor();
  });

  it("shows another organization's pages as not found, and superadmins reach every organization", async () => {
    const globex = json(await t.call('POST', '/v1/organizations', { body: { name: 'Globex Corporation' } }));
    for (const path of [
      `/dashboard/organizations/${globex.id}`,
      `/dashboard/organizations/${globex.id}/api-keys`,
      `/dashboard/organizations/${globex.id}/webhooks`,
    ]) {
      await page.goto(path);
      await page.getByText('This organization was not found').waitFor();
    }
    await page.goto('/dashboard/organizations');
    await page.getByText('This page was not found').waitFor();

    await t.call('POST', `/v1/organizations/${tenant.organizationId}/users`, {
      body: { name: 'Sam Super', email: 'sam@platform.example', role: 'superadmin', password: PASSWORD },
    });
    const { page: sam } = await newPage();
    await signInWithPassword(sam, 'sam@platform.example');
    await sam.waitForURL('**/dashboard/tenants');
    await sam.getByRole('link', { name: 'Organizations' }).click();
    await sam.getByRole('link', { name: 'Globex Corporation' }).click();
    await sam.waitForURL(`**/dashboard/organizations/${globex.id}`);
    await sam.getByText('No administrators').waitFor();
    await sam.getByRole('button', { name: 'Add administrator' }).first().click();
    const dialog = sam.getByRole('dialog', { name: 'Add an administrator' });
    await dialog.getByLabel('Name').fill('Gina Globex');
    await dialog.getByLabel('Email').fill('gina@globex.example');
    await dialog.getByLabel('Password').fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Add administrator' }).click();
    await sam.getByRole('row', { name: /Gina Globex/ }).waitFor();
    const gina = json(await t.call('GET', `/v1/organizations/${globex.id}/users`)).results;
    expect(gina.map((u: any) => [u.email, u.role, u.organizationId])).toEqual([['gina@globex.example', 'admin', globex.id]]);
    // The Organizations item stays current on an organization's page.
    expect(await sam.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organizations' }).getAttribute('aria-current')).toBe('page');
  });

  it("keeps every administrator's page and the sign-in page readable in the dark theme and the light one", async () => {
    expect((await t.call('POST', '/v1/plans', { body: { key: 'pro', name: 'Pro', limits: { users: 5 } } })).statusCode).toBe(201);
    expect((await t.call('POST', '/v1/roles', { body: { key: 'support', name: 'Support', permissions: ['users:read'] } })).statusCode).toBe(201);
    const org = `/dashboard/organizations/${tenant.organizationId}`;
    const pages: [string, string][] = [
      ['/dashboard/tenants', 'Tenants'],
      ['/dashboard/tenants/deleted', 'Tenants'],
      ['/dashboard/plans', 'Plans'],
      ['/dashboard/roles', 'Roles'],
      ['/dashboard/audit-log', 'Audit log'],
      [org, 'Default'],
      [`${org}/api-keys`, 'Default'],
      [`${org}/webhooks`, 'Default'],
    ];
    const { page: signIn } = await newPage();
    for (const scheme of ['dark', 'light'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [path, title] of pages) {
        await page.goto(path);
        await page.getByRole('heading', { level: 1, name: title }).waitFor();
        await page.locator('.loading').first().waitFor({ state: 'detached' });
        expect([scheme, path, await lowContrast(page)]).toEqual([scheme, path, []]);
      }
      await signIn.emulateMedia({ colorScheme: scheme });
      await signIn.goto('/dashboard/sign-in');
      await signIn.getByRole('heading', { name: 'Sign in' }).waitFor();
      expect([scheme, 'sign-in', await lowContrast(signIn)]).toEqual([scheme, 'sign-in', []]);
    }
  });
});
