/**
 * The rule editor and the ★ rule tester in Chromium (docs/rule-editor.md): autocompletion of fields
 * and `@request` paths inserted by keyboard, the server parser's syntax error shown inline, and the
 * tester's verdicts with the deciding sub-expression for the owner, another user and a guest.
 * On SQLite, or PostgreSQL with PLINTH_TEST_DIALECT=postgres.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { browserSkipReason, launchBrowser, type TestBrowser, type TestPage } from './helpers/browser.js';
import { buildTestDashboard, type TestDashboard } from './helpers/dashboard-build.js';

const skip = browserSkipReason();
const OWNER_RULE = '@request.auth.id != "" && owner = @request.auth.id';
const STAFF_AUTH_RULE = '@request.context = "otp" || verified = true';
const STAFF_MANAGE_RULE = '@request.auth.collectionName = "users" && @request.auth.email ~ "alice"';
// PLINTH_DASHBOARD_SCREENSHOTS=1 writes docs/screenshots/rules-*.png (light theme, 1280×800); otherwise the tree stays clean.
const SCREENSHOTS = process.env.PLINTH_DASHBOARD_SCREENSHOTS === '1' ? fileURLToPath(new URL('../docs/screenshots/', import.meta.url)) : undefined;

describe.skipIf(skip !== undefined)('the rule editor and the rule tester', () => {
  let dashboard: TestDashboard;
  let server: TestServer;
  let browser: TestBrowser;
  let current: TestPage | undefined;
  let postId: string;
  let carolId: string;

  beforeAll(async () => {
    dashboard = await buildTestDashboard();
    server = await startTestServer({ dashboardDir: dashboard.dir });
    const pb = await server.admin();
    const users = await pb.collections.getOne('users');
    await pb.collections.create({
      name: 'posts',
      type: 'base',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'owner', type: 'relation', collectionId: users.id, maxSelect: 1 },
      ],
      listRule: OWNER_RULE,
      viewRule: OWNER_RULE,
      createRule: '@request.auth.id != ""',
      updateRule: OWNER_RULE,
      deleteRule: null,
    });
    const alice = await pb.collection('users').create({ email: 'alice@example.com', password: 'alice-password-1', passwordConfirm: 'alice-password-1' });
    await pb.collection('users').create({ email: 'bob@example.com', password: 'bob-password-12', passwordConfirm: 'bob-password-12' });
    postId = (await pb.collection('posts').create({ title: 'Alice writes', owner: alice.id })).id;
    await pb.collections.create({
      name: 'staff', type: 'auth', fields: [{ name: 'role', type: 'text' }],
      authRule: STAFF_AUTH_RULE, manageRule: STAFF_MANAGE_RULE,
    });
    carolId = (await pb.collection('staff').create({ email: 'carol@example.com', role: 'clerk', password: 'carol-password-1', passwordConfirm: 'carol-password-1' })).id;
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    dashboard?.remove();
  });

  afterEach(() => {
    const page = current;
    current = undefined;
    page?.assertNoConsoleErrors();
  });

  async function screenshot(page: TestPage['page'], name: string): Promise<void> {
    if (!SCREENSHOTS) return;
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: `${SCREENSHOTS}rules-${name}.png` });
  }

  async function openRulesPage(collection = 'posts'): Promise<TestPage> {
    current = await browser.newPage();
    const { page, context } = current;
    // Fail at the step that hangs, well inside the test's own timeout.
    page.setDefaultTimeout(8000);
    // Signed in as the SDK's LocalAuthStore keeps it (the sign-in page has its own test in dashboard-shell).
    const admin = await server.admin();
    const auth = JSON.stringify({ token: admin.authStore.token, record: admin.authStore.record });
    await context.addInitScript(`localStorage.setItem('pocketbase_auth', ${JSON.stringify(auth)})`);
    await page.goto(`${server.url}/_/#/collections/${collection}/rules`);
    await page.getByRole('heading', { name: `${collection} · API rules` }).waitFor();
    return current;
  }

  it('shows the five rules read-only, with a link to the schema editor', async () => {
    const { page } = await openRulesPage();
    const rules = page.locator('.rules-list');
    await expect.poll(() => rules.locator('dd').allTextContents()).toEqual([OWNER_RULE, OWNER_RULE, '@request.auth.id != ""', OWNER_RULE, 'Superusers only (locked)']);
    expect(await page.getByRole('link', { name: 'Edit the rules' }).getAttribute('href')).toBe('#/collections/posts/schema');
  });

  it('completes fields and @request paths by keyboard and shows a syntax error inline', async () => {
    const { page } = await openRulesPage();
    const box = page.getByRole('combobox', { name: 'Find a record (text or filter)' });
    const list = page.getByRole('listbox', { name: 'Suggestions' });
    await box.click();
    await box.pressSequentially('ti');
    await expect.poll(() => list.getByRole('option').allTextContents()).toEqual([expect.stringContaining('title')]);
    expect(await box.getAttribute('aria-expanded')).toBe('true');
    expect(await box.getAttribute('aria-activedescendant')).toBe(await list.getByRole('option').first().getAttribute('id'));
    await page.keyboard.press('Enter');
    await expect.poll(() => box.inputValue()).toBe('title');
    expect(await list.isHidden()).toBe(true);

    // A relation path: `owner.` lists the users' fields.
    await box.pressSequentially(' ~ "Alice" && owner.');
    await box.press('Control+ ');
    await expect.poll(() => list.locator('code', { hasText: /^owner\.email$/ }).count()).toBe(1);
    await page.keyboard.press('Escape');
    expect(await list.isHidden()).toBe(true);

    // `@request.a` → `@request.auth.` (Tab), which opens the auth fields; ArrowDown moves the active option.
    await box.pressSequentially('email = @request.a');
    await expect.poll(() => list.getByRole('option').first().textContent()).toContain('@request.auth.');
    await page.keyboard.press('Tab');
    await expect.poll(() => box.inputValue()).toBe('title ~ "Alice" && owner.email = @request.auth.');
    await expect.poll(() => list.locator('code', { hasText: /^@request\.auth\.email$/ }).count()).toBe(1);
    await screenshot(page, 'autocomplete');
    const options = list.getByRole('option');
    const second = await options.nth(1).locator('code').textContent();
    await page.keyboard.press('ArrowDown');
    expect(await options.nth(1).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Enter');
    await expect.poll(() => box.inputValue()).toBe(`title ~ "Alice" && owner.email = ${second!}`);

    // An unbalanced group: the parser's reason, where it is, and the box marked invalid.
    await box.fill('title = "x" && (owner = "y"');
    const error = page.getByText(/^Syntax error:/);
    await expect.poll(() => error.textContent()).toBe("Syntax error: unbalanced '(' (line 1, column 16)");
    expect(await box.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('.rule-editor-mirror mark').textContent()).toBe('(');
    // Plain words are a search, not an error; a valid filter clears the error and finds the record.
    await box.fill('Alice');
    expect(await error.count()).toBe(0);
    await box.fill('title ~ "Alice"');
    await expect.poll(() => page.getByRole('radio', { name: new RegExp(`^${postId}`) }).count()).toBe(1);
    expect(await box.getAttribute('aria-invalid')).toBeNull();
  });

  it('tests the rules: allowed for the owner, denied for another user and a guest, with the deciding part', async () => {
    const { page } = await openRulesPage();
    const requester = page.getByRole('group', { name: 'Requester' });
    const record = page.getByRole('group', { name: 'Record of posts' });
    const update = page.getByRole('article', { name: 'update rule result' });
    const deciding = update.locator('li.decides code');

    await record.getByRole('combobox').fill('Alice');
    await record.getByRole('radio', { name: `${postId} · Alice writes` }).check();
    await requester.getByLabel('Search auth records').fill('alice@');
    await requester.getByRole('radio', { name: 'users · alice@example.com' }).check();
    await page.getByRole('button', { name: 'Test the rules' }).click();
    await expect.poll(() => update.locator('.rule-tester-verdict').textContent()).toBe('Allowed');
    expect(await deciding.allTextContents()).toEqual([OWNER_RULE, '@request.auth.id != ""', 'owner = @request.auth.id']);
    const verdicts = await page.locator('.rule-tester-result').evaluateAll((els) =>
      els.map((el) => `${el.getAttribute('data-action')}: ${el.querySelector('.rule-tester-verdict')?.textContent ?? ''}`));
    expect(verdicts).toEqual(['list: Allowed', 'view: Allowed', 'create: Allowed', 'update: Allowed', 'delete: Denied']);
    await screenshot(page, 'tester');

    await requester.getByLabel('Search auth records').fill('bob@');
    await requester.getByRole('radio', { name: 'users · bob@example.com' }).check();
    await page.getByRole('button', { name: 'Test the rules' }).click();
    await expect.poll(() => update.locator('.rule-tester-verdict').textContent()).toBe('Denied');
    expect(await deciding.allTextContents()).toEqual([OWNER_RULE, 'owner = @request.auth.id']);
    expect(await update.locator('li.decides', { hasText: 'owner = @request.auth.id' }).locator('.trace-decides').textContent()).toBe('decided');

    await requester.getByRole('radio', { name: 'Guest (not signed in)' }).check();
    await page.getByRole('button', { name: 'Test the rules' }).click();
    await expect.poll(() => deciding.allTextContents()).toEqual([OWNER_RULE, '@request.auth.id != ""']);
    expect(await update.locator('.rule-tester-verdict').textContent()).toBe('Denied');
  });

  it('rejects a body that is not a JSON object, next to the box', async () => {
    const { page } = await openRulesPage();
    await page.getByText('Request body, query and headers').click();
    await page.getByLabel('Body (JSON, for create and update)').fill('[1, 2]');
    await page.getByLabel('Headers (JSON object of text)').fill('{"x": 1}');
    await page.getByRole('button', { name: 'Test the rules' }).click();
    await expect.poll(() => page.getByText('Must be a JSON object, e.g. {"key": "value"}.').count()).toBe(1);
    expect(await page.getByText('The value of "x" must be text.').count()).toBe(1);
    expect(await page.locator('.rule-tester-result').count()).toBe(0);
  });

  it('tests an auth collection\'s authRule by sign-in method and its manageRule by requester', async () => {
    const { page } = await openRulesPage('staff');
    await expect.poll(() => page.locator('.rules-list dt').allTextContents()).toEqual(['list', 'view', 'create', 'update', 'delete', 'auth', 'manage']);
    expect(await page.locator('.rules-list dd').nth(5).textContent()).toBe(STAFF_AUTH_RULE);
    const requester = page.getByRole('group', { name: 'Requester' });
    const record = page.getByRole('group', { name: 'Record of staff' });
    const auth = page.getByRole('article', { name: 'auth rule result' });
    const manage = page.getByRole('article', { name: 'manage rule result' });

    await record.getByRole('combobox').fill('carol');
    await record.getByRole('radio', { name: `${carolId} · carol@example.com` }).check();
    await requester.getByLabel('Search auth records').fill('alice@');
    await requester.getByRole('radio', { name: 'users · alice@example.com' }).check();
    await page.getByRole('button', { name: 'Test the rules' }).click();
    // Carol is not verified, and a password sign-in is not an OTP one.
    await expect.poll(() => auth.locator('.rule-tester-verdict').textContent()).toBe('Denied');
    expect(await auth.locator('li.decides code').allTextContents()).toEqual([STAFF_AUTH_RULE, '@request.context = "otp"', 'verified = true']);
    expect(await manage.locator('.rule-tester-verdict').textContent()).toBe('Allowed');
    expect(await manage.locator('.field-help').first().textContent()).toBe('The manageRule lets this requester manage this record.');

    await page.getByText('Request body, query and headers').click();
    await page.getByLabel('Sign-in method (authRule)').selectOption('otp');
    await requester.getByLabel('Search auth records').fill('bob@');
    await requester.getByRole('radio', { name: 'users · bob@example.com' }).check();
    await page.getByRole('button', { name: 'Test the rules' }).click();
    await expect.poll(() => auth.locator('.rule-tester-verdict').textContent()).toBe('Allowed');
    expect(await auth.locator('li.decides code').allTextContents()).toEqual([STAFF_AUTH_RULE, '@request.context = "otp"']);
    await expect.poll(() => manage.locator('.rule-tester-verdict').textContent()).toBe('Denied');
    expect(await manage.locator('li.decides code').allTextContents()).toEqual([STAFF_MANAGE_RULE, '@request.auth.email ~ "alice"']);
    await screenshot(page, 'tester-auth');

    // Without a record, the two auth rules say what they need.
    await record.getByRole('radio', { name: /^No record/ }).check();
    await page.getByRole('button', { name: 'Test the rules' }).click();
    await expect.poll(() => auth.textContent()).toContain('Pick a record to judge this rule.');
  });
});
