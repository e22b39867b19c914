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

export interface ContrastIssue {
  text: string;
  ratio: number;
  color: string;
  background: string;
}

/**
 * The visible text (and form values) on the page whose contrast with what is behind it falls under
 * WCAG AA: 4.5:1, or 3:1 for large text. The background is the element's and its ancestors' colours,
 * composited; disabled controls are exempt, as WCAG has it.
 */
export async function lowContrast(page: Page): Promise<ContrastIssue[]> {
  // tsx compiles the named functions below with calls to its __name helper, which the page lacks.
  await page.evaluate('globalThis.__name ??= (fn) => fn');
  return page.evaluate(() => {
    type RGBA = [number, number, number, number];
    const parse = (c: string): RGBA => {
      const n = (c.match(/[\d.]+/g) ?? []).map(Number);
      return [n[0] ?? 0, n[1] ?? 0, n[2] ?? 0, n[3] ?? 1];
    };
    const over = (top: RGBA, under: RGBA): RGBA => {
      const a = top[3];
      return [top[0] * a + under[0] * (1 - a), top[1] * a + under[1] * (1 - a), top[2] * a + under[2] * (1 - a), 1];
    };
    const luminance = ([r, g, b]: RGBA) => {
      const lin = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    const backgroundOf = (el: Element): RGBA => {
      const layers: RGBA[] = [];
      for (let e: Element | null = el; e; e = e.parentElement) {
        const bg = parse(getComputedStyle(e).backgroundColor);
        if (bg[3] > 0) layers.push(bg);
        if (bg[3] === 1) break;
      }
      // Under everything, the canvas: white, or the dark canvas of color-scheme: dark.
      const canvas: RGBA = getComputedStyle(document.documentElement).colorScheme === 'dark' ? [18, 18, 18, 1] : [255, 255, 255, 1];
      return layers.reduceRight((under, layer) => over(layer, under), canvas);
    };
    const issues: { text: string; ratio: number; color: string; background: string }[] = [];
    for (const el of document.querySelectorAll('body *')) {
      if (!(el instanceof HTMLElement) || !el.checkVisibility({ visibilityProperty: true }) || el.closest('.visually-hidden, :disabled')) continue;
      const isField = el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement;
      if (isField && ['checkbox', 'radio', 'hidden'].includes((el as HTMLInputElement).type)) continue;
      const text = isField
        ? (el as HTMLInputElement).value
        : [...el.childNodes]
            .filter((n) => n.nodeType === Node.TEXT_NODE)
            .map((n) => n.textContent)
            .join('')
            .trim();
      if (!text) continue;
      const style = getComputedStyle(el);
      const background = backgroundOf(el);
      const color = over(parse(style.color), background);
      const [hi, lo] = [luminance(color), luminance(background)].sort((a, b) => b - a);
      const ratio = (hi + 0.05) / (lo + 0.05);
      const size = Number.parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) {
        issues.push({
          text: text.slice(0, 40),
          ratio: Math.round(ratio * 100) / 100,
          color: style.color,
          background: `rgb(${background.slice(0, 3).map(Math.round).join(', ')})`,
        });
      }
    }
    return issues;
  });
}
