/**
 * The records screen of the dashboard (docs/dashboard.md, "Records") in Chromium: the
 * virtualised table over 10,000 records (time to first rows and a full scroll, printed as
 * [measure]), create/edit/delete with files and every input type, filter, sort, the column
 * picker, relations expanded inline, the live view, bulk delete and impersonate. One browser,
 * one server, sequential steps; on SQLite, or PostgreSQL with PLINTH_TEST_DIALECT=postgres.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import PocketBase, { type RecordModel } from 'pocketbase';
import { SUPERUSER, startTestServer, type TestServer } from './helpers/test-server.js';
import { browserSkipReason, launchBrowser, signInAsSuperuser, type TestBrowser, type TestPage } from './helpers/browser.js';
import { buildTestDashboard, type TestDashboard } from './helpers/dashboard-build.js';
import { png } from './helpers/files.js';

// The functions passed to page.evaluate run in the browser; the test's own types have no DOM.
declare const requestAnimationFrame: (callback: (time: number) => void) => number;

const SEEDED = Number(process.env.DREC_SEED ?? 10_000);
const screenshots = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const skip = browserSkipReason();

describe.skipIf(skip !== undefined)('the records screen in Chromium', () => {
  let dashboard: TestDashboard;
  let server: TestServer;
  let pb: PocketBase;
  let browser: TestBrowser;
  let t: TestPage;
  let author: RecordModel;

  beforeAll(async () => {
    dashboard = await buildTestDashboard();
    server = await startTestServer({ dashboardDir: dashboard.dir });
    pb = await server.admin();
    const autodates = [
      { name: 'created', type: 'autodate', onCreate: true, onUpdate: false },
      { name: 'updated', type: 'autodate', onCreate: true, onUpdate: true },
    ];
    const authors = await pb.collections.create({ name: 'authors', type: 'base', fields: [{ name: 'name', type: 'text', presentable: true }, ...autodates] });
    await pb.collections.create({
      name: 'posts', type: 'base', fields: [
        { name: 'title', type: 'text', required: true },
        { name: 'body', type: 'editor' },
        { name: 'views', type: 'number' },
        { name: 'published', type: 'bool' },
        { name: 'contact', type: 'email' },
        { name: 'site', type: 'url' },
        { name: 'when', type: 'date' },
        { name: 'status', type: 'select', values: ['draft', 'live'], maxSelect: 1 },
        { name: 'tags', type: 'select', values: ['red', 'green', 'blue'], maxSelect: 3 },
        { name: 'meta', type: 'json' },
        { name: 'cover', type: 'file', maxSelect: 1, maxSize: 1_000_000, thumbs: ['100x100'] },
        { name: 'attachments', type: 'file', maxSelect: 3, maxSize: 1_000_000 },
        { name: 'author', type: 'relation', collectionId: authors.id, maxSelect: 1 },
        { name: 'place', type: 'geoPoint' },
        ...autodates,
      ],
    });
    await pb.collections.create({ name: 'big', type: 'base', fields: [{ name: 'n', type: 'number' }, { name: 'label', type: 'text' }, ...autodates] });
    author = await pb.collection('authors').create({ name: 'Ada Lovelace' });
    await pb.collection('authors').create({ name: 'Grace Hopper' });
    // Seeds through the batch API, 500 creates a request.
    await pb.settings.update({ batch: { enabled: true, maxRequests: 500, timeout: 30, maxBodySize: 0 } });
    for (let start = 0; start < SEEDED; start += 500) {
      const batch = pb.createBatch();
      for (let i = start; i < start + 500; i++) batch.collection('big').create({ n: i, label: `row ${i}` });
      await batch.send();
    }
    browser = await launchBrowser();
    t = await browser.newPage();
    // Fail at the step that stalls, before the test's own timeout.
    t.page.setDefaultTimeout(20_000);
    await t.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await t.page.goto(`${server.url}/_/#/login`);
    await signInAsSuperuser(t.page);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    dashboard?.remove();
  });

  const rows = () => t.page.locator('.records-body [role="row"]');
  const status = () => t.page.locator('.page-header [role="status"]');

  it('shows the first rows fast and scrolls through 10,000 records with a bounded DOM', async () => {
    const started = Date.now();
    await t.page.goto(`${server.url}/_/#/collections/big`);
    await rows().first().waitFor();
    const firstRows = Date.now() - started;
    // Newest first: the last seeded record leads.
    await expect.poll(() => rows().first().textContent()).toContain(`row ${SEEDED - 1}`);
    await t.page.screenshot({ path: join(screenshots, 'records-table.png') });

    // Scroll to the bottom until every page is loaded.
    const loadStarted = Date.now();
    const scroller = t.page.locator('.records-scroller');
    while (!((await status().textContent()) ?? '').startsWith(`${SEEDED.toLocaleString('en')} records`)) {
      await scroller.evaluate((el) => el.scrollTo(0, el.scrollHeight));
      await t.page.waitForTimeout(20);
    }
    const loadAll = Date.now() - loadStarted;
    await scroller.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await expect.poll(() => t.page.locator(`.records-body [aria-rowindex="${SEEDED + 1}"]`).count()).toBe(1);
    expect(await t.page.locator(`.records-body [aria-rowindex="${SEEDED + 1}"]`).textContent()).toContain('row 0');
    expect(await rows().count()).toBeLessThan(60);

    // Smoothness: scroll the whole table 2,000 px (50 rows) per frame and time the frames,
    // beside the frame time of the same page doing nothing (the machine's baseline).
    const idle = await t.page.evaluate(async () => {
      const times: number[] = [];
      let last = performance.now();
      for (let i = 0; i < 60; i++) {
        await new Promise((done) => requestAnimationFrame(done));
        const now = performance.now();
        times.push(now - last);
        last = now;
      }
      return times.sort((a, b) => a - b)[30]!;
    });
    const frames = await scroller.evaluate(async (el) => {
      el.scrollTo(0, 0);
      const times: number[] = [];
      let last = performance.now();
      while (el.scrollTop + el.clientHeight < el.scrollHeight - 1) {
        el.scrollBy(0, 2000);
        await new Promise((done) => requestAnimationFrame(done));
        const now = performance.now();
        times.push(now - last);
        last = now;
      }
      times.sort((a, b) => a - b);
      return { count: times.length, median: times[Math.floor(times.length / 2)]!, p95: times[Math.floor(times.length * 0.95)]!, max: times[times.length - 1]! };
    });
    console.log(`[measure] records table: first rows ${firstRows} ms; all ${SEEDED} records loaded by scrolling in ${loadAll} ms (${SEEDED / 200} pages of 200); ` +
      `scrolling ${SEEDED} rows in ${frames.count} frames of 2,000 px: median ${frames.median.toFixed(1)} ms, p95 ${frames.p95.toFixed(1)} ms, max ${frames.max.toFixed(1)} ms ` +
      `(an idle frame: median ${idle.toFixed(1)} ms)`);
    expect(firstRows).toBeLessThan(5000);
    // Generous: the machine may be loaded; rendering all rows at once would take seconds a frame.
    expect(frames.median).toBeLessThan(500);
    expect(await rows().count()).toBeLessThan(60);
    t.assertNoConsoleErrors();
  }, 120_000);

  /** The drawer (the record editor). */
  const drawer = () => t.page.getByRole('dialog');
  const row = (text: string) => rows().filter({ hasText: text });

  it('moves through the virtualised rows with the arrow keys, opens one with Enter and closes it with Escape', async () => {
    await t.page.goto(`${server.url}/_/#/collections/big`);
    await rows().first().waitFor();
    const grid = t.page.getByRole('grid', { name: 'Records' });
    const scroller = t.page.locator('.records-scroller');
    const activeId = () => grid.getAttribute('aria-activedescendant');
    const activeRow = () => t.page.locator('.records-row-active');
    /** Whether the active row lies wholly inside the scroller, below its sticky header. */
    const activeInView = () => scroller.evaluate((el) => {
      const box = el.getBoundingClientRect();
      const head = el.querySelector('.records-head')!.getBoundingClientRect();
      const id = el.querySelector('[role="grid"]')!.getAttribute('aria-activedescendant');
      const row = id ? el.ownerDocument.getElementById(id)?.getBoundingClientRect() : undefined;
      return row !== undefined && row.top >= head.bottom - 1 && row.bottom <= box.bottom + 1;
    });

    // From the top (an earlier step may have left the table scrolled), focus lands on the grid,
    // and the first row in view becomes the active descendant.
    await scroller.evaluate((el) => el.scrollTo(0, 0));
    await expect.poll(() => t.page.locator('.records-body [aria-rowindex="2"]').count()).toBe(1);
    await grid.focus();
    await expect.poll(activeId).toBe('records-row-0');
    expect(await activeRow().getAttribute('aria-rowindex')).toBe('2');
    expect(await activeRow().textContent()).toContain(`row ${SEEDED - 1}`);
    // Down well past the view: the table scrolls, the active row stays rendered and in view.
    for (let i = 0; i < 40; i++) await t.page.keyboard.press('ArrowDown');
    await expect.poll(activeId).toBe('records-row-40');
    expect(await activeRow().textContent()).toContain(`row ${SEEDED - 41}`);
    expect(await scroller.evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
    await expect.poll(activeInView).toBe(true);
    await t.page.keyboard.press('ArrowUp');
    await expect.poll(activeId).toBe('records-row-39');
    expect(await activeInView()).toBe(true);
    // End goes to the last loaded row (which asks for the next page), Home back to the top.
    await t.page.keyboard.press('End');
    await expect.poll(activeInView).toBe(true);
    expect(Number((await activeId())!.replace('records-row-', ''))).toBeGreaterThan(100);
    await t.page.keyboard.press('Home');
    await expect.poll(activeId).toBe('records-row-0');
    expect(await scroller.evaluate((el) => el.scrollTop)).toBe(0);
    await t.page.keyboard.press('ArrowDown');
    await t.page.keyboard.press('ArrowDown');
    await expect.poll(activeId).toBe('records-row-2');
    const chosen = await activeRow().evaluate((el) => el.children[1]!.textContent);

    // Enter opens the active record in the side panel; Escape closes it and gives the focus back to the grid.
    await t.page.keyboard.press('Enter');
    await drawer().waitFor();
    expect(await drawer().textContent()).toContain(chosen!);
    // NOTE: the panel is drawn before its focus trap runs (an effect, after paint); an Escape
    // pressed in between goes to the grid and closes nothing.
    await expect.poll(() => drawer().evaluate((el) => el.contains(el.ownerDocument.activeElement))).toBe(true);
    await t.page.keyboard.press('Escape');
    await drawer().waitFor({ state: 'detached' });
    await expect.poll(() => grid.evaluate((el) => el.ownerDocument.activeElement === el)).toBe(true);
    expect(await activeId()).toBe('records-row-2');
    // Space selects the active row; the arrows go on from where they were.
    await t.page.keyboard.press(' ');
    await t.page.getByRole('region', { name: 'Selection' }).getByText('1 selected').waitFor();
    expect(await activeRow().getAttribute('aria-selected')).toBe('true');
    await t.page.keyboard.press(' ');
    await expect.poll(() => t.page.getByRole('region', { name: 'Selection' }).count()).toBe(0);
    await t.page.keyboard.press('ArrowDown');
    await expect.poll(activeId).toBe('records-row-3');
  });

  it('creates a record with every input type, a file and a relation, and shows its thumb and relation inline', async () => {
    await t.page.goto(`${server.url}/_/#/collections/posts`);
    await t.page.getByText('No records yet').waitFor();
    await t.page.getByRole('button', { name: 'New record' }).click();
    const d = drawer();
    await d.getByRole('heading', { name: 'New posts record' }).waitFor();
    await d.getByLabel('title').fill('First post');
    const editor = d.getByRole('textbox', { name: 'body' });
    await editor.click();
    await t.page.keyboard.type('Hello ');
    await d.getByRole('button', { name: 'Bold' }).click();
    await t.page.keyboard.type('world');
    await d.getByLabel('views').fill('42');
    await d.getByLabel('published').check();
    await d.getByLabel('contact').fill('ada@example.com');
    await d.getByLabel('site').fill('https://example.com/');
    await d.getByLabel('when date').fill('2024-05-01');
    await d.getByLabel('when time').fill('09:30:15');
    await d.getByLabel('status').selectOption('live');
    await d.getByRole('group', { name: 'tags' }).getByLabel('red').check();
    await d.getByRole('group', { name: 'tags' }).getByLabel('blue').check();
    await d.getByLabel('meta').fill('{"a": 1');
    await d.getByText(/^Invalid JSON/).waitFor();
    await d.getByRole('button', { name: 'Create' }).click();
    await d.getByRole('alert').filter({ hasText: 'Fix the marked fields.' }).waitFor();
    await d.getByLabel('meta').fill('{"a": 1}');
    await d.locator('input[type="file"]').first().setInputFiles({ name: 'cover.png', mimeType: 'image/png', buffer: await png(300, 200) });
    await d.locator('img[src^="blob:"]').waitFor();
    await d.locator('input[type="file"]').nth(1).setInputFiles([
      { name: 'one.txt', mimeType: 'text/plain', buffer: Buffer.from('one') },
      { name: 'two.txt', mimeType: 'text/plain', buffer: Buffer.from('two') },
    ]);
    await d.getByLabel('Search authors').fill('Ada');
    await d.getByRole('list', { name: 'author choices' }).getByRole('button', { name: /Ada Lovelace/ }).click();
    await d.getByRole('list', { name: 'Chosen author' }).getByText('Ada Lovelace').waitFor();
    await d.getByLabel('Longitude').fill('2.35');
    await d.getByLabel('Latitude').fill('48.85');
    await t.page.screenshot({ path: join(screenshots, 'records-editor.png') });
    await d.getByRole('button', { name: 'Create' }).click();
    await d.waitFor({ state: 'detached' });

    const saved = (await pb.collection('posts').getFullList())[0]!;
    expect(saved).toMatchObject({
      title: 'First post', views: 42, published: true, contact: 'ada@example.com', site: 'https://example.com/',
      when: '2024-05-01 09:30:15.000Z', status: 'live', tags: ['red', 'blue'], meta: { a: 1 }, author: author.id,
      place: { lon: 2.35, lat: 48.85 },
    });
    expect(saved.body).toBe('Hello <strong>world</strong>');
    expect(saved.cover).toMatch(/^cover_\w+\.png$/);
    expect(saved.attachments).toHaveLength(2);
    // The new row shows the thumb and the author by its presentable name.
    const first = row('First post');
    await first.getByText('Ada Lovelace').waitFor();
    expect(await first.locator('img').getAttribute('src')).toContain(`/api/files/${saved.collectionId}/${saved.id}/${saved.cover}?thumb=100x100`);
    await expect.poll(() => first.locator('img').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(100);
  }, 60_000);

  it('edits a record: sanitizes stored HTML, removes and replaces files, and deletes it', async () => {
    // NOTE: Chromium reports each inline handler of parsed HTML as a CSP violation, even in the
    // sanitizer's inert document where nothing runs (window.pwned stays unset below).
    t.allowConsoleError('Executing inline event handler violates');
    const hostile = await pb.collection('posts').create({ title: 'second', body: '<p>ok<img src=x onerror="window.pwned=1"><script>window.pwned=2</script><a href="javascript:alert(1)">js</a> <a href="https://example.com/a">safe</a></p>', views: 7 });
    await row('second').waitFor();
    await row('second').click();
    const d = drawer();
    const editor = d.getByRole('textbox', { name: 'body' });
    await editor.waitFor();
    expect(await editor.innerHTML()).toBe('<p>okjs <a href="https://example.com/a" rel="noopener noreferrer">safe</a></p>');
    expect(await t.page.evaluate('window.pwned')).toBeUndefined();
    await d.getByLabel('title').fill('second, edited');
    await d.getByRole('button', { name: 'Save changes' }).click();
    await d.waitFor({ state: 'detached' });
    await row('second, edited').waitFor();
    const edited = await pb.collection('posts').getOne(hostile.id);
    expect(edited.title).toBe('second, edited');
    expect(edited.body).toBe('<p>okjs <a href="https://example.com/a" rel="noopener noreferrer">safe</a></p>');

    // Files: drop the cover and one attachment, add a third.
    const first = (await pb.collection('posts').getFullList({ filter: 'title = "First post"' }))[0]!;
    await row('First post').click();
    await d.getByRole('button', { name: `Remove ${first.cover}` }).click();
    await d.getByRole('button', { name: `Remove ${first.attachments[0]}` }).click();
    await d.locator('input[type="file"]').nth(1).setInputFiles({ name: 'three.txt', mimeType: 'text/plain', buffer: Buffer.from('three') });
    await d.getByRole('button', { name: 'Save changes' }).click();
    await d.waitFor({ state: 'detached' });
    await expect.poll(async () => (await pb.collection('posts').getOne(first.id)).cover).toBe('');
    const files = (await pb.collection('posts').getOne(first.id)).attachments as string[];
    expect(files).toHaveLength(2);
    expect(files).toContain(first.attachments[1]);
    expect(files.some((f) => f.startsWith('three_'))).toBe(true);

    // Delete, with a confirmation.
    await row('second, edited').click();
    await d.getByRole('button', { name: 'Delete' }).click();
    await t.page.getByRole('dialog', { name: 'Delete this record?' }).getByRole('button', { name: 'Delete' }).click();
    await row('second, edited').waitFor({ state: 'detached' });
    await expect(pb.collection('posts').getOne(hostile.id)).rejects.toMatchObject({ status: 404 });
  }, 60_000);

  it('filters, sorts by a column and remembers the hidden columns', async () => {
    for (const [title, views] of [['alpha', 3], ['beta', 1], ['gamma', 2]] as const) await pb.collection('posts').create({ title, views });
    await row('gamma').waitFor();
    const filter = t.page.getByRole('combobox', { name: 'Filter' });
    await filter.fill('views < 5');
    await filter.press('Enter');
    await expect.poll(() => rows().count()).toBe(3);
    expect(t.page.url()).toContain('filter=views+%3C+5');
    // Sort by views: ascending, then descending.
    await t.page.getByRole('button', { name: 'views', exact: true }).click();
    const titles = () => rows().evaluateAll((els) => els.sort((a, b) => Number(a.getAttribute('aria-rowindex')) - Number(b.getAttribute('aria-rowindex'))).map((el) => el.children[2]!.textContent));
    await expect.poll(titles).toEqual(['beta', 'gamma', 'alpha']);
    expect(await t.page.getByRole('columnheader', { name: /views/ }).getAttribute('aria-sort')).toBe('ascending');
    await t.page.getByRole('button', { name: /^views/ }).click();
    await expect.poll(titles).toEqual(['alpha', 'gamma', 'beta']);
    expect(t.page.url()).toContain('sort=-views');
    // The filter and sort survive a reload (the hash query).
    await t.page.reload();
    await expect.poll(titles).toEqual(['alpha', 'gamma', 'beta']);
    expect(await filter.inputValue()).toBe('views < 5');

    // Hide the "site" column; the choice survives a reload.
    await t.page.getByRole('button', { name: 'Columns' }).click();
    await t.page.getByRole('group', { name: 'Shown columns' }).getByLabel('site').uncheck();
    await t.page.keyboard.press('Escape');
    await expect.poll(() => t.page.getByRole('columnheader', { name: 'site' }).count()).toBe(0);
    await t.page.reload();
    await row('alpha').waitFor();
    expect(await t.page.getByRole('columnheader', { name: 'site' }).count()).toBe(0);
    expect(await t.page.getByRole('columnheader', { name: /title/ }).count()).toBe(1);
    await t.page.getByRole('button', { name: 'Clear filter' }).click();
    await row('First post').waitFor();
  }, 60_000);

  it('updates the table live as another client creates, updates and deletes records', async () => {
    // A fresh load: no filter, default sort.
    await t.page.goto(`${server.url}/_/#/collections/posts`);
    await t.page.reload();
    await row('alpha').waitFor();
    // The page's one realtime stream (the one before the reload closed) has subscribed: a record
    // created before that never reaches it (the likely cause of one CI failure of this test).
    await expect.poll(() => [server.node.realtime.size, server.node.realtime.subscriptionCount], { timeout: 20_000 }).toEqual([1, 1]);
    // No filter and newest first: a new record appears at the top in place.
    const other = await pb.collection('posts').create({ title: 'from another client', views: 100 });
    await row('from another client').waitFor();
    expect(await t.page.locator('.records-body [aria-rowindex="2"]').textContent()).toContain('from another client');
    await pb.collection('posts').update(other.id, { title: 'renamed elsewhere' });
    await row('renamed elsewhere').waitFor();
    await pb.collection('posts').delete(other.id);
    await row('renamed elsewhere').waitFor({ state: 'detached' });
    // Under a filter, new records are counted in a bar instead.
    const filter = t.page.getByRole('combobox', { name: 'Filter' });
    await filter.fill('views >= 100');
    await filter.press('Enter');
    await t.page.getByText('No record matches the filter').waitFor();
    await pb.collection('posts').create({ title: 'late arrival', views: 500 });
    await t.page.getByRole('status').filter({ hasText: '1 new record' }).waitFor();
    await t.page.getByRole('button', { name: 'Show' }).click();
    await row('late arrival').waitFor();
    await t.page.getByRole('button', { name: 'Clear filter' }).click();
    await row('alpha').waitFor();
  }, 60_000);

  it('bulk deletes the selected records after a confirmation', async () => {
    await row('beta').getByRole('checkbox').check();
    await row('gamma').getByRole('checkbox').check();
    const selection = t.page.getByRole('region', { name: 'Selection' });
    await selection.getByText('2 selected').waitFor();
    await selection.getByRole('button', { name: 'Delete selected' }).click();
    await t.page.getByRole('dialog', { name: 'Delete 2 records?' }).getByRole('button', { name: 'Delete' }).click();
    await row('beta').waitFor({ state: 'detached' });
    await row('gamma').waitFor({ state: 'detached' });
    expect((await pb.collection('posts').getFullList({ filter: 'title = "beta" || title = "gamma"' })).length).toBe(0);
    // With the batch API off, one request per record.
    await pb.settings.update({ batch: { enabled: false } });
    await row('alpha').getByRole('checkbox').check();
    await selection.getByRole('button', { name: 'Delete selected' }).click();
    await t.page.getByRole('dialog', { name: 'Delete 1 record?' }).getByRole('button', { name: 'Delete' }).click();
    await row('alpha').waitFor({ state: 'detached' });
    expect((await pb.collection('posts').getFullList({ filter: 'title = "alpha"' })).length).toBe(0);
  }, 60_000);

  it('impersonates an auth record: shows a working token and copies it', async () => {
    const user = await pb.collection('users').create({ email: 'bob@example.com', password: 'bob-password-123', passwordConfirm: 'bob-password-123', name: 'Bob' });
    await t.page.goto(`${server.url}/_/#/collections/users`);
    await row('bob@example.com').click();
    const d = drawer();
    await d.getByLabel('verified').check();
    await d.getByLabel('emailVisibility').check();
    await d.getByRole('button', { name: 'Save changes' }).click();
    await d.waitFor({ state: 'detached' });
    await expect.poll(async () => (await pb.collection('users').getOne(user.id)).verified).toBe(true);
    expect((await pb.collection('users').getOne(user.id)).emailVisibility).toBe(true);

    await row('bob@example.com').click();
    await drawer().getByRole('button', { name: 'Impersonate' }).click();
    const dialog = t.page.getByRole('dialog', { name: 'Impersonate bob@example.com' });
    await dialog.getByLabel('Duration in seconds').fill('600');
    await dialog.getByRole('button', { name: 'Generate token' }).click();
    await dialog.getByLabel('Token').waitFor();
    const token = await dialog.getByLabel('Token').inputValue();
    expect(token.split('.')).toHaveLength(3);
    await dialog.getByRole('button', { name: 'Copy token' }).click();
    expect(await t.page.evaluate('navigator.clipboard.readText()')).toBe(token);
    // The token authenticates as Bob, and the dashboard stays the superuser's.
    const asBob = new PocketBase(server.url);
    asBob.authStore.save(token, null);
    expect((await asBob.collection('users').getOne(user.id)).email).toBe('bob@example.com');
    const stored = JSON.parse(await t.page.evaluate<string>("localStorage.getItem('pocketbase_auth')")) as { record: { email: string } };
    expect(stored.record.email).toBe(SUPERUSER.email);
    t.assertNoConsoleErrors();
  }, 60_000);

  it('searches plain words: through the full-text index where fields are searchable, else by substring, and finds a pasted id', async () => {
    await pb.collections.create({ name: 'catalog', type: 'base', fields: [{ name: 'name', type: 'text', searchable: true }] });
    await pb.collections.create({ name: 'notebook', type: 'base', fields: [{ name: 'note', type: 'text' }] });
    for (const name of ['Red running shoes', 'Blue shoe rack', "Red wool hat, 'quoted'"]) await pb.collection('catalog').create({ name });
    const hat = (await pb.collection('catalog').getFirstListItem("name ~ 'hat'")).id;
    for (const note of ['alphabet soup', 'beta test']) await pb.collection('notebook').create({ note });
    const search = async (text: string): Promise<void> => {
      const box = t.page.getByRole('combobox', { name: 'Search or filter' });
      await box.fill(text);
      // Plain words are no syntax error.
      expect(await box.getAttribute('aria-invalid')).not.toBe('true');
      await box.press('Enter');
    };
    const shown = () => rows().evaluateAll((els) => els.map((el) => el.children[2]!.textContent).sort());

    // Made after the page read its list of collections: the page reads it again.
    await t.page.goto(`${server.url}/_/#/collections/catalog`);
    await row('Blue shoe rack').waitFor();
    // Stems and prefixes: "shoes" finds "shoe"; both words must be there.
    await search('red shoes');
    await expect.poll(shown).toEqual(['Red running shoes']);
    await search('shoe');
    await expect.poll(shown).toEqual(['Blue shoe rack', 'Red running shoes']);
    // Quotes and a pasted id are words like any other.
    await search("'quoted'");
    await expect.poll(shown).toEqual(["Red wool hat, 'quoted'"]);
    await search(hat);
    await expect.poll(shown).toEqual(["Red wool hat, 'quoted'"]);
    expect(t.page.url()).toContain(`filter=${hat}`);

    await t.page.goto(`${server.url}/_/#/collections/notebook`);
    await row('beta test').waitFor();
    await search('phab');
    await expect.poll(shown).toEqual(['alphabet soup']);
    t.assertNoConsoleErrors();
  }, 60_000);
});
