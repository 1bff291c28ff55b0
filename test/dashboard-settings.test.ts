/**
 * The dashboard's settings screens (docs/dashboard.md, "Settings") in Chromium: the
 * application name, mail settings and a test mail caught by a real SMTP inbox, backups
 * (create, download, upload, restore, delete, schedule), running a cron, and editing a
 * rate-limit rule — each checked through the API, and the server's field errors shown.
 * On SQLite, or PostgreSQL with PLINTH_TEST_DIALECT=postgres.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { browserSkipReason, launchBrowser, type TestBrowser, type TestPage } from './helpers/browser.js';
import { buildTestDashboard, type TestDashboard } from './helpers/dashboard-build.js';
import { startSmtpInbox, type SmtpInbox } from './helpers/smtp-inbox.js';
import { startTestS3 } from './helpers/test-s3.js';
import { ClientResponseError } from 'pocketbase';
import { settingsErrors } from '../dashboard/src/pages/settings/settings-errors.js';

describe('the settings form\'s errors', () => {
  it('names every refused setting by its path, a setting no control shows included', () => {
    const err = new ClientResponseError({
      status: 400,
      response: {
        status: 400, message: 'Failed to update the settings.',
        data: {
          backups: { s3: { enabled: { code: 'validation_unsupported_setting', message: 'S3 backups is not implemented in Plinth yet.' } } },
          rateLimits: { rules: { 1: { label: { code: 'validation_invalid_value', message: 'Invalid value.' } } } },
          futureSetting: { code: 'validation_unknown_field', message: 'Unknown setting.' },
        },
      },
    });
    expect(settingsErrors(err)).toEqual({
      form: 'Failed to update the settings.',
      fields: {
        'backups.s3.enabled': 'S3 backups is not implemented in Plinth yet.',
        'rateLimits.rules.1.label': 'Invalid value.',
        futureSetting: 'Unknown setting.',
      },
    });
  });

  it('keeps the message of a failure that is not the server\'s answer', () => {
    expect(settingsErrors(new Error('offline'))).toEqual({ form: 'offline', fields: {} });
  });
});

const skip = browserSkipReason();
/** PLINTH_DASHBOARD_SCREENSHOTS=1 writes the screens into docs/screenshots/ (light theme, 1280×800). */
const SCREENSHOTS = process.env.PLINTH_DASHBOARD_SCREENSHOTS === '1' ? fileURLToPath(new URL('../docs/screenshots', import.meta.url)) : undefined;

