import { test, expect, type Page } from '@playwright/test';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signIn, waitForHydration } from './helpers';

// The offline shell (public/sw.js) in a real Chromium: a conduct page opened once reopens with
// no connection, takes answers, keeps them across reloads and a client update, and sends each
// exactly once when the connection returns.

const QO = 'qo@attest.example';

/** Plans and starts an audit at `site`, leaving the page on its conduct page. */
async function startAudit(page: Page, site: string): Promise<string> {
  await signIn(page, QO, '/audits/new');
  await waitForHydration(page);
  await page.getByLabel('Site code').fill(site);
  await page.getByLabel('Checklist').selectOption({ index: 0 });
  await page.getByLabel('Starts').fill('2027-02-01');
  await page.getByLabel('Ends').fill('2027-02-02');
  await page.getByRole('button', { name: 'Plan the audit' }).click();
  await expect(page.locator('.page-header .status')).toHaveText('Planned');
  await page.getByRole('button', { name: 'Start the audit' }).click();
  await expect(page).toHaveURL(/\/audits\/\d+\/conduct$/);
  await waitForHydration(page);
  return new URL(page.url()).pathname;
}

/** Whether the service worker keeps a copy of `path`. */
async function isSaved(page: Page, path: string): Promise<boolean> {
  return page.evaluate(async (path) => {
    for (const name of await caches.keys()) {
      if (!name.startsWith('attest-pages-')) continue;
      if (await (await caches.open(name)).match(location.origin + path)) return true;
    }
    return false;
  }, path);
}

async function answersOnServer(page: Page, auditPath: string) {
  const id = auditPath.split('/')[2];
  const audit = await (await page.request.get(`/api/v1/audits/${id}`)).json();
  return audit.answers as { item_id: number; answer: string; revision: number; notes: string }[];
}

test('the conduct page reopens offline, keeps answers across reloads and sends each once', async ({ page, context }, testInfo) => {
  const path = await startAudit(page, testInfo.project.name === 'tablet' ? 'KEN-KAK' : 'THA-MHS');
  await page.evaluate(() => navigator.serviceWorker.ready);
  await expect.poll(() => isSaved(page, path), { message: 'the page is kept for offline use' }).toBe(true);

  const items = page.locator('.checklist__item');
  const status = page.getByTestId('sync-status');
  await items.nth(0).getByRole('button', { name: 'Yes' }).click();
  await expect(status).toHaveText('✓ All answers saved');

  // No connection, and the tab reloaded: the saved copy, with the answer given since it was saved.
  await context.setOffline(true);
  await page.reload();
  await expect(page.locator('[data-banner="saved-copy"]')).toContainText('saved on this device');
  await waitForHydration(page);
  await expect(items.nth(0).getByRole('button', { name: 'Yes' })).toHaveAttribute('aria-pressed', 'true');
  await items.nth(1).getByRole('button', { name: 'No' }).click();
  await items.nth(2).getByRole('button', { name: 'Partial' }).click();
  await expect(status).toHaveText('⟳ 2 answers waiting to be sent');

  // Closed and opened again, still offline: nothing lost.
  await page.reload();
  await waitForHydration(page);
  await expect(status).toHaveText('⟳ 2 answers waiting to be sent');
  await expect(items.nth(1).getByRole('button', { name: 'No' })).toHaveAttribute('aria-pressed', 'true');

  // A page never opened on this device: a clear offline page, not the browser's error.
  await page.goto('/capas/settings');
  await expect(page.getByRole('heading', { name: 'You are offline' })).toBeVisible();
  await expect(page.getByRole('link', { name: path })).toBeVisible();
  await page.getByRole('link', { name: path }).click();
  await waitForHydration(page);

  // The connection returns: the queue drains by itself, and each answer was saved once.
  await context.setOffline(false);
  await expect(status).toHaveText('✓ All answers saved', { timeout: 20_000 });
  const answers = await answersOnServer(page, path);
  const ids = await items.evaluateAll((els) => els.slice(0, 3).map((el) => Number(el.getAttribute('data-item'))));
  expect(ids.map((id) => answers.find((a) => a.item_id === id)).map((a) => [a?.answer, a?.revision])).toEqual([
    ['yes', 1],
    ['no', 1],
    ['partial', 1],
  ]);
});

