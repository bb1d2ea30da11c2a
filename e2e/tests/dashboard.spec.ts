import { test, expect } from '@playwright/test';
import { signIn, waitForHydration, watchConsole } from './helpers';

/** The numbers in one column of the sites table, top to bottom. */
async function column(page: import('@playwright/test').Page, index: number): Promise<number[]> {
  const cells = page.getByTestId('region-sites').locator('tbody tr').locator(`td:nth-of-type(${index})`);
  const texts = await cells.allTextContents();
  return texts.map((t) => Number((t.match(/\d+/) ?? ['NaN'])[0]));
}

test('a regional manager lands on the region, sorts by overdue CAPAs and drills into a site', async ({ page }) => {
  const errors = watchConsole(page);
  await signIn(page, 'rm.eha@attest.example');
  await expect(page).toHaveURL(/\/dashboard\/region\/EHA$/);
  await waitForHydration(page);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('regional dashboard');
  const rows = page.getByTestId('region-sites').locator('tbody tr');
  expect(await rows.count()).toBeGreaterThan(3);
  // Every rated cell says its rating in text, not only in colour.
  await expect(page.locator('td.cell--poor .cell__icon').first()).toHaveText('✗');

  // Overdue CAPAs is the seventh figure column; the first click puts the most overdue first.
  await page.getByRole('link', { name: 'Overdue CAPAs' }).click();
  await expect(page).toHaveURL(/sort=overdue&dir=desc/);
  await expect(page.getByRole('columnheader', { name: /Overdue CAPAs/ })).toHaveAttribute('aria-sort', 'descending');
  const overdue = await column(page, 7);
  expect(overdue.length).toBeGreaterThan(3);
  expect([...overdue].sort((a, b) => b - a)).toEqual(overdue);
  expect(overdue[0]).toBeGreaterThan(0);

  // A second click turns the order round.
  await page.getByRole('link', { name: /Overdue CAPAs/ }).click();
  await expect(page).toHaveURL(/sort=overdue&dir=asc/);
  const ascending = await column(page, 7);
  expect([...ascending].sort((a, b) => a - b)).toEqual(ascending);

  // The CSV link is a download of the same table.
  await expect(page.getByRole('link', { name: 'Download CSV' }).first()).toHaveAttribute('download', 'region-EHA-sites.csv');

  // Drill down: the first site's dashboard.
  const first = rows.first();
  const code = await first.getAttribute('data-site');
  await first.getByRole('link').first().click();
  await expect(page).toHaveURL(new RegExp(`/dashboard/site/${code}$`));
  await expect(page.getByRole('heading', { level: 1 })).toContainText(`${code}`);
  await expect(page.getByRole('heading', { name: /CAPAs due within 14 days/ })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Next audit' })).toBeVisible();
  expect(errors).toEqual([]);
});

test('a quality officer sees the network with its heat grid and the most failed clauses', async ({ page }) => {
  const errors = watchConsole(page);
  await signIn(page, 'qo@attest.example');
  await expect(page).toHaveURL(/\/dashboard$/);
  await waitForHydration(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Network dashboard');
  await expect(page.getByTestId('network-regions').locator('tbody tr')).toHaveCount(6);
  await expect(page.getByRole('img', { name: /Regions × figures: heat grid/ })).toBeVisible();
  await expect(page.getByTestId('failed-clauses').locator('tbody tr').first()).toBeVisible();
  // A chart's table alternative opens from its summary.
  const trend = page.locator('figure', { hasText: 'Audit scores and PT results' });
  await trend.getByText('Show as a table').click();
  await expect(trend.getByRole('table').locator('tbody tr')).toHaveCount(24);
  // A region's name leads to its dashboard.
  await page.getByTestId('network-regions').locator('tbody tr').first().getByRole('link').click();
  await expect(page).toHaveURL(/\/dashboard\/region\/[A-Z]+$/);
  expect(errors).toEqual([]);
});

test('a site lead lands on the site dashboard', async ({ page }) => {
  await signIn(page, 'lead.kla@attest.example');
  await expect(page).toHaveURL(/\/dashboard\/site\/UGA-KLA$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('UGA-KLA');
  await expect(page.getByRole('heading', { name: /Acknowledgements pending/ })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'PT deadlines' })).toBeVisible();
});
