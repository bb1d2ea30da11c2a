import { test, expect, type Browser } from '@playwright/test';
import { DEMO_PASSWORD, signIn, waitForHydration, watchConsole } from './helpers';

async function as(browser: Browser, email: string, next: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, email, next);
  await waitForHydration(page);
  return page;
}

test('a site variant is drafted, approved with a password, made effective and acknowledged', async ({ page, browser }, testInfo) => {
  const errors = watchConsole(page);
  const code = `LAB-SOP-012-NBO-${testInfo.project.name.toUpperCase()}`;

  // The Nairobi site lead drafts a variant of the network SOP for their site.
  await signIn(page, 'lead.nbo@attest.example', '/documents');
  await waitForHydration(page);
  await page.getByRole('link', { name: 'New document' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('New document');
  await page.getByLabel('Code').fill(code);
  await page.getByLabel('Title').fill('Ziehl-Neelsen microscopy at Nairobi');
  await expect(page.getByLabel('Site (for a site variant)')).toHaveValue('KEN-NBO');
  await page.getByLabel('Parent document (for a site variant)').fill('LAB-SOP-012');
  await page.getByLabel('Approver').selectOption({ label: 'Tomás Herrera (Quality officer)' });
  await page.getByLabel('Text (Markdown)').fill('# Purpose\n\nStain for 5 minutes.\n');
  await page.getByRole('button', { name: 'Create draft' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Ziehl-Neelsen microscopy at Nairobi');
  await page.getByRole('link', { name: 'Open version 1' }).click();

  await page.getByLabel('What changed').fill('Local staining time');
  await page.getByLabel('Text (Markdown)').fill('# Purpose\n\nStain for **3** minutes.\n');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(page.getByRole('status')).toContainText('Draft saved.');
  await page.getByRole('button', { name: 'Submit for approval' }).click();
  await expect(page.locator('.page-header .status')).toHaveText('In review');
  const versionUrl = page.url();

  // The quality officer approves: a wrong password signs nothing, the right one approves.
  const qo = await as(browser, 'qo@attest.example', new URL(versionUrl).pathname);
  await expect(qo.getByRole('heading', { level: 1 })).toContainText('version 1');
  await qo.getByLabel('Your password').fill('not my password');
  await qo.getByRole('button', { name: 'Sign and approve' }).click();
  await expect(qo.locator('.field__error[data-field="password"]')).toContainText('nothing was signed');
  await expect(qo.locator('.page-header .status')).toHaveText('In review');
  await qo.getByLabel('Your password').fill(DEMO_PASSWORD);
  await qo.getByRole('button', { name: 'Sign and approve' }).click();
  await expect(qo.locator('.page-header .status')).toHaveText('Approved');
  await expect(qo.getByText('Tomás Herrera on')).toBeVisible();

  // The site lead puts it into force, after confirming.
  await page.reload();
  await waitForHydration(page);
  await page.getByText('Make effective…').click();
  await page.getByRole('button', { name: 'Yes, make version 1 effective' }).click();
  await expect(page.locator('.page-header .status')).toHaveText('Effective');

  // Staff at Nairobi find it among their SOPs to acknowledge, and acknowledge it.
  const staff = await as(browser, 'staff.nbo@attest.example', '/acknowledgements');
  const task = staff.getByRole('listitem').filter({ hasText: code });
  await expect(task).toContainText('due in 14 days');
  await task.getByRole('button', { name: `I have read ${code} version 1` }).click();
  await expect(staff.getByRole('status')).toContainText(`Acknowledged ${code} version 1.`);
  await expect(staff.getByRole('list', { name: 'Pending acknowledgements' }).getByText(code)).toHaveCount(0);

  // The site lead sees completion for the site: one done (other tests may add Nairobi staff).
  await page.getByRole('link', { name: code }).click();
  const completion = page.getByRole('region', { name: 'Read and acknowledged' });
  await expect(completion.getByRole('row', { name: /Nairobi/ })).toContainText(/\b1 of [2-9]\b/);
  await expect(completion.getByRole('listitem').filter({ hasText: 'Peter Kamau' })).toHaveCount(0);
  await expect(completion.getByRole('listitem').filter({ hasText: 'Amina Odhiambo' })).toHaveCount(1);
  expect(errors).toEqual([]);
});

test('the register filters overdue reviews and a document shows what is in force', async ({ page }) => {
  await signIn(page, 'qo@attest.example', '/documents?review=overdue');
  await waitForHydration(page);
  const rows = page.locator('tbody tr');
  await expect(rows.first()).toBeVisible();
  const count = await rows.count();
  expect(count).toBeGreaterThan(3);
  for (let i = 0; i < count; i++) {
    await expect(rows.nth(i)).toContainText('overdue by');
  }
  // Sorting by the review date keeps the filter.
  await page.getByRole('link', { name: 'Next review' }).click();
  await expect(page).toHaveURL(/review=overdue.*sort=review_due/);
  await page.getByRole('link', { name: 'LAB-SOP-016' }).click();
  await expect(page.getByRole('heading', { name: /Version \d+ in force/ })).toBeVisible();
  await expect(page.locator('dl.facts')).toContainText('approved by');
  await expect(page.locator('article.markdown h3').first()).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toHaveCount(1);
});
