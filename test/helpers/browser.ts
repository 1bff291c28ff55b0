/**
 * A headless Chromium for the dashboard's end-to-end tests (docs/dashboard.md, "Tests"):
 * playwright-core driving Debian's `chromium` at /usr/bin/chromium. One browser per test
 * file; each page gets a fresh context (its own localStorage) and records every console
 * error and uncaught page error, which `assertNoConsoleErrors` fails on.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { sqlitePassOnly } from './sqlite-pass-only.js';
import { SUPERUSER } from './test-server.js';

/** Where Debian's chromium package puts the browser (`.ci/run` installs it with apt when missing). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Why the browser tests are skipped (printed once per file), or undefined when they run. */
export function browserSkipReason(): string | undefined {
  const once = sqlitePassOnly('the browser tests (the dashboard sees the same HTTP API on either engine)');
  if (once !== undefined) return once;
  if (existsSync(CHROMIUM_PATH)) return undefined;
  const reason = `${CHROMIUM_PATH} is missing (apt-get install -y chromium): browser tests are skipped`;
  console.log(`[skip] ${reason}`);
  return reason;
}

/** A page and the errors its console reported. */
export interface TestPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught exceptions, in order. */
  errors: string[];
  /**
   * Marks console errors containing `text` as expected (Chromium logs every failed
   * request, e.g. the 400 of a wrong password, as a console error).
   */
  allowConsoleError(text: string): void;
  /** Fails when the page reported an error that was not allowed. */
  assertNoConsoleErrors(): void;
}

/** The file's browser. */
export interface TestBrowser {
  browser: Browser;
  /** A page in a fresh context, its viewport 1280×800, optionally in dark colour scheme. */
  newPage(options?: { colorScheme?: 'light' | 'dark' }): Promise<TestPage>;
  close(): Promise<void>;
}

/** Launches Chromium headless; close it in afterAll. */
export async function launchBrowser(): Promise<TestBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // NOTE: containers often run as root without user namespaces, where Chromium's sandbox cannot start.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  const contexts: BrowserContext[] = [];
  return {
    browser,
    async newPage(options = {}) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: options.colorScheme ?? 'light' });
      contexts.push(context);
      const page = await context.newPage();
      const errors: string[] = [];
      const allowed: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
      return {
        page,
        context,
        errors,
        allowConsoleError: (text) => void allowed.push(text),
        assertNoConsoleErrors() {
          const unexpected = errors.filter((e) => !allowed.some((text) => e.includes(text)));
          if (unexpected.length > 0) throw new Error(`the page reported console errors:\n${unexpected.join('\n')}`);
        },
      };
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
    },
  };
}

/** Fills the dashboard's sign-in form as the test superuser (with `password`, if given) and sends it. */
export async function submitSignIn(page: Page, password = SUPERUSER.password): Promise<void> {
  await page.getByLabel('Email').fill(SUPERUSER.email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Signs in to the dashboard as the test superuser and waits for the collections page it lands on. */
export async function signInAsSuperuser(page: Page): Promise<void> {
  await submitSignIn(page);
  await page.waitForURL(/#\/collections$/);
}