test('a new version of the client, installed while answers wait, loses none of them', async ({ page }, testInfo) => {
  const path = await startAudit(page, testInfo.project.name === 'tablet' ? 'UGA-KLA' : 'NPL-KTM');
  await page.evaluate(() => navigator.serviceWorker.ready);
  await expect.poll(() => isSaved(page, path)).toBe(true);
  const items = page.locator('.checklist__item');
  const status = page.getByTestId('sync-status');

  // The server cannot be reached for answers (the link dropped between tablet and server), but
  // the browser can still fetch the new worker.
  await page.route('**/rpc/audits/answers', (route) => route.abort('internetdisconnected'));
  await items.nth(0).getByRole('button', { name: 'N/A' }).click();
  await expect(status).toHaveText('⟳ 1 answer waiting to be sent');

  // A deploy: the server now offers a different worker (new cache names, as a new build has).
  const siteRoot = process.env.E2E_SITE_ROOT!;
  const worker = join(siteRoot, 'sw.js');
  const original = readFileSync(worker);
  const twins = ['br', 'gz'].map((ext) => [`${worker}.${ext}`, readFileSync(`${worker}.${ext}`)] as const);
  try {
    const next = Buffer.from(original.toString('utf8').replaceAll('`attest-shell-', '`attest-shell-next-').replaceAll('`attest-pages-', '`attest-pages-next-'));
    writeFileSync(worker, next);
    writeFileSync(`${worker}.br`, brotliCompressSync(next));
    writeFileSync(`${worker}.gz`, gzipSync(next));
    await page.evaluate(async () => (await navigator.serviceWorker.ready).update());
    await expect(page.locator('[data-banner="updated"]')).toContainText('new version of Attest');
  } finally {
    writeFileSync(worker, original);
    for (const [file, bytes] of twins) writeFileSync(file, bytes);
  }
  await expect.poll(() => page.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith('attest-shell-')))).toEqual([
    expect.stringMatching(/^attest-shell-next-/),
  ]);

  // The answer was kept through the update; the reload it offers sends it.
  await expect(status).toHaveText('⟳ 1 answer waiting to be sent');
  await page.unroute('**/rpc/audits/answers');
  await page.locator('[data-banner="updated"]').getByRole('button', { name: 'Reload' }).click();
  await waitForHydration(page);
  await expect(status).toHaveText('✓ All answers saved', { timeout: 20_000 });
  const answers = await answersOnServer(page, path);
  expect(answers.map((a) => a.answer)).toEqual(['not_applicable']);
});

test('evidence attached with no connection is kept on the device and attached when it returns', async ({ page, context }, testInfo) => {
  const path = await startAudit(page, testInfo.project.name === 'tablet' ? 'JOR-AMM' : 'PHL-MNL');
  await page.evaluate(() => navigator.serviceWorker.ready);
  await expect.poll(() => isSaved(page, path)).toBe(true);
  const photo = readFileSync(join(process.cwd(), '..', 'public', 'icons', 'attest-192.png'));

  await context.setOffline(true);
  const item = page.locator('.checklist__item').first();
  await item.getByLabel(/Evidence \(photo or PDF/).setInputFiles({ name: 'hand-hygiene-station.png', mimeType: 'image/png', buffer: photo });
  await item.getByRole('button', { name: 'Attach' }).click();
  await expect(page).toHaveURL(/evidence_waiting=/);
  await waitForHydration(page);
  await expect(page.locator('[data-banner="outbox"]')).toContainText('1 file waiting to be sent');

  await context.setOffline(false);
  await expect(page.locator('[data-banner="outbox"]')).toHaveCount(0, { timeout: 20_000 });
  const id = path.split('/')[2];
  const audit = await (await page.request.get(`/api/v1/audits/${id}`)).json();
  expect(audit.evidence.map((e: { name: string }) => e.name)).toEqual(['hand-hygiene-station.png']);
});

test('a signed-out visitor is sent to sign in by the server, before any client code', async ({ page }) => {
  await page.route('**/*.wasm', (route) => route.abort());
  await page.goto('/acknowledgements');
  await expect(page).toHaveURL(/\/login\?next=\/acknowledgements$/);
  await page.getByLabel('Email').fill(QO);
  await page.getByLabel('Password').fill('attest-demo-2026');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/acknowledgements$/);
  await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
});

