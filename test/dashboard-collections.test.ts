/**
 * The dashboard's collections editor in Chromium (docs/dashboard.md, "Collections editor"):
 * create a collection with fields of several types and rules, a server error landing on the
 * rule it names, rename a field and add an index, a view collection's preview, auth options
 * that persist, an import/export round trip, dropping a field, truncate and delete — with no console error.
 * On SQLite, or PostgreSQL with PLINTH_TEST_DIALECT=postgres. PLINTH_DASHBOARD_SCREENSHOTS=1 also writes
 * docs/screenshots/collections-*.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type PocketBase from 'pocketbase';
import type { Locator } from 'playwright-core';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { browserSkipReason, launchBrowser, signInAsSuperuser, type TestBrowser, type TestPage } from './helpers/browser.js';
import { buildTestDashboard, type TestDashboard } from './helpers/dashboard-build.js';

const skip = browserSkipReason();
const screenshots = process.env.PLINTH_DASHBOARD_SCREENSHOTS === '1' ? fileURLToPath(new URL('../docs/screenshots/', import.meta.url)) : undefined;

describe.skipIf(skip !== undefined)('the collections editor in Chromium', () => {
  let dashboard: TestDashboard;
  let server: TestServer;
  let browser: TestBrowser;
  let t: TestPage;
  let pb: PocketBase;

  beforeAll(async () => {
    dashboard = await buildTestDashboard();
    server = await startTestServer({ dashboardDir: dashboard.dir });
    pb = await server.admin();
    browser = await launchBrowser();
    t = await browser.newPage();
    await t.page.goto(`${server.url}/_/#/login`);
    await signInAsSuperuser(t.page);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    dashboard?.remove();
  });

  const field = (name: string): Locator => t.page.getByRole('listitem', { name: `Field ${name}`, exact: true });
  const tab = (name: string): Promise<void> => t.page.getByRole('tab', { name }).click();
  const rule = (label: string): Locator => t.page.getByRole('group', { name: label, exact: true });
  const save = async (label = 'Save changes'): Promise<void> => {
    await t.page.getByRole('button', { name: label }).click();
  };
  /** Waits for the toast saying `text`, then dismisses it (toasts sit over the form's buttons). */
  const toastSays = async (text: string): Promise<void> => {
    const shown = t.page.locator('.toast').filter({ hasText: text }).first();
    await shown.waitFor();
    await shown.getByRole('button', { name: 'Dismiss' }).click();
  };

  async function addField(type: string, name: string): Promise<Locator> {
    await t.page.getByLabel('New field type').selectOption(type);
    await t.page.getByRole('button', { name: 'Add field' }).click();
    await field('field').getByLabel('Field name').fill(name);
    return field(name);
  }

  it('creates a base collection with fields of several types and its rules', async () => {
    await t.page.getByRole('link', { name: 'New collection' }).click();
    await t.page.waitForURL(/#\/new-collection$/);
    await t.page.getByLabel('Collection name').fill('posts');
    const title = await addField('text', 'title');
    await title.getByLabel('Required').check();
    await title.getByLabel('Max length').fill('120');
    await title.getByLabel('Help text').fill('The headline readers see');
    await title.getByLabel('Presentable').check();
    const views = await addField('number', 'views');
    await views.getByLabel('Integers only').check();
    await views.getByLabel('Min', { exact: true }).fill('0');
    const status = await addField('select', 'status');
    await status.getByLabel('Choices').fill('draft, published');
    const secret = await addField('text', 'secret_note');
    await secret.getByLabel('Hidden').check();
    const author = await addField('relation', 'author');
    await author.getByLabel('Related collection').selectOption({ label: 'users' });
    await addField('json', 'meta');
    // Reorder: status goes above views.
    await t.page.getByRole('button', { name: 'Move status up' }).click();

    await tab('API rules');
    await rule('List/Search rule').getByLabel('Everyone').check();
    await rule('View rule').getByLabel('Custom rule').check();
    await t.page.getByLabel('View rule filter').fill("status = 'published'");
    await rule('Create rule').getByLabel('Custom rule').check();
    await t.page.getByLabel('Create rule filter').fill("@request.auth.id != ''");
    await save('Create');
    await t.page.waitForURL(/#\/collections\/posts\/schema$/);
    await toastSays('Created posts');

    const posts = await pb.collections.getOne('posts');
    expect(posts.fields.map((f) => f.name)).toEqual(['id', 'created', 'updated', 'title', 'status', 'views', 'secret_note', 'author', 'meta']);
    const byName = (name: string) => posts.fields.find((f) => f.name === name)!;
    expect(byName('title')).toMatchObject({ type: 'text', required: true, max: 120, help: 'The headline readers see', presentable: true });
    expect(byName('views')).toMatchObject({ type: 'number', onlyInt: true, min: 0 });
    expect(byName('status')).toMatchObject({ type: 'select', values: ['draft', 'published'], maxSelect: 1 });
    expect(byName('secret_note')).toMatchObject({ hidden: true });
    expect(byName('author')).toMatchObject({ type: 'relation', collectionId: '_pb_users_auth_' });
    expect(byName('created')).toMatchObject({ type: 'autodate', onCreate: true, onUpdate: false });
    expect(posts).toMatchObject({ listRule: '', viewRule: "status = 'published'", createRule: "@request.auth.id != ''", updateRule: null, deleteRule: null });
  });

  it('puts a server error on the rule it names, and changes nothing', async () => {
    t.allowConsoleError('status of 400');
    await tab('API rules');
    await rule('Update rule').getByLabel('Custom rule').check();
    await t.page.getByLabel('Update rule filter').fill('no_such_field = 1');
    await save();
    await rule('Update rule').locator('.field-error').waitFor();
    expect(await t.page.getByLabel('Update rule filter').getAttribute('aria-invalid')).toBe('true');
    expect((await pb.collections.getOne('posts')).updateRule).toBeNull();
    await rule('Update rule').getByLabel('Superusers only').check();
  });

  it('renames a field, keeping its data, and adds a unique index', async () => {
    const record = await pb.collection('posts').create({ title: 'Hello', status: 'published' });
    const before = await pb.collections.getOne('posts');
    await tab('Fields');
    await field('title').getByLabel('Field name').fill('headline');
    await tab('Indexes');
    await t.page.getByRole('button', { name: 'Add index' }).click();
    const dialog = t.page.getByRole('dialog', { name: 'New index' });
    await dialog.getByLabel('Index name').fill('idx_posts_headline');
    await dialog.getByLabel('Unique').check();
    await dialog.getByLabel('headline', { exact: true }).check();
    await dialog.getByRole('button', { name: 'Set index' }).click();
    await t.page.getByText('CREATE UNIQUE INDEX `idx_posts_headline` ON `posts` (`headline`)').waitFor();
    if (screenshots) {
      mkdirSync(screenshots, { recursive: true });
      await tab('Fields');
      await t.page.screenshot({ path: `${screenshots}collections-editor.png` });
    }
    await save();
    await toastSays('Saved posts');

    const after = await pb.collections.getOne('posts');
    const headline = after.fields.find((f) => f.name === 'headline')!;
    expect(headline.id).toBe(before.fields.find((f) => f.name === 'title')!.id);
    expect(after.indexes.some((sql) => /CREATE UNIQUE INDEX `idx_posts_headline` ON `posts` \(`headline`\)/.test(sql))).toBe(true);
    expect((await pb.collection('posts').getOne(record.id)).headline).toBe('Hello');
    // The unique index holds.
    await expect(pb.collection('posts').create({ headline: 'Hello' })).rejects.toMatchObject({ status: 400 });
  });

  it('sets a sort order and a collation per index column, and edits a stored one without losing them', async () => {
    await tab('Indexes');
    await t.page.getByRole('button', { name: 'Edit idx_posts_headline' }).click();
    const dialog = t.page.getByRole('dialog', { name: 'Edit index' });
    await dialog.getByLabel('views', { exact: true }).check();
    await dialog.getByLabel('headline collation').selectOption('NOCASE');
    await dialog.getByLabel('views sort order').selectOption('DESC');
    const statement = 'CREATE UNIQUE INDEX `idx_posts_headline` ON `posts` (`headline` COLLATE NOCASE, `views` DESC)';
    await dialog.getByText(statement).waitFor();
    await dialog.getByRole('button', { name: 'Set index' }).click();
    await t.page.getByText(statement).waitFor();
    await save();
    await toastSays('Saved posts');
    expect((await pb.collections.getOne('posts')).indexes).toContain(statement);
    // NOCASE holds: the same headline in other case and the same views is a duplicate.
    const views = (await pb.collection('posts').getFirstListItem('headline = "Hello"')).views;
    await expect(pb.collection('posts').create({ headline: 'HELLO', views })).rejects.toMatchObject({ status: 400 });

    // Reopened, the form reads both back.
    await t.page.reload();
    await tab('Indexes');
    await t.page.getByRole('button', { name: 'Edit idx_posts_headline' }).click();
    expect(await dialog.getByLabel('headline collation').inputValue()).toBe('NOCASE');
    expect(await dialog.getByLabel('views sort order').inputValue()).toBe('DESC');
    expect(await dialog.getByLabel('headline sort order').inputValue()).toBe('');
    await dialog.getByLabel('views sort order').selectOption('ASC');
    await dialog.getByText('(`headline` COLLATE NOCASE, `views` ASC)').waitFor();
    await dialog.getByLabel('views', { exact: true }).uncheck();
    expect(await dialog.getByLabel('views sort order').count()).toBe(0);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await t.page.getByText(statement).waitFor();
  });

  it('previews a view query with the dry run, then creates the view', async () => {
    await t.page.goto(`${server.url}/_/#/new-collection`);
    await t.page.getByLabel('Collection name').fill('post_titles');
    await t.page.getByLabel('Type', { exact: true }).selectOption('view');
    await t.page.getByLabel('Select query').fill('SELECT id, headline FROM posts');
    await t.page.getByRole('button', { name: 'Preview' }).click();
    const preview = t.page.getByRole('region', { name: 'Query preview' });
    await preview.getByRole('cell', { name: 'Hello' }).waitFor();
    await preview.getByText('headline (text)').waitFor();
    // The preview saved nothing.
    await expect(pb.collections.getOne('post_titles')).rejects.toMatchObject({ status: 404 });
    await save('Create');
    await t.page.waitForURL(/#\/collections\/post_titles\/schema$/);
    await toastSays('Created post_titles');
    const view = await pb.collections.getOne('post_titles');
    expect(view).toMatchObject({ type: 'view', viewQuery: 'SELECT id, headline FROM posts' });
    expect(view.fields.map((f) => f.name)).toEqual(['id', 'headline']);
  });

  it('changes auth options that persist across a reload', async () => {
    await t.page.goto(`${server.url}/_/#/collections/users/schema`);
    await tab('Sign-in methods');
    await t.page.getByLabel('Sign in with an emailed code').check();
    await t.page.getByLabel('OTP length').fill('6');
    await tab('Tokens');
    await t.page.getByLabel('Auth token duration (seconds)').fill('3600');
    await tab('Emails');
    await t.page.getByLabel('Verification subject').fill('Confirm your {APP_NAME} account');
    await tab('OAuth2');
    await t.page.getByLabel('Provider to add').selectOption('google');
    await t.page.getByRole('button', { name: 'Add provider' }).click();
    await t.page.getByLabel('google client id').fill('client-123');
    await t.page.getByLabel('google client secret').fill('client-secret-456');
    await t.page.getByLabel('Sign in with OAuth2').check();
    if (screenshots) await t.page.screenshot({ path: `${screenshots}collections-auth-options.png` });
    await save();
    await toastSays('Saved users');

    const users = await pb.collections.getOne('users');
    expect(users.otp).toMatchObject({ enabled: true, length: 6 });
    expect(users.authToken.duration).toBe(3600);
    expect(users.verificationTemplate.subject).toBe('Confirm your {APP_NAME} account');
    expect(users.oauth2.enabled).toBe(true);
    expect(users.oauth2.providers).toEqual([expect.objectContaining({ name: 'google', clientId: 'client-123' })]);
    expect(users.oauth2.providers[0].clientSecret).toBeUndefined();

    await t.page.reload();
    await tab('Sign-in methods');
    expect(await t.page.getByLabel('OTP length').inputValue()).toBe('6');
    expect(await t.page.getByLabel('Sign in with an emailed code').isChecked()).toBe(true);
  });

  it('exports the collections and imports them back, deleting the missing ones', async () => {
    await t.page.goto(`${server.url}/_/#/import-collections`);
    const [download] = await Promise.all([
      t.page.waitForEvent('download'),
      t.page.getByRole('button', { name: 'Download collections.json' }).click(),
    ]);
    const exported = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { name: string; fields: unknown[] }[];
    expect(exported.map((c) => c.name)).toEqual(expect.arrayContaining(['posts', 'post_titles', 'users', '_superusers']));

    // The same schema without the view, plus a new collection, with "delete missing".
    const edited = [...exported.filter((c) => c.name !== 'post_titles'), { name: 'tags', type: 'base', fields: [{ name: 'label', type: 'text' }] }];
    await t.page.getByLabel('Collections JSON').fill(JSON.stringify(edited));
    await t.page.getByLabel('Delete missing').check();
    await t.page.getByRole('button', { name: 'Review import' }).click();
    const dialog = t.page.getByRole('dialog', { name: 'Import collections?' });
    await dialog.getByText('New: tags.').waitFor();
    await dialog.getByText('Deleted with their records: post_titles.').waitFor();
    await dialog.getByRole('button', { name: 'Import' }).click();
    await toastSays('Collections imported');

    const names = (await pb.collections.getFullList()).map((c) => c.name);
    expect(names).toContain('tags');
    expect(names).not.toContain('post_titles');
    expect((await pb.collections.getOne('posts')).fields.map((f) => f.name)).toContain('headline');
    expect((await pb.collection('posts').getFullList()).map((r) => r.headline)).toEqual(['Hello']);
  });

  it('refuses JSON that is not a list of collections, importing nothing', async () => {
    await t.page.getByLabel('Collections JSON').fill('{"nope": 1}');
    await t.page.getByRole('button', { name: 'Review import' }).click();
    await t.page.getByRole('alert').filter({ hasText: 'Expected a non-empty array of collections.' }).waitFor();
  });

  it('asks before a save that drops a stored field, and drops it only when confirmed', async () => {
    await t.page.goto(`${server.url}/_/#/collections/posts/schema`);
    await t.page.getByRole('button', { name: 'Remove meta' }).click();
    await save();
    const dialog = t.page.getByRole('dialog', { name: 'Delete fields?' });
    await dialog.getByText('Saving deletes the field meta').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await pb.collections.getOne('posts')).fields.map((f) => f.name)).toContain('meta');
    await save();
    await dialog.getByRole('button', { name: 'Delete fields and save' }).click();
    await toastSays('Saved posts');
    expect((await pb.collections.getOne('posts')).fields.map((f) => f.name)).not.toContain('meta');
  });

  it('truncates a collection after confirmation, then deletes it', async () => {
    await t.page.getByRole('button', { name: 'Truncate' }).click();
    await t.page.getByRole('dialog', { name: 'Truncate posts?' }).getByRole('button', { name: 'Delete all records' }).click();
    await toastSays('Deleted every record of posts');
    expect((await pb.collection('posts').getList(1, 1)).totalItems).toBe(0);

    await t.page.getByRole('button', { name: 'Delete collection' }).click();
    await t.page.getByRole('dialog', { name: 'Delete posts?' }).getByRole('button', { name: 'Delete collection' }).click();
    await t.page.waitForURL(/#\/collections$/);
    await expect(pb.collections.getOne('posts')).rejects.toMatchObject({ status: 404 });
    t.assertNoConsoleErrors();
  });

  it("makes a text field searchable and gives a field read and write rules of its own, sent as PocketBase's shape when open", async () => {
    t.allowConsoleError('status of 400');
    await pb.collections.create({ name: 'staff', type: 'base', listRule: '', viewRule: '', fields: [{ name: 'bio', type: 'text' }, { name: 'salary', type: 'number' }] });
    await t.page.goto(`${server.url}/_/#/collections/staff/schema`);
    const options = async (name: string): Promise<Locator> => {
      const row = field(name);
      const toggle = row.getByRole('button', { name: `Options of ${name}` });
      if (await toggle.getAttribute('aria-expanded') !== 'true') await toggle.click();
      return row;
    };
    const bio = await options('bio');
    // The options unfold below the field's name, which keeps its width (the records screen's
    // `.field-row` once laid the two side by side and squeezed the name to nothing).
    const head = (await bio.locator('.field-row-head').boundingBox())!;
    expect((await bio.locator('.field-row-body').boundingBox())!.y).toBeGreaterThanOrEqual(head.y + head.height - 1);
    expect((await bio.getByLabel('Field name').boundingBox())!.width).toBeGreaterThan(150);
    // A hidden field cannot be searchable: the server's 400 lands on the checkbox.
    await bio.getByLabel('Hidden').check();
    await bio.getByLabel('Searchable').check();
    await save();
    await bio.locator('.field-error').first().waitFor();
    expect((await pb.collections.getOne('staff')).fields.find((f) => f.name === 'bio')).not.toHaveProperty('searchable');
    await bio.getByLabel('Hidden').uncheck();
    const salary = await options('salary');
    expect(await salary.getByLabel('Searchable').count()).toBe(0);
    await salary.getByText('Field rules').click();
    await salary.getByRole('group', { name: 'Read rule', exact: true }).getByLabel('Custom rule').check();
    await salary.getByLabel('Read rule filter').fill("@request.auth.id != ''");
    await salary.getByRole('group', { name: 'Write rule', exact: true }).getByLabel('Superusers only').check();
    await save();
    await toastSays('Saved staff');
    const stored = (await pb.collections.getOne('staff')).fields;
    expect(stored.find((f) => f.name === 'bio')).toMatchObject({ searchable: true, hidden: false });
    expect(stored.find((f) => f.name === 'salary')).toMatchObject({ readRule: "@request.auth.id != ''", writeRule: null });

    // A wrong rule: the server's 400 lands in the read rule's box, unfolded.
    const readRule = (await options('salary')).getByRole('group', { name: 'Read rule', exact: true });
    await salary.getByLabel('Read rule filter').fill('no_such_field = 1');
    await save();
    await readRule.locator('.field-error').waitFor();
    // Opening the read rule again keeps the box unfolded, and leaves no key behind.
    await readRule.getByLabel("The record's rules").check();
    expect(await salary.locator('details.field-rules').getAttribute('open')).not.toBeNull();
    await save();
    await toastSays('Saved staff');
    const reopened = (await pb.collections.getOne('staff')).fields.find((f) => f.name === 'salary')!;
    expect(reopened).not.toHaveProperty('readRule');
    expect(reopened.writeRule).toBeNull();
    t.assertNoConsoleErrors();
  });
});
