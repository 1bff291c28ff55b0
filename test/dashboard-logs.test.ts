/**
 * The dashboard's logs screen, SQL console and public pages (docs/dashboard.md, "Logs",
 * "SQL console", "Mailed links") in Chromium: the three mailed links are read from real
 * mails caught by a test SMTP server, opened, completed, and their effect checked with the
 * SDK. On SQLite, or PostgreSQL with PLINTH_TEST_DIALECT=postgres.
 * PLINTH_DASHBOARD_SCREENSHOTS=1 also writes docs/screenshots/logs-*.png.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadHooks } from '../src/app/hooks-loader.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { browserSkipReason, launchBrowser, signInAsSuperuser, type TestBrowser, type TestPage } from './helpers/browser.js';
import { buildTestDashboard, type TestDashboard } from './helpers/dashboard-build.js';
import { startSmtpInbox, type ReceivedMail, type SmtpInbox } from './helpers/smtp-inbox.js';

const PASSWORD = 'first-password-1';
const SCREENSHOTS = process.env.PLINTH_DASHBOARD_SCREENSHOTS === '1' ? fileURLToPath(new URL('../docs/screenshots/', import.meta.url)) : undefined;
const skip = browserSkipReason();

describe.skipIf(skip !== undefined)('the logs, SQL and public pages in Chromium', () => {
  let dashboard: TestDashboard;
  let server: TestServer;
  let inbox: SmtpInbox;
  let browser: TestBrowser;
  let current: TestPage | undefined;
  let n = 0;
  const hooksDir = mkdtempSync(join(tmpdir(), 'plinth-dashboard-logs-'));

  beforeAll(async () => {
    // An app.logger() entry: no request data, so no data.auth.
    writeFileSync(join(hooksDir, 'log.js'), `export default (app) => {
      app.routerAdd('GET', '/api/test/dash-log', (e) => {
        app.logger().warn('stock is low', { sku: 'A-1' });
        return e.json(200, { ok: true });
      });
    };`);
    [dashboard, inbox, browser] = await Promise.all([buildTestDashboard(), startSmtpInbox(), launchBrowser()]);
    server = await startTestServer({ dashboardDir: dashboard.dir }, { plugins: await loadHooks(hooksDir) });
    const admin = await server.admin();
    await admin.settings.update({
      // The mails' links are {APP_URL}/_/#/auth/…: the server under test.
      meta: { appName: 'Plinth Test', appURL: server.url, senderName: 'Plinth Mailer', senderAddress: 'noreply@plinth.test' },
      smtp: { enabled: true, host: '127.0.0.1', port: inbox.port, tls: false },
      rateLimits: { excludedIPs: ['127.0.0.1'] },
    });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await inbox?.close();
    dashboard?.remove();
    rmSync(hooksDir, { recursive: true, force: true });
  });
  afterEach(() => {
    const page = current;
    current = undefined;
    page?.assertNoConsoleErrors();
  });

  async function open(path: string, viewport?: { width: number; height: number }): Promise<TestPage> {
    current = await browser.newPage();
    if (viewport) await current.page.setViewportSize(viewport);
    await current.page.goto(`${server.url}/_/${path}`);
    return current;
  }

  async function openLink(url: string, viewport?: { width: number; height: number }): Promise<TestPage> {
    current = await browser.newPage();
    if (viewport) await current.page.setViewportSize(viewport);
    await current.page.goto(url);
    return current;
  }

  async function screenshot(t: TestPage, name: string): Promise<void> {
    if (!SCREENSHOTS) return;
    mkdirSync(SCREENSHOTS, { recursive: true });
    await t.page.setViewportSize({ width: 1280, height: 800 });
    await t.page.screenshot({ path: `${SCREENSHOTS}logs-${name}.png` });
  }

  async function newUser(): Promise<{ id: string; email: string }> {
    n++;
    const email = `link${n}-${Math.random().toString(36).slice(2, 7)}@example.com`;
    const admin = await server.admin();
    const record = await admin.collection('users').create({ email, password: PASSWORD, passwordConfirm: PASSWORD });
    return { id: record.id, email };
  }

  /** The full link of kind `kind` in a mail, checked to point at the dashboard of the server under test. */
  function mailedLink(mail: ReceivedMail, kind: string): string {
    const m = new RegExp(`https?://[^\\s"'<>]+/_/#/auth/confirm-${kind}/[A-Za-z0-9_.-]+`).exec(mail.decoded);
    if (!m) throw new Error(`no confirm-${kind} link in mail:\n${mail.decoded}`);
    expect(m[0].startsWith(`${server.url}/_/#/auth/`)).toBe(true);
    return m[0];
  }

  it('verifies an email from the verification mail', async () => {
    const user = await newUser();
    await server.client().collection('users').requestVerification(user.email);
    const link = mailedLink(await inbox.next(user.email), 'verification');
    // A phone's viewport: the public pages must work there too.
    const t = await openLink(link, { width: 390, height: 844 });
    await t.page.getByRole('heading', { name: 'Email verified' }).waitFor();
    const admin = await server.admin();
    expect((await admin.collection('users').getOne(user.id)).verified).toBe(true);
  });

  it('says so when a verification link is invalid, verifying nothing', async () => {
    const user = await newUser();
    const t = await open('#/auth/confirm-verification/not-a-token');
    await t.page.getByRole('heading', { name: 'Email not verified' }).waitFor();
    await t.page.getByText('This link is not valid').waitFor();
    // A well-formed token with a forged signature: the server refuses it.
    const payload = Buffer.from(JSON.stringify({ id: user.id, type: 'verification', collectionId: '_pb_users_auth_', email: user.email, exp: Math.floor(Date.now() / 1000) + 3600 })).toString('base64url');
    const forged = `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${payload}.${'A'.repeat(43)}`;
    t.allowConsoleError('status of 400');
    await t.page.goto(`${server.url}/_/#/auth/confirm-verification/${forged}`);
    await t.page.getByText('This link is invalid or has expired').waitFor();
    const expired = Buffer.from(JSON.stringify({ collectionId: '_pb_users_auth_', exp: 1 })).toString('base64url');
    await t.page.goto(`${server.url}/_/#/auth/confirm-verification/${forged.split('.')[0]}.${expired}.x`);
    await t.page.getByText('This link has expired').waitFor();
    const admin = await server.admin();
    expect((await admin.collection('users').getOne(user.id)).verified).toBe(false);
  });

  it('sets a new password from the password reset mail', async () => {
    const user = await newUser();
    await server.client().collection('users').requestPasswordReset(user.email);
    const link = mailedLink(await inbox.next(user.email), 'password-reset');
    const t = await openLink(link, { width: 390, height: 844 });
    await t.page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    // Two different passwords are caught before anything is sent.
    await t.page.getByLabel('New password', { exact: true }).fill('second-password-2');
    await t.page.getByLabel('New password again').fill('something-else-2');
    await t.page.getByRole('button', { name: 'Set new password' }).click();
    await t.page.getByText('The two passwords differ.').waitFor();
    await t.page.getByLabel('New password again').fill('second-password-2');
    expect(await t.page.getByText('The two passwords differ.').count()).toBe(0);
    await screenshot(t, 'password-reset');
    await t.page.getByRole('button', { name: 'Set new password' }).click();
    await t.page.getByRole('heading', { name: 'Password changed' }).waitFor();
    const auth = await server.client().collection('users').authWithPassword(user.email, 'second-password-2');
    expect(auth.record.id).toBe(user.id);
    await expect(server.client().collection('users').authWithPassword(user.email, PASSWORD)).rejects.toThrow();
  });

  it('changes the email from the email change mail, after a wrong password', async () => {
    const user = await newUser();
    const client = server.client();
    await client.collection('users').authWithPassword(user.email, PASSWORD);
    const newEmail = `changed-${user.email}`;
    await client.collection('users').requestEmailChange(newEmail);
    const link = mailedLink(await inbox.next(newEmail), 'email-change');
    const t = await openLink(link);
    t.allowConsoleError('status of 400');
    await t.page.getByRole('heading', { name: 'Confirm your new email' }).waitFor();
    await t.page.getByText(newEmail).waitFor();
    await t.page.getByLabel('Your password').fill('not-the-password');
    await t.page.getByRole('button', { name: 'Confirm new email' }).click();
    await t.page.locator('[aria-invalid="true"]').waitFor();
    const admin = await server.admin();
    expect((await admin.collection('users').getOne(user.id)).email).toBe(user.email);
    await t.page.getByLabel('Your password').fill(PASSWORD);
    await t.page.getByRole('button', { name: 'Confirm new email' }).click();
    await t.page.getByRole('heading', { name: 'Email changed' }).waitFor();
    expect((await admin.collection('users').getOne(user.id)).email).toBe(newEmail);
  });

  it("sends the OAuth2 redirect to the dashboard's result pages", async () => {
    // No realtime client waits on this state: the sign-in failed.
    const answer = await fetch(`${server.url}/api/oauth2-redirect?state=nobody-waits&code=c1`, { redirect: 'manual' });
    expect(answer.status).toBe(307);
    expect(answer.headers.get('location')).toBe('../_/#/auth/oauth2-redirect-failure');
    const t = await openLink(`${server.url}/api/oauth2-redirect?state=nobody-waits&code=c1`, { width: 390, height: 844 });
    await t.page.waitForURL(`${server.url}/_/#/auth/oauth2-redirect-failure`);
    await t.page.getByRole('heading', { name: 'Sign-in failed' }).waitFor();
    await t.page.goto(`${server.url}/_/#/auth/oauth2-redirect-success`);
    await t.page.getByRole('heading', { name: 'Sign-in complete' }).waitFor();
  });

  it('lists a request in the logs, filters, and shows its detail', async () => {
    const marker = `dashmark${Date.now()}`;
    const probe = await fetch(`${server.url}/api/collections/users/records?perPage=1&${marker}=1`);
    expect(probe.status).toBe(200);
    expect((await fetch(`${server.url}/api/test/dash-log`)).status).toBe(200);
    const admin = await server.admin();
    // Entries are written in batches: wait until the request's is stored.
    await expect.poll(async () => (await admin.logs.getList(1, 1, { filter: admin.filter('message ~ {:m} && data.auth = "guest"', { m: marker }) })).totalItems, { timeout: 15_000 }).toBe(1);
    await expect.poll(async () => (await admin.logs.getList(1, 1, { filter: 'message = "stock is low"' })).totalItems, { timeout: 15_000 }).toBe(1);

    const t = await open('#/login');
    // A step that waits longer than this fails by name instead of running into the test's timeout.
    t.page.setDefaultTimeout(20_000);
    await signInAsSuperuser(t.page);
    await t.page.getByRole('link', { name: 'Logs' }).click();
    await t.page.waitForURL(/#\/logs$/);
    await t.page.getByRole('img', { name: /entries between/ }).waitFor();
    await t.page.getByLabel('Filter').fill(`message ~ "${marker}"`);
    await t.page.getByLabel('Filter').press('Enter');
    const row = t.page.getByRole('button', { name: new RegExp(marker) });
    await row.waitFor();
    await expect.poll(() => t.page.getByRole('button', { name: /^GET / }).count()).toBe(1);
    await row.click();
    const drawer = t.page.getByRole('dialog', { name: 'Log entry' });
    await drawer.waitFor();
    await drawer.getByRole('rowheader', { name: 'data.status' }).waitFor();
    await drawer.getByRole('rowheader', { name: 'data.execTime' }).waitFor();
    expect(await drawer.getByLabel('The entry as JSON').textContent()).toContain(`"auth": "guest"`);
    // The focus trap (which handles Escape) runs after the panel is drawn.
    await expect.poll(() => drawer.evaluate((el) => el.contains(el.ownerDocument.activeElement))).toBe(true);
    await t.page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    // The level filter, with an app entry (which names no auth) kept while superusers' requests are left out.
    await t.page.getByLabel('Filter').fill('');
    await t.page.getByLabel('Level').selectOption({ label: 'Warn' });
    await t.page.getByRole('button', { name: 'stock is low' }).waitFor();
    await expect.poll(() => t.page.locator('.logs-open').count()).toBe(1);
    await t.page.getByLabel('Level').selectOption({ label: 'All levels' });
    // A bad filter is the API's 400, shown under the box.
    t.allowConsoleError('status of 400');
    await t.page.getByLabel('Filter').fill('nosuchfield = 1');
    await t.page.getByLabel('Filter').press('Enter');
    await t.page.locator('.field-error').waitFor();
    await t.page.getByLabel('Filter').fill('');
    await t.page.getByLabel("Include superusers' requests").check();
    await t.page.getByRole('button', { name: /^GET \/api\/logs/ }).first().waitFor();
    await screenshot(t, 'logs');
  }, 60_000);

  it('narrows the logs and the chart to a UTC date range kept in the URL, with the filter box', async () => {
    const marker = `rangemark${Date.now()}`;
    expect((await fetch(`${server.url}/api/collections/users/records?perPage=1&${marker}=1`)).status).toBe(200);
    const admin = await server.admin();
    // The poll's own requests carry the marker too (in their filter): only the guest's counts.
    await expect.poll(async () => (await admin.logs.getList(1, 1, { filter: admin.filter('message ~ {:m} && data.auth = "guest"', { m: marker }) })).totalItems, { timeout: 15_000 }).toBe(1);
    const minute = (ms: number) => new Date(ms).toISOString().slice(0, 16);
    const hour = 3_600_000;
    const from = minute(Date.now() - 3 * hour);
    const to = minute(Date.now() + 2 * hour);

    const t = await open('#/login');
    await signInAsSuperuser(t.page);
    await t.page.getByRole('link', { name: 'Logs' }).click();
    await t.page.waitForURL(/#\/logs$/);
    await t.page.getByLabel('Filter').fill(`message ~ "${marker}"`);
    await t.page.getByLabel('Filter').press('Enter');
    await t.page.getByRole('button', { name: new RegExp(marker) }).waitFor();
    await t.page.getByLabel('From (UTC)').fill(from);
    await t.page.getByLabel('To (UTC)').fill(to);
    const hashQuery = () => Object.fromEntries(new URLSearchParams(new URL(t.page.url()).hash.split('?')[1] ?? ''));
    await expect.poll(hashQuery).toEqual({ filter: `message ~ "${marker}"`, from, to });
    await expect.poll(() => t.page.locator('.logs-open').count()).toBe(1);
    // The chart spans the range's hours, not the last day.
    const chart = t.page.getByRole('img', { name: /entries between/ });
    const floorHour = (value: string) => `${value.slice(0, 13)}:00:00.000Z`;
    await expect.poll(() => chart.getAttribute('data-first')).toBe(floorHour(from));
    expect(await chart.getAttribute('data-last')).toBe(floorHour(to));
    expect(await chart.getAttribute('aria-label')).toMatch(/^1 entries between/);
    await screenshot(t, 'range');

    // A reload keeps the range and the filter from the URL.
    await t.page.reload();
    await expect.poll(() => t.page.getByLabel('From (UTC)').inputValue()).toBe(from);
    expect(await t.page.getByLabel('To (UTC)').inputValue()).toBe(to);
    expect(await t.page.getByLabel('Filter').inputValue()).toBe(`message ~ "${marker}"`);
    await expect.poll(() => t.page.locator('.logs-open').count()).toBe(1);

    // A range in the past: the entry is outside it, and the chart has nothing.
    await t.page.getByLabel('To (UTC)').fill('2020-01-02T00:00');
    await t.page.getByLabel('From (UTC)').fill('2020-01-01T00:00');
    await t.page.getByText('No log entries').waitFor();
    expect(await t.page.getByText('No entries to chart.').count()).toBe(1);
    // From after To is refused next to the inputs, and the last good range stays.
    await t.page.getByLabel('From (UTC)').fill('2020-01-03T00:00');
    await t.page.getByText('From must not be after To.').waitFor();
    expect(hashQuery()).toMatchObject({ from: '2020-01-01T00:00', to: '2020-01-02T00:00' });
    await t.page.getByRole('button', { name: 'Clear range' }).click();
    await t.page.getByRole('button', { name: new RegExp(marker) }).waitFor();
    expect(hashQuery()).toEqual({ filter: `message ~ "${marker}"` });
  });

  it('runs a SELECT in the SQL console and shows the error of a bad query', async () => {
    const user = await newUser();
    const t = await open('#/login');
    await signInAsSuperuser(t.page);
    await t.page.getByRole('link', { name: 'SQL' }).click();
    await t.page.waitForURL(/#\/sql$/);
    const box = t.page.getByLabel('SQL query');
    await box.fill(`SELECT id, email, verified FROM users WHERE email = '${user.email}'`);
    await t.page.getByRole('button', { name: 'Run' }).click();
    const results = t.page.getByRole('region', { name: 'Results' });
    await results.getByRole('cell', { name: user.email }).waitFor();
    expect(await results.getByRole('columnheader').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/^email/), expect.stringMatching(/^verified/)]));
    await results.getByText(/1 row · 0 affected · \d+ ms/).waitFor();
    await screenshot(t, 'sql');

    t.allowConsoleError('status of 400');
    await box.fill('SELECT * FROM no_such_table');
    await box.press('Control+Enter');
    await t.page.getByRole('alert').filter({ hasText: 'Failed to execute query' }).waitFor();
    expect(await results.count()).toBe(0);
    // Both queries are in the history, newest first, after a reload too.
    await t.page.reload();
    const history = t.page.getByRole('region', { name: 'History' }).getByRole('button', { name: /^SELECT/ });
    await expect.poll(() => history.allTextContents()).toEqual(['SELECT * FROM no_such_table', `SELECT id, email, verified FROM users WHERE email = '${user.email}'`]);
    await history.nth(1).click();
    expect(await box.inputValue()).toContain(user.email);
  });
});
