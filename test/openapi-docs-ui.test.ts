/**
 * The docs UI (docs/openapi.md §4) in a real browser: Swagger UI renders the document's
 * operations under the page's Content-Security-Policy, with no CSP violation, no error
 * and no request to another origin; and it shows the document its viewer is entitled to —
 * the dashboard's superuser session, a token given in the Authorize dialog (and a guest's
 * after Logout), a guest's when the saved session is no longer valid. Skips, saying why,
 * where Chromium is missing.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollection } from './helpers/collections.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { browserSkipReason, CHROMIUM_PATH, signInAsSuperuser } from './helpers/browser.js';
import { buildTestDashboard, type TestDashboard } from './helpers/dashboard-build.js';

const skip = browserSkipReason();

let s: TestServer;
let dashboard: TestDashboard | undefined;
let browser: Browser;

/** The path of the superuser-only collection's list: in superusers' documents only. */
const LOCKED = '/api/collections/ui_locked/records';

beforeAll(async () => {
  if (skip) return;
  dashboard = await buildTestDashboard();
  s = await startTestServer({ dashboardDir: dashboard.dir });
  const admin = await s.adminToken();
  await createCollection(s, admin, { name: 'ui_notes', listRule: '', viewRule: '', fields: [{ name: 'text', type: 'text' }] });
  await createCollection(s, admin, { name: 'ui_locked', fields: [{ name: 'k', type: 'text' }] });
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await s?.close();
  dashboard?.remove();
});

/** A fresh page that records console errors, CSP violations and requests to other origins. */
async function openPage(): Promise<{ page: Page; problems: string[]; foreign: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems: string[] = [];
  const foreign: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('request', (r) => { if (!r.url().startsWith(s.url) && !r.url().startsWith('data:')) foreign.push(r.url()); });
  // Runs in the page before its own scripts (a string: the test compiles without DOM types).
  await page.addInitScript({ content: "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));" });
  return { page, problems, foreign };
}

/** How many operation rows show `path`. */
function shown(page: Page, path: string): Promise<number> {
  return page.locator('.opblock-summary-path', { hasText: new RegExp(`^${path.replace(/[/{}]/g, '\\$&')}$`) }).count();
}

async function openDocs(page: Page): Promise<void> {
  await page.goto(`${s.url}/api/docs`);
  await page.waitForSelector('.opblock', { timeout: 30_000 });
}

describe.skipIf(skip !== undefined)('the docs UI in Chromium', () => {
  it('renders every operation under its CSP, loading nothing from elsewhere', async () => {
    const { page, problems, foreign } = await openPage();
    await openDocs(page);
    expect(await shown(page, '/api/collections/ui_notes/records')).toBeGreaterThan(0);
    expect(await shown(page, LOCKED)).toBe(0);
    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
    await page.context().close();
  });

  it("shows a superuser's document to a superuser signed in to the dashboard", async () => {
    const { page, problems, foreign } = await openPage();
    await page.goto(`${s.url}/_/#/login`);
    await signInAsSuperuser(page);
    await openDocs(page);
    await expect.poll(() => shown(page, LOCKED)).toBeGreaterThan(0);
    expect(await shown(page, '/api/sql')).toBe(1);
    // The session is pre-authorized: "Try it out" calls as the viewer the document is for.
    expect(await page.locator('.btn.authorize.locked').count()).toBe(1);
    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
    await page.context().close();
  });

  it('fetches the document again after Authorize, and a guest\'s after Logout', async () => {
    const { page, problems } = await openPage();
    await openDocs(page);
    expect(await shown(page, LOCKED)).toBe(0);
    await page.locator('.btn.authorize').click();
    await page.locator('.modal-ux input[type=text]').fill(await s.adminToken());
    await page.locator('.modal-ux button.authorize').click();
    await page.locator('.modal-ux button.btn-done').click();
    await expect.poll(() => shown(page, LOCKED)).toBeGreaterThan(0);
    // The authorization survives the new document.
    expect(await page.locator('.btn.authorize.locked').count()).toBe(1);
    await page.locator('.btn.authorize').click();
    await page.locator('.modal-ux button', { hasText: 'Logout' }).click();
    await page.locator('.modal-ux button.btn-done').click();
    await expect.poll(() => shown(page, LOCKED)).toBe(0);
    expect(await shown(page, '/api/collections/ui_notes/records')).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("shows a guest's document when the saved session is no longer valid", async () => {
    const { page, problems } = await openPage();
    // A session the dashboard left behind: its token expired at the epoch's first second.
    const expired = ['{"alg":"HS256"}', '{"exp":1,"type":"auth"}'].map((part) => Buffer.from(part).toString('base64url')).join('.') + '.x';
    await page.addInitScript({ content: `localStorage.setItem('pocketbase_auth', JSON.stringify({ token: '${expired}', record: null }))` });
    const sent: string[] = [];
    page.on('request', (r) => { if (r.headers().authorization) sent.push(r.url()); });
    await openDocs(page);
    expect(await shown(page, '/api/collections/ui_notes/records')).toBeGreaterThan(0);
    expect(await shown(page, LOCKED)).toBe(0);
    expect(problems).toEqual([]);
    expect(sent).toEqual([]);
    expect(await page.locator('.btn.authorize.locked').count()).toBe(0);
    await page.context().close();
  });
});
