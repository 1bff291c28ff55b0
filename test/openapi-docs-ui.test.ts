/**
 * The docs UI (docs/openapi.md §4) in a real browser: Swagger UI renders the document's
 * operations under the page's Content-Security-Policy, with no CSP violation, no error
 * and no request to another origin. Skips, saying why, where Chromium is missing.
 */
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollection } from './helpers/collections.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { browserSkipReason, CHROMIUM_PATH } from './helpers/browser.js';

const skip = browserSkipReason();

let s: TestServer;

beforeAll(async () => {
  if (skip) return;
  s = await startTestServer();
  await createCollection(s, await s.adminToken(), { name: 'ui_notes', listRule: '', viewRule: '', fields: [{ name: 'text', type: 'text' }] });
});

afterAll(async () => {
  await s?.close();
});

describe.skipIf(skip !== undefined)('the docs UI in Chromium', () => {
  it('renders every operation under its CSP, loading nothing from elsewhere', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      const foreign: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text()); });
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('request', (r) => { if (!r.url().startsWith(s.url) && !r.url().startsWith('data:')) foreign.push(r.url()); });
      // Runs in the page before its own scripts (a string: the test compiles without DOM types).
      await page.addInitScript({ content: "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));" });
      await page.goto(`${s.url}/api/docs`);
      await page.waitForSelector('.opblock', { timeout: 30_000 });
      expect(await page.locator('.opblock-summary-path', { hasText: '/api/collections/ui_notes/records' }).count()).toBeGreaterThan(0);
      expect(problems).toEqual([]);
      expect(foreign).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