test('forms work before the client has started; the checklist keeps taps, its notes wait visibly', async ({ page }) => {
  await page.route('**/*.wasm', (route) => route.abort());
  await page.goto('/login?next=%2Faudits%2Fnew');
  await page.getByLabel('Email').fill(QO);
  await page.getByLabel('Password').fill('attest-demo-2026');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/audits\/new$/);

  // A server-function form is a plain form: a refusal comes back with its message...
  await page.getByLabel('Site code').fill('KEN-NBO');
  await page.getByLabel('Checklist').selectOption({ index: 0 });
  await page.getByLabel('Starts').fill('2027-03-02');
  await page.getByLabel('Ends').fill('2027-03-01');
  await page.getByRole('button', { name: 'Plan the audit' }).click();
  await expect(page.locator('[data-field="planned_end"]')).toHaveText('The audit cannot end before it starts.');

  // ...and an accepted one leads on, all without the client.
  await page.getByLabel('Site code').fill('KEN-NBO');
  await page.getByLabel('Checklist').selectOption({ index: 0 });
  await page.getByLabel('Starts').fill('2027-03-01');
  await page.getByLabel('Ends').fill('2027-03-02');
  await page.getByRole('button', { name: 'Plan the audit' }).click();
  await expect(page.locator('.page-header .status')).toHaveText('Planned');
  await page.getByRole('button', { name: 'Start the audit' }).click();
  await expect(page).toHaveURL(/\/audits\/\d+\/conduct$/);

  // Without the client an answer is kept on the device and shown waiting; the notes need the
  // client, and look and behave disabled under a bar that says so.
  const first = page.locator('.checklist__item').first();
  await first.getByRole('button', { name: 'Partial' }).click();
  await expect(first.getByRole('button', { name: 'Partial' })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('sync-status')).toHaveText('⟳ 1 answer waiting to be sent');
  await expect(first.getByLabel('Notes')).toHaveCSS('pointer-events', 'none');
  const starting = await page.evaluate(() => getComputedStyle(document.body, '::after').content);
  expect(starting).toContain('Starting Attest');
  expect(starting).toContain('kept here');
  await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');

  // Later, with the client: the kept answer is sent, once.
  await page.unroute('**/*.wasm');
  await page.reload();
  await waitForHydration(page);
  await expect(page.getByTestId('sync-status')).toHaveText('✓ All answers saved');
  const answers = await answersOnServer(page, new URL(page.url()).pathname);
  expect(answers.map((a) => [a.answer, a.revision])).toEqual([['partial', 1]]);
});

