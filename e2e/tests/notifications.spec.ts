import { test, expect } from '@playwright/test';
import { signIn, waitForHydration, watchConsole } from './helpers';

const ADMIN = 'admin@attest.example';

test('an administrator runs the review check; the owner sees it under the bell, opens it and reads it', async ({ page }, testInfo) => {
  const errors = watchConsole(page);
  // Each project reads a different owner's notifications, so both start with unread ones.
  const owner = testInfo.project.name === 'desktop' ? 'qo@attest.example' : 'lead.kla@attest.example';

  await signIn(page, ADMIN, '/admin/jobs');
  await waitForHydration(page);
  await expect(page.getByRole('heading', { name: 'Scheduled jobs' })).toBeVisible();
  await expect(page.getByTestId('email-off')).toContainText('SMTP is not configured');
  const jobs = page.getByTestId('jobs');
  await expect(jobs.getByRole('row')).toHaveCount(9);
  await page.getByRole('button', { name: 'Run sop-review-due now' }).click();
  await expect(page.getByTestId('run-result')).toContainText(/sop-review-due: Succeeded — \d+ flagged/);
  await expect(page.getByTestId('runs').getByRole('row').nth(1)).toContainText('sop-review-due');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);

  await signIn(page, owner);
  await waitForHydration(page);
  const count = page.getByTestId('bell-count');
  await expect(count).toHaveText(/^\d+$/);
  const before = Number(await count.textContent());
  expect(before).toBeGreaterThan(0);

  await page.getByTestId('bell').click();
  await expect(page).toHaveURL(/\/notifications$/);
  const list = page.getByTestId('notifications');
  const review = list.locator('.notification', { hasText: /SOP \S+ review (due|overdue)/ }).first();
  await expect(review).toBeVisible();

  // The link leads to the document, and back.
  await review.getByRole('link', { name: 'Open' }).click();
  await expect(page).toHaveURL(/\/documents\/\d+$/);
  await page.goBack();
  await expect(page).toHaveURL(/\/notifications$/);

  // Reading one lowers the count; reading all clears it.
  await list.getByRole('button', { name: /^Mark as read/ }).first().click();
  if (before > 1) {
    await expect(count).toHaveText(String(before - 1));
  } else {
    await expect(count).toHaveCount(0);
  }
  if (before > 1) {
    await page.getByRole('button', { name: 'Mark all as read' }).click();
  }
  await expect(count).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Mark all as read' })).toHaveCount(0);
  await page.getByRole('link', { name: /^Unread/ }).click();
  await expect(page.getByRole('heading', { name: 'Nothing unread' })).toBeVisible();

  // E-mail preference: saved, with the server's e-mail status said plainly.
  await expect(page.getByText('E-mail sending is off on this server')).toBeVisible();
  await page.getByLabel('A daily digest').check();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Saved: A daily digest.')).toBeVisible();

  expect(errors).toEqual([]);
});
