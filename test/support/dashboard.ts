import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createWorker, type Worker } from '../../src/modules/webhooks/worker.js';
import { createTestApp, json, type TestApp } from '../helpers.js';
import { startReceiver, type Receiver } from '../webhook-receiver.js';

// The setup of the browser tests of the dashboard: an app listening on a real port with a webhook
// worker and receiver, Debian's Chromium, and two tenants with owners (Contoso, Northwind).

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 360, height: 740 };
export const PASSWORD = 'Correct-Horse-42';

/** Screenshots for the README: written when missing, rewritten with UPDATE_SCREENSHOTS=1. */
export async function screenshot(page: Page, name: string, fullPage = false) {
  const path = join(SCREENSHOTS, `${name}.png`);
  if (existsSync(path) && process.env.UPDATE_SCREENSHOTS !== '1') return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.evaluate(() => {
    for (const el of document.querySelectorAll('.toast')) el.remove();
  });
  await page.screenshot({ path, fullPage, animations: 'disabled', caret: 'hide' });
}

/** Whether any text or form value on the page contains the string. */
export const pageHolds = (page: Page, text: string) =>
  page.evaluate(
    (s) => document.body.innerText.includes(s) || [...document.querySelectorAll('input, textarea')].some((el) => (el as HTMLInputElement).value.includes(s)),
    text,
  );

export interface DashboardFixture {
  /** Set by the `before` hook. */
  t: TestApp;
  rx: Receiver;
  /** Contoso Ltd, with metadata, settings and an owner (Rene Brandel). */
  tenant: any;
  /** Northwind Traders, with an owner (Nancy Davolio). */
  other: any;
  /** A page in a new browser context (a clean session); closed when the file ends. */
  newPage(viewport?: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }>;
  signInWithPassword(page: Page, email: string): Promise<void>;
}

/**
 * Registers, in the calling describe, the hooks that start the app, worker, receiver and browser, and stop them.
 * `env` is more of the app's environment, read when the app starts (after the describe's earlier `before` hooks).
 */
export function useDashboardFixture({ env = () => ({}) }: { env?: () => Record<string, string> } = {}): DashboardFixture {
  const fx = {} as DashboardFixture;
  let browser: Browser;
  let worker: Worker;
  const contexts: BrowserContext[] = [];

  fx.newPage = async (viewport = DESKTOP) => {
    const context = await browser.newContext({ viewport, baseURL: fx.t.baseUrl, locale: 'en-US', timezoneId: 'UTC' });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error('page error:', error.message));
    return { context, page };
  };

  fx.signInWithPassword = async (page, email) => {
    await page.goto('/dashboard/sign-in');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  before(async () => {
    const t = await createTestApp(
      'pglite',
      { LANDLORD_WEBHOOKS_ALLOW_PRIVATE: 'true', LANDLORD_WEBHOOK_RETRY_SCHEDULE: '200ms,400ms', LANDLORD_WEBHOOK_TIMEOUT: '2s', ...env() },
      { listen: true },
    );
    fx.t = t;
    worker = createWorker({ db: t.deps.database.db, clock: t.deps.clock, secretBox: t.deps.secretBox, config: t.deps.config, pollIntervalMs: 50 });
    worker.start();
    fx.rx = await startReceiver();
    // launch() starts Chromium on a fresh temporary profile; each context is a clean, incognito-like session on it.
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    fx.tenant = json(
      await t.call('POST', '/v1/tenants', {
        body: {
          name: 'Contoso Ltd',
          email: 'hello@contoso.example',
          url: 'https://contoso.example',
          description: 'Interview scheduling for the Contoso group.',
          metadata: { plan: 'enterprise', crmId: 'CRM-1042' },
          settings: { timezone: 'Europe/Berlin', locale: 'en-GB' },
          owner: { name: 'Rene Brandel', email: 'rene@contoso.example' },
        },
      }),
    );
    fx.other = json(
      await t.call('POST', '/v1/tenants', { body: { name: 'Northwind Traders', owner: { name: 'Nancy Davolio', email: 'nancy@northwind.example' } } }),
    );
  });

  after(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    await worker?.stop();
    await fx.rx?.close();
    await fx.t?.close();
  });

  return fx;
}