test.describe('a slow first load', () => {
  // The held WebAssembly must come from the network: a service worker would serve it from its
  // cache, out of the test's reach.
  test.use({ serviceWorkers: 'block' });

  test('answers tapped while the client is still loading are handed to it and sent once', async ({ page }, testInfo) => {
    const path = await startAudit(page, testInfo.project.name === 'tablet' ? 'RWA-KGL' : 'LBN-BEY');
    const items = page.locator('.checklist__item');
    await items.nth(0).getByRole('button', { name: 'Yes' }).click();
    await items.nth(0).getByLabel('Notes').fill('Master list on the wall, signed by the lead');
    await items.nth(0).getByLabel('Notes').blur();
    await expect(page.getByTestId('sync-status')).toHaveText('✓ All answers saved');

    // The next visit on a slow link: the page is there, the client still on its way.
    let release = () => {};
    const held = new Promise<void>((resolve) => { release = resolve; });
    await page.route('**/*.wasm', async (route) => { await held; await route.continue(); });
    await page.reload({ waitUntil: 'domcontentloaded' });
    await expect(page.locator('body')).toHaveAttribute('data-early-taps', '');
    await expect(items.nth(0).getByLabel('Notes')).toHaveValue('Master list on the wall, signed by the lead');

    // Meanwhile the same auditor answers the second item in another tab: this page's copy is
    // now behind, but the device knows the newer revision, so the early answer is no clash.
    const other = await page.context().newPage();
    await other.goto(path);
    await waitForHydration(other);
    await other.locator('.checklist__item').nth(1).getByRole('button', { name: 'Yes' }).click();
    await expect(other.getByTestId('sync-status')).toHaveText('✓ All answers saved');
    await other.close();

    await items.nth(0).getByRole('button', { name: 'No' }).click();
    await items.nth(1).getByRole('button', { name: 'Partial' }).click();
    await items.nth(1).getByRole('button', { name: 'N/A' }).click();
    await expect(items.nth(1).getByRole('button', { name: 'N/A' })).toHaveAttribute('aria-pressed', 'true');
    await expect(items.nth(1).getByRole('button', { name: 'Partial' })).toHaveAttribute('aria-pressed', 'false');
    await expect(page.getByTestId('sync-status')).toHaveText('⟳ 2 answers waiting to be sent');
    await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');

    // The client arrives: it takes the queue over and sends it, each answer once, notes kept.
    release();
    await waitForHydration(page);
    await expect(page.getByTestId('sync-status')).toHaveText('✓ All answers saved');
    await expect(page.getByRole('heading', { name: 'Answers that clash' })).toHaveCount(0);
    await items.nth(2).getByRole('button', { name: 'Partial' }).click();
    await expect(page.getByTestId('sync-status')).toHaveText('✓ All answers saved');
    const answers = (await answersOnServer(page, path)).sort((a, b) => a.item_id - b.item_id);
    const byItem = answers.map((a) => [a.answer, a.revision, a.notes]);
    expect(byItem).toEqual([
      ['no', 3, 'Master list on the wall, signed by the lead'],
      ['not_applicable', 2, ''],
      ['partial', 1, ''],
    ]);
  });
});

test('with the client, a refused form keeps what was typed and says why in place', async ({ page }) => {
  await signIn(page, QO, '/audits/new');
  await waitForHydration(page);
  const documents = { count: 0 };
  page.on('request', (request) => { if (request.resourceType() === 'document') documents.count += 1; });
  await page.getByLabel('Site code').fill('KEN-NBO');
  await page.getByLabel('Checklist').selectOption({ index: 0 });
  await page.getByLabel('Starts').fill('2027-03-02');
  await page.getByLabel('Ends').fill('2027-03-01');
  await page.getByLabel('Scope').fill('Radiology reporting and the TB laboratory');
  await page.getByRole('button', { name: 'Plan the audit' }).click();
  await expect(page.locator('[data-field="planned_end"]')).toHaveText('The audit cannot end before it starts.');
  await expect(page.getByLabel('Ends')).toBeFocused();
  await expect(page.getByLabel('Scope')).toHaveValue('Radiology reporting and the TB laboratory');
  await expect(page.getByLabel('Site code')).toHaveValue('KEN-NBO');
  expect(documents.count, 'the page stayed put').toBe(0);

  await page.getByLabel('Ends').fill('2027-03-03');
  await page.getByRole('button', { name: 'Plan the audit' }).click();
  await expect(page.locator('.page-header .status')).toHaveText('Planned');
  await expect(page.locator('.page-header')).toContainText('2027-03-02 to 2027-03-03');
});
