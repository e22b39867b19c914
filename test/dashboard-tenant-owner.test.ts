import { before, describe, it } from 'node:test';
import { expect } from 'expect';
import type { Page } from 'playwright-core';
import { json, type TestApp } from './helpers.js';
import { lowContrast, PHONE, pageHolds, screenshot, useDashboardFixture } from './support/dashboard.js';
import type { Receiver } from './webhook-receiver.js';

// The dashboard as a tenant's owner uses it, signed in once with the link from the tenant create
// (each test goes on from where the one before left the page), and the shell it is served in.
describe('dashboard in Chromium: a tenant owner', () => {
  const fx = useDashboardFixture();
  const { newPage } = fx;
  let t: TestApp;
  let rx: Receiver;
  let tenant: any;
  let other: any;
  let ownerPage: Page;
  before(() => {
    ({ t, rx, tenant, other } = fx);
  });

  it('serves the shell for every dashboard path with strict security headers, outside the API reference', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/dashboard/tenants/${tenant.id}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.body).not.toMatch(/<script>|<style>|style="/);
    for (const path of ['/dashboard', '/dashboard/', '/dashboard/sign-in?token=abc', '/dashboard/anything/else']) {
      const shell = await t.app.inject({ method: 'GET', url: path });
      expect([path, shell.statusCode, shell.body]).toEqual([path, 200, res.body]);
    }
    const script = await t.app.inject({ method: 'GET', url: '/dashboard/assets/app.js' });
    expect([script.statusCode, script.headers['content-type']]).toEqual([200, 'text/javascript; charset=utf-8']);
    const cached = await t.app.inject({ method: 'GET', url: '/dashboard/assets/app.js', headers: { 'if-none-match': String(script.headers.etag) } });
    expect(cached.statusCode).toBe(304);
    // Only the files of the public folder are served: no way up to the source next to it.
    expect((await t.app.inject({ method: 'GET', url: '/dashboard/assets/nope.js' })).statusCode).toBe(404);
    for (const path of ['/dashboard/assets/../plugin.ts', '/dashboard/assets/%2e%2e/plugin.ts', '/dashboard/assets/..%2fplugin.ts']) {
      const res = await t.app.inject({ method: 'GET', url: path });
      expect([path, res.statusCode === 404 || res.headers['content-type'] === 'text/html; charset=utf-8']).toEqual([path, true]);
      expect(res.body).not.toContain('loadAssets');
    }
    const doc = json(await t.app.inject({ method: 'GET', url: '/openapi.json' }));
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/dashboard'))).toEqual([]);
  });

  it('signs the owner in with the one-time link from the tenant create and takes the token out of the URL', async () => {
    ({ page: ownerPage } = await newPage());
    await ownerPage.goto(tenant.signInUrl);
    await ownerPage.waitForURL(`**/dashboard/tenants/${tenant.id}`);
    expect(ownerPage.url()).toBe(tenant.dashboardUrl);
    await expect(ownerPage.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Contoso Ltd');
    expect(await ownerPage.evaluate(() => history.length)).toBeLessThanOrEqual(2);
    await ownerPage.getByLabel('Display name').waitFor();
    await screenshot(ownerPage, 'tenant-overview', true);

    // The link worked once; opened again (say, from history) it is refused with a clear message.
    const { page: again } = await newPage();
    await again.goto(tenant.signInUrl);
    await again.getByText('This sign-in link can’t be used').waitFor();
    expect(again.url()).not.toContain('token=');
  });

  it('edits the profile and settings, with API field errors next to their fields, and shows metadata read-only', async () => {
    const page = ownerPage;
    await page.getByLabel('Contact email').fill('not-an-email');
    const profile = page.locator('form', { has: page.getByRole('heading', { name: 'Profile' }) });
    await profile.getByRole('button', { name: 'Save changes' }).click();
    const emailError = profile.locator('[data-field="email"] .field-error');
    await emailError.waitFor();
    expect(await emailError.textContent()).toMatch(/email/i);
    expect(await page.getByLabel('Contact email').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Contact email').fill('team@contoso.example');
    await page.getByLabel('Display name').fill('Contoso');
    await profile.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Changes saved').first().waitFor();
    await page.getByRole('heading', { level: 1, name: 'Contoso' }).waitFor();

    const settings = page.locator('form', { has: page.getByRole('heading', { name: 'Regional settings' }) });
    await settings.getByLabel('Time zone').selectOption('America/New_York');
    await settings.getByLabel('Week starts on').selectOption('0');
    await settings.getByRole('button', { name: 'Save changes' }).click();
    await page.locator('.toast').getByText('Changes saved').first().waitFor();

    // Metadata is the platform's: the owner reads it and has nothing to change it with.
    const metadata = page.locator('form', { has: page.getByRole('heading', { name: 'Metadata' }) });
    await metadata.getByText('Only its administrators can change it').waitFor();
    expect(await metadata.getByLabel('Value').first().inputValue()).toBe('enterprise');
    expect(await metadata.getByLabel('Value').first().isDisabled()).toBe(true);
    expect(await metadata.getByRole('button', { name: 'Add entry' }).count()).toBe(0);
    expect(await metadata.getByRole('button', { name: 'Save changes' }).count()).toBe(0);

    const saved = json(await t.call('GET', `/v1/tenants/${tenant.id}`));
    expect(saved).toMatchObject({
      displayName: 'Contoso',
      email: 'team@contoso.example',
      settings: { timezone: 'America/New_York', weekStart: 0, locale: 'en-GB' },
      metadata: { plan: 'enterprise', crmId: 'CRM-1042' },
    });
  });

  it('invites a user with a sign-in link, changes roles, and handles dialogs from the keyboard', async () => {
    const page = ownerPage;
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('cell', { name: /Rene Brandel/ }).waitFor();
    // The profile's “Changes saved” stayed on the profile's page.
    expect(await page.locator('.toast').count()).toBe(0);
    const invite = page.getByRole('button', { name: 'Invite user' });
    await invite.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Invite a user' });
    await dialog.waitFor();
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).name)).toBe('name');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Invite user');

    await invite.click();
    await dialog.getByLabel('Name').fill('Ada Lovelace');
    await dialog.getByLabel('Email').fill('ada@contoso.example');
    await dialog.getByRole('button', { name: 'Invite user' }).click();
    const link = dialog.getByLabel('Sign-in link for Ada Lovelace');
    await link.waitFor();
    expect(await link.inputValue()).toMatch(new RegExp(`^${t.baseUrl}/dashboard/sign-in\\?token=`));
    await dialog.getByRole('button', { name: 'Done' }).click();
    const ada = page.getByRole('row', { name: /Ada Lovelace/ });
    await ada.getByText('Member').waitFor();
    await ada.getByRole('button', { name: 'Actions for Ada Lovelace' }).click();
    await page.getByRole('menuitem', { name: 'Make owner' }).click();
    await ada.getByText('Owner').waitFor();
    await screenshot(page, 'users');
  });

  it('creates an API key and shows its secret exactly once', async () => {
    const page = ownerPage;
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByText('No API keys').waitFor();
    await page.getByRole('button', { name: 'Create API key' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Create an API key' });
    await dialog.getByLabel('Name').fill('Production backend');
    await dialog.getByRole('button', { name: 'Create key' }).click();
    const secretField = dialog.getByLabel('Secret key for “Production backend”');
    await secretField.waitFor();
    const secret = await secretField.inputValue();
    expect(secret).toMatch(/^lk_/);
    await dialog.getByText('Copy this secret key now').waitFor();
    await screenshot(page, 'api-keys-secret');

    // The secret is a working credential...
    expect((await t.call('GET', `/v1/tenants/${tenant.id}`, { key: secret })).statusCode).toBe(200);
    // ...and once the dialog is closed it is nowhere on the page, nor after a reload.
    await dialog.getByRole('button', { name: 'Done' }).click();
    const row = page.getByRole('row', { name: /Production backend/ });
    await row.waitFor();
    expect(await row.textContent()).toContain(`${secret.slice(0, 8)}`);
    expect(await pageHolds(page, secret)).toBe(false);
    await page.reload();
    await page.getByRole('row', { name: /Production backend/ }).waitFor();
    expect(await pageHolds(page, secret)).toBe(false);
    expect(await page.content()).not.toContain(secret);

    // Rotating shows the new secret once too; revoking asks first.
    await row.getByRole('button', { name: 'Actions for Production backend' }).click();
    await page.getByRole('menuitem', { name: 'Rotate secret…' }).click();
    const rotate = page.getByRole('dialog', { name: 'Rotate “Production backend”' });
    await rotate.getByLabel('Old secret keeps working for').selectOption('3600');
    await rotate.getByRole('button', { name: 'Rotate secret' }).click();
    const rotated = await rotate.getByLabel('New secret key for “Production backend”').inputValue();
    expect(rotated).toMatch(/^lk_/);
    expect(rotated).not.toBe(secret);
    await rotate.getByRole('button', { name: 'Done' }).click();
    expect(await pageHolds(page, rotated)).toBe(false);
  });

  it('adds a webhook endpoint, shows its secret once, and logs the test delivery with its attempt', async () => {
    const page = ownerPage;
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('button', { name: 'Add endpoint' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add a webhook endpoint' });
    await dialog.getByLabel('Endpoint URL').fill('ftp://nope');
    await dialog.getByRole('button', { name: 'Add endpoint' }).click();
    await dialog.locator('[data-field="url"] .field-error').waitFor();
    await dialog.getByLabel('Endpoint URL').fill(rx.url('/hooks/landlord'));
    await dialog.getByLabel('Description').fill('Provisioning service');
    await dialog.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = await dialog.getByLabel('Signing secret').inputValue();
    expect(secret).toMatch(/^whsec_/);
    await dialog.getByRole('link', { name: 'View endpoint' }).click();
    await page.getByRole('heading', { name: 'Deliveries', exact: true }).waitFor();
    expect(await pageHolds(page, secret)).toBe(false);

    await page.getByRole('button', { name: 'Send test event' }).click();
    const delivery = page.locator('.delivery', { hasText: 'webhook.test' });
    await delivery.getByText('Delivered').waitFor({ timeout: 15_000 });
    expect(rx.on('/hooks/landlord').some((r) => r.json?.type === 'webhook.test')).toBe(true);
    await delivery.getByRole('button', { expanded: false }).click();
    await delivery.getByText('Attempt 1').waitFor();
    await delivery.locator('.attempt .badge', { hasText: '200' }).waitFor();
    // Attempt times are to the second on a 24-hour clock (the browser's time zone is UTC).
    const attemptTime = delivery.locator('.attempt time').first();
    const attemptedAt = (await attemptTime.getAttribute('datetime'))!;
    expect(await attemptTime.textContent()).toMatch(new RegExp(`^[A-Z][a-z]{2} \\d{1,2}, \\d{4}, ${attemptedAt.slice(11, 19)}$`));
    // The request body, folded until asked for: pretty-printed, what the receiver got, and copied as is.
    const requestBody = delivery.getByLabel(/^Request body of /);
    expect(await requestBody.isVisible()).toBe(false);
    await delivery.getByText('Request body', { exact: true }).click();
    const shown = (await requestBody.textContent())!;
    const received = rx.on('/hooks/landlord').find((r) => r.json?.type === 'webhook.test')!;
    expect(shown).toBe(JSON.stringify(received.json, null, 2));
    expect(await pageHolds(page, secret)).toBe(false);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await delivery.getByRole('button', { name: 'Copy JSON' }).click();
    await delivery.getByRole('button', { name: 'Copied' }).waitFor();
    expect(JSON.parse(await page.evaluate(() => navigator.clipboard.readText()))).toEqual(received.json);
    await screenshot(page, 'webhooks', true);

    // A failing endpoint shows each failed attempt, and a delivery can be retried from the log.
    let calls = 0;
    rx.handle('/hooks/landlord', () => (++calls <= 3 ? { status: 503, body: 'upstream busy' } : { status: 200, body: 'ok' }));
    await page.getByRole('button', { name: 'Send test event' }).click();
    const failed = page.locator('.delivery[data-status="failed"]');
    await failed.getByText('Failed').waitFor({ timeout: 15_000 });
    await failed.getByRole('button', { expanded: false }).click();
    await failed.getByText('Attempt 3').waitFor();
    await failed.getByText('upstream busy').first().waitFor();
    await failed.getByRole('button', { name: 'Retry now' }).click();
    await page.locator('.delivery').first().getByText('Delivered').waitFor({ timeout: 15_000 });
  });

  it('shows the tenant audit log', async () => {
    await ownerPage.getByRole('link', { name: 'Audit log' }).click();
    await ownerPage.getByText('api_key.create').first().waitFor();
    const entry = ownerPage.locator('.delivery', { has: ownerPage.getByRole('button', { name: /tenant\.update/ }) }).first();
    await entry.getByRole('button').click();
    await entry.getByRole('rowheader', { name: 'settings' }).waitFor();
    expect(await entry.getByRole('table', { name: 'Changes' }).textContent()).toContain('America/New_York');
    // The export downloads what the filter shows, with the session of the page.
    await ownerPage.getByLabel('Action', { exact: true }).fill('tenant.update');
    const csv = ownerPage.getByRole('link', { name: 'Export CSV' });
    await ownerPage.waitForFunction(() => document.querySelector('a[data-format="csv"]')?.getAttribute('href')?.includes('action=tenant.update'));
    const href = (await csv.getAttribute('href'))!;
    expect(href).toBe(`/v1/audit-logs/export?format=csv&tenantId=${tenant.id}&action=tenant.update`);
    const body = await ownerPage.evaluate(async (url) => (await fetch(url)).text(), href);
    const rows = body.trimEnd().split('\r\n');
    expect(rows[0]).toMatch(/^occurredAt,id,/);
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.slice(1).every((r) => r.includes(',tenant.update,'))).toBe(true);

    // A filter ending in a dot, offered as “All tenant actions”, shows every tenant action and nothing else.
    expect(await ownerPage.locator('datalist option[label="All tenant actions"]').getAttribute('value')).toBe('tenant.');
    await ownerPage.getByLabel('Action', { exact: true }).fill('tenant.');
    const actions = ownerPage.locator('.audit-list .audit-action');
    await ownerPage.locator('.audit-list').getByText('tenant.create').waitFor();
    expect([...new Set(await actions.allTextContents())].sort()).toEqual(['tenant.create', 'tenant.update']);
    expect(await csv.getAttribute('href')).toBe(`/v1/audit-logs/export?format=csv&tenantId=${tenant.id}&action=tenant.`);
  });

  it('follows a dark system theme, with every text readable on its background, as in the light one', async () => {
    const link = json(await t.call('POST', `/v1/tenants/${tenant.id}/users/${tenant.owner.id}/sign-in-links`));
    const { page } = await newPage();
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(link.url);
    await page.getByLabel('Display name').waitFor();
    const theme = () =>
      page.evaluate(() => ({
        scheme: getComputedStyle(document.documentElement).colorScheme,
        body: getComputedStyle(document.body).backgroundColor,
        input: getComputedStyle(document.querySelector('input.input')!).backgroundColor,
      }));
    // Dark page and dark form controls (color-scheme), so native parts (checkboxes, scrollbars, the date picker) match.
    expect(await theme()).toEqual({ scheme: 'dark', body: 'rgb(12, 17, 29)', input: 'rgb(22, 27, 38)' });

    /** Each page of the tenant, with its badges, tables, dialogs, inputs and code blocks open. */
    const pages: [string, () => Promise<void>][] = [
      ['overview', async () => {}],
      [
        'users and a dialog',
        async () => {
          await page.getByRole('link', { name: 'Users' }).click();
          await page.getByRole('row', { name: /Ada Lovelace/ }).waitFor();
          await page.getByRole('button', { name: 'Invite user' }).click();
          await page.getByRole('dialog', { name: 'Invite a user' }).getByLabel('Name').fill('Someone');
        },
      ],
      [
        'API keys',
        async () => {
          await page.keyboard.press('Escape');
          await page.getByRole('link', { name: 'API keys' }).click();
          await page.getByRole('row', { name: /Production backend/ }).waitFor();
        },
      ],
      [
        'a delivery log with its request and response',
        async () => {
          await page.getByRole('link', { name: 'Webhooks' }).click();
          await page
            .getByRole('link', { name: /hooks\/landlord/ })
            .first()
            .click();
          const delivery = page.locator('.delivery').first();
          await delivery.getByRole('button', { expanded: false }).click();
          await delivery.locator('.attempt pre.response').first().waitFor();
          await delivery.getByText('Request body', { exact: true }).click();
          await delivery.getByLabel(/^Request body of /).waitFor();
        },
      ],
      [
        'the audit log',
        async () => {
          await page.getByRole('link', { name: 'Audit log' }).click();
          const entry = page.locator('.delivery', { has: page.getByRole('button', { name: /tenant\.update/ }) }).first();
          await entry.getByRole('button').click();
          await entry.getByRole('table', { name: 'Changes' }).waitFor();
        },
      ],
      [
        'a toast',
        async () => {
          await page.getByRole('link', { name: 'Overview' }).click();
          await page.getByRole('button', { name: 'Save changes' }).first().click();
          await page.locator('.toast').waitFor();
        },
      ],
    ];
    for (const scheme of ['dark', 'light'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(`/dashboard/tenants/${tenant.id}`);
      await page.getByLabel('Display name').waitFor();
      for (const [name, open] of pages) {
        await open();
        expect([scheme, name, await lowContrast(page)]).toEqual([scheme, name, []]);
      }
    }
    expect((await theme()).scheme).toBe('light');
  });

  it('never shows another tenant to an owner who edits the URL', async () => {
    for (const path of [`/dashboard/tenants/${other.id}`, `/dashboard/tenants/${other.id}/users`, '/dashboard/tenants', '/dashboard/organizations']) {
      await ownerPage.goto(path);
      if (path === '/dashboard/tenants') {
        await ownerPage.waitForURL(`**/dashboard/tenants/${tenant.id}`);
        continue;
      }
      await ownerPage.getByText(/was not found/).waitFor();
      expect(await pageHolds(ownerPage, 'Northwind')).toBe(false);
      expect(await pageHolds(ownerPage, 'Nancy')).toBe(false);
    }
  });

  it('fits a phone screen', async () => {
    const link = json(await t.call('POST', `/v1/tenants/${tenant.id}/users/${tenant.owner.id}/sign-in-links`));
    const { page } = await newPage(PHONE);
    await page.goto(link.url);
    await page.getByLabel('Display name').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'phone-tenant-overview');
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByText('Ada Lovelace').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  });
});