describe.skipIf(skip !== undefined)('the settings screens in Chromium', () => {
  let dashboard: TestDashboard;
  let server: TestServer;
  let inbox: SmtpInbox;
  let browser: TestBrowser;
  let current: TestPage | undefined;

  beforeAll(async () => {
    [dashboard, inbox, browser] = await Promise.all([buildTestDashboard(), startSmtpInbox(), launchBrowser()]);
    server = await startTestServer({ dashboardDir: dashboard.dir });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await inbox?.close();
    dashboard?.remove();
  });

  afterEach(() => {
    const page = current;
    current = undefined;
    page?.assertNoConsoleErrors();
  });

  /**
   * A fresh page signed in as the superuser (the SDK's stored auth, as after a sign-in: the
   * sign-in page itself is tested by dashboard-shell.test.ts), on `#/settings/{section}`.
   */
  async function openSettings(section: string): Promise<TestPage> {
    current = await browser.newPage();
    const { page, context } = current;
    const admin = await server.admin();
    const auth = JSON.stringify({ token: admin.authStore.token, record: admin.authStore.record });
    await context.addInitScript({ content: `localStorage.setItem('pocketbase_auth', ${JSON.stringify(auth)});` });
    await page.goto(`${server.url}/_/#/settings`);
    await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: section, exact: true }).click();
    return current;
  }

  async function settings(): Promise<any> {
    return (await server.admin()).settings.getAll();
  }

  async function screenshot(t: TestPage, name: string): Promise<void> {
    if (!SCREENSHOTS) return;
    mkdirSync(SCREENSHOTS, { recursive: true });
    await t.page.screenshot({ path: join(SCREENSHOTS, `settings-${name}.png`) });
  }

  it('renames the application', async () => {
    const t = await openSettings('Application');
    await t.page.waitForURL(/#\/settings\/application$/);
    // The shell's navigation lists the settings.
    expect(await t.page.getByRole('link', { name: 'Settings', exact: true }).getAttribute('aria-current')).toBe('page');
    const name = t.page.getByLabel('Application name');
    expect(await name.inputValue()).toBe((await settings()).meta.appName);
    await name.fill('Acme Shop');
    await t.page.getByRole('button', { name: 'Save changes' }).click();
    await t.page.getByText('Settings saved').waitFor();
    expect((await settings()).meta.appName).toBe('Acme Shop');
    await screenshot(t, 'application');
    // A reload shows the saved value.
    await t.page.reload();
    await expect.poll(() => t.page.getByLabel('Application name').inputValue()).toBe('Acme Shop');
  });

  it('saves the SMTP settings and sends a test mail the inbox receives', async () => {
    const t = await openSettings('Mail');
    await t.page.getByLabel('Sender address').fill('shop@example.com');
    await t.page.getByLabel('Use an SMTP server').check();
    await t.page.getByLabel('SMTP host').fill('127.0.0.1');
    await t.page.getByLabel('SMTP port').fill(String(inbox.port));
    await t.page.getByRole('button', { name: 'Save changes' }).click();
    await t.page.getByText('Settings saved').waitFor();
    const saved = await settings();
    expect(saved.meta.senderAddress).toBe('shop@example.com');
    expect(saved.smtp).toMatchObject({ enabled: true, host: '127.0.0.1', port: inbox.port });

    await t.page.getByRole('button', { name: 'Send test mail' }).click();
    const dialog = t.page.getByRole('dialog', { name: 'Send test mail' });
    await dialog.getByLabel('Template').selectOption('password-reset');
    await dialog.getByLabel('Auth collection').selectOption('users');
    await dialog.getByLabel('To address').fill('someone@example.com');
    await dialog.getByRole('button', { name: 'Send' }).click();
    await t.page.getByText('Test mail sent to someone@example.com').waitFor();
    const mail = await inbox.next('someone@example.com');
    expect(mail.from).toBe('shop@example.com');
    expect(mail.decoded).toContain('confirm-password-reset/');
  });

  it('shows the server\'s field errors and changes nothing on a refused save', async () => {
    const t = await openSettings('Rate limits');
    t.allowConsoleError('status of 400');
    await t.page.getByLabel('Rule 1 label').fill('not a label');
    await t.page.getByRole('button', { name: 'Save changes' }).click();
    const alert = t.page.getByRole('alert');
    await alert.getByText('rateLimits.rules.0.label').waitFor();
    expect(await t.page.getByLabel('Rule 1 label').getAttribute('aria-invalid')).toBe('true');
    expect((await settings()).rateLimits.rules[0].label).not.toBe('not a label');
  });

  it('edits and adds rate-limit rules', async () => {
    const t = await openSettings('Rate limits');
    await t.page.getByLabel('Enable rate limiting').check();
    await t.page.getByLabel('Rule 1 label').fill('/api/');
    await t.page.getByLabel('Rule 1 max requests').fill('500');
    await t.page.getByLabel('Rule 1 duration in seconds').fill('10');
    await t.page.getByLabel('Rule 1 audience').selectOption('@guest');
    const count = (await settings()).rateLimits.rules.length as number;
    await t.page.getByRole('button', { name: 'Add rule' }).click();
    await t.page.getByLabel(`Rule ${count + 1} label`).fill('POST /api/batch');
    await t.page.getByRole('button', { name: 'Save changes' }).click();
    await t.page.getByText('Settings saved').waitFor();
    const limits = (await settings()).rateLimits;
    expect(limits.enabled).toBe(true);
    expect(limits.rules[0]).toEqual({ label: '/api/', maxRequests: 500, duration: 10, audience: '@guest' });
    expect(limits.rules[count]).toMatchObject({ label: 'POST /api/batch', audience: '' });
    // Turned off again, so the rest of the file is not limited.
    await t.page.getByLabel('Enable rate limiting').uncheck();
    await t.page.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(async () => (await settings()).rateLimits.enabled).toBe(false);
  });

  it('lists the crons and runs one now', async () => {
    const t = await openSettings('Crons');
    const row = t.page.getByRole('row', { name: /__pbLogsCleanup__/ });
    await row.waitFor();
    const ran = t.page.waitForResponse((r) => r.url().endsWith('/api/crons/__pbLogsCleanup__') && r.request().method() === 'POST');
    await row.getByRole('button', { name: 'Run __pbLogsCleanup__ now' }).click();
    expect((await ran).status()).toBe(204);
    await t.page.getByText('Started __pbLogsCleanup__').waitFor();
  });

  it('creates, downloads, uploads, restores and deletes backups, and schedules them', async () => {
    const t = await openSettings('Backups');
    const { page } = t;
    t.allowConsoleError('status of 400');
    await page.getByText('No backups yet').waitFor();

    // A bad name is the server's field error.
    await page.getByRole('button', { name: 'New backup' }).click();
    let dialog = page.getByRole('dialog', { name: 'New backup' });
    await dialog.getByLabel('Backup name').fill('Bad Name');
    await dialog.getByRole('button', { name: 'Start backup' }).click();
    await dialog.locator('.field-error').waitFor();
    await dialog.getByLabel('Backup name').fill('ui_backup.zip');
    await dialog.getByRole('button', { name: 'Start backup' }).click();
    await page.getByRole('row', { name: /ui_backup\.zip/ }).waitFor();
    expect((await (await server.admin()).backups.getFullList()).map((b) => b.key)).toContain('ui_backup.zip');

    // Download with a file token.
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download ui_backup.zip' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe('ui_backup.zip');
    const zip = readFileSync((await download.path())!);
    expect(zip.subarray(0, 2).toString()).toBe('PK');

    // Upload it back under another name.
    const uploaded = join(server.dir, 'uploaded_copy.zip');
    writeFileSync(uploaded, zip);
    await page.getByLabel('Upload backup').setInputFiles(uploaded);
    await page.getByRole('row', { name: /uploaded_copy\.zip/ }).waitFor();

    // Restore: the name taken after the backup goes back to the one in it.
    const before = (await settings()).meta.appName as string;
    await (await server.admin()).settings.update({ meta: { appName: 'Changed After Backup' } });
    await page.getByRole('button', { name: 'Restore ui_backup.zip' }).click();
    dialog = page.getByRole('dialog', { name: 'Restore backup' });
    const restore = dialog.getByRole('button', { name: 'Restore' });
    expect(await restore.isDisabled()).toBe(true);
    await dialog.getByLabel('Type the backup name to confirm').fill('ui_backup.zip');
    const reloaded = page.waitForEvent('load', { timeout: 60_000 });
    await restore.click();
    await reloaded;
    expect((await settings()).meta.appName).toBe(before);
    await page.getByRole('row', { name: /uploaded_copy\.zip/ }).waitFor();

    // Delete, after confirming.
    await page.getByRole('button', { name: 'Delete uploaded_copy.zip' }).click();
    await page.getByRole('dialog', { name: 'Delete backup' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Deleted uploaded_copy.zip').waitFor();
    await expect.poll(() => page.getByRole('row', { name: /uploaded_copy\.zip/ }).count()).toBe(0);
    expect((await (await server.admin()).backups.getFullList()).map((b) => b.key)).not.toContain('uploaded_copy.zip');

    // The schedule: a bad expression is refused and named, a good one saved.
    const schedule = page.getByRole('form', { name: 'Backup options' });
    await schedule.getByLabel('Schedule (cron)').fill('not a cron');
    await schedule.getByRole('button', { name: 'Save changes' }).click();
    await schedule.getByRole('alert').getByText('backups.cron').waitFor();
    expect(await schedule.getByLabel('Schedule (cron)').getAttribute('aria-invalid')).toBe('true');
    await schedule.getByLabel('Schedule (cron)').fill('@daily');
    await schedule.getByLabel('Scheduled backups to keep').fill('5');
    await schedule.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Settings saved').waitFor();
    expect((await settings()).backups).toMatchObject({ cron: '@daily', cronMaxKeep: 5 });
    await screenshot(t, 'backups');
  }, 90_000);

  it('saves the batch, logs and trusted proxy settings', { timeout: 60_000 }, async () => {
    const t = await openSettings('Batch API');
    await t.page.getByLabel('Enable the batch API').check();
    await t.page.getByLabel('Max requests per batch').fill('20');
    await t.page.getByRole('button', { name: 'Save changes' }).click();
    await t.page.getByText('Settings saved').waitFor();
    expect((await settings()).batch).toMatchObject({ enabled: true, maxRequests: 20 });

    await t.page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: 'Logs' }).click();
    await t.page.getByLabel('Days to keep logs').fill('7');
    await t.page.getByLabel('Minimum level').selectOption('4');
    await t.page.getByLabel("Store the signed-in record's id").check();
    await t.page.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(async () => (await settings()).logs).toMatchObject({ maxDays: 7, minLevel: 4, logAuthId: true });

    await t.page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: 'Trusted proxy' }).click();
    await t.page.getByText(/The server sees your address as/).waitFor();
    await t.page.getByLabel('Client IP headers').fill('X-Real-IP, CF-Connecting-IP');
    await t.page.getByLabel('Use the leftmost IP of the header').check();
    await t.page.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(async () => (await settings()).trustedProxy).toEqual({ headers: ['X-Real-IP', 'CF-Connecting-IP'], useLeftmostIP: true });
    expect((await settings()).superuserIPs).toEqual([]);
  });

  it('stores files in S3 and tests the connection, showing the store\'s error', { timeout: 60_000 }, async () => {
    const s3 = await startTestS3(['dash-files']);
    try {
      const t = await openSettings('File storage');
      t.allowConsoleError('status of 400');
      const bucket = s3.settings();
      await t.page.getByLabel('Store files in S3').check();
      await t.page.getByLabel('Endpoint').fill(bucket.endpoint);
      await t.page.getByLabel('Bucket').fill('no-such-bucket');
      await t.page.getByLabel('Region').fill(bucket.region);
      await t.page.getByLabel('Access key').fill(bucket.accessKey);
      await t.page.getByLabel('Secret').fill(bucket.secret);
      await t.page.getByLabel('Force path-style addressing').check();
      await t.page.getByRole('button', { name: 'Save changes' }).click();
      await t.page.getByText('Settings saved').waitFor();
      await t.page.getByRole('button', { name: 'Test connection' }).click();
      await t.page.getByRole('alert').filter({ hasText: 'Failed to test the S3 filesystem' }).waitFor();

      // The saved secret is kept when the box is left empty.
      expect(await t.page.getByLabel('Secret').inputValue()).toBe('');
      await t.page.getByLabel('Bucket').fill('dash-files');
      await t.page.getByRole('button', { name: 'Save changes' }).click();
      await expect.poll(async () => (await settings()).s3.bucket).toBe('dash-files');
      await t.page.getByRole('button', { name: 'Test connection' }).click();
      await t.page.getByText('S3 connection works').waitFor();

      await t.page.getByLabel('Store files in S3').uncheck();
      await t.page.getByRole('button', { name: 'Save changes' }).click();
      await expect.poll(async () => (await settings()).s3.enabled).toBe(false);
    } finally {
      await s3.close();
    }
  });
});
