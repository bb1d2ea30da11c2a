import { test, expect } from '@playwright/test';
import { countDocumentRequests, signIn, waitForHydration, watchConsole } from './helpers';

const QO = 'qo@attest.example';

test.describe('server rendering', () => {
  test.use({ javaScriptEnabled: false });

  test('the sites page arrives rendered, grouped by region, without JavaScript', async ({ page }) => {
    await signIn(page, QO, '/sites');
    await expect(page).toHaveURL(/\/sites$/);
    await expect(page).toHaveTitle('Sites · Attest');
    await expect(page.getByRole('heading', { name: /East and Horn of Africa/ })).toBeVisible();
    await expect(page.locator('.site-row')).toHaveCount(36);
    await expect(page.getByText('36 sites')).toBeVisible();
  });

  test('an unknown address answers 404 with a way back', async ({ page }) => {
    const response = await page.goto('/no/such/page');
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'browse the sites' })).toBeVisible();
  });
});

test.describe('hydration', () => {
  test('links lead to server-rendered pages and the filter narrows as you type', async ({ page }) => {
    const errors = watchConsole(page);

    await signIn(page, QO);
    await waitForHydration(page);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sites' }).click();
    await expect(page).toHaveURL(/\/sites$/);
    await expect(page.locator('.site-row')).toHaveCount(36);
    await expect(page.getByRole('link', { name: 'Sites' })).toHaveAttribute('aria-current', 'page');

    const filter = page.getByLabel('Filter sites');
    await filter.pressSequentially('kenya');
    await expect(page.locator('.site-row')).toHaveCount(2);
    await expect(page.getByText('2 of 36 sites')).toBeVisible();
    await filter.fill('nairobi');
    await expect(page.locator('.site-row')).toHaveCount(1);
    await filter.fill('zzzz');
    await expect(page.getByRole('heading', { name: 'No sites match' })).toBeVisible();
    await filter.fill('');
    await expect(page.locator('.site-row')).toHaveCount(36);

    await page.getByRole('link', { name: /KEN-NBO/ }).click();
    await expect(page).toHaveURL(/\/sites\/KEN-NBO$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Nairobi Health Assessment Centre');
    await expect(page.getByText('Teleradiology quality control')).toBeVisible();
    await expect(page).toHaveTitle('Nairobi Health Assessment Centre (KEN-NBO) · Attest');

    expect(errors).toEqual([]);
  });

  test('control: without the WebAssembly client the filter does nothing and links reload', async ({ page }) => {
    // Proves the test above can fail: the same steps with hydration blocked behave differently.
    await page.route('**/*.wasm', (route) => route.abort());
    await signIn(page, QO, '/sites');
    const documents = countDocumentRequests(page);
    await page.getByLabel('Filter sites').fill('nairobi');
    await expect(page.locator('.site-row')).toHaveCount(36);
    await page.getByRole('link', { name: /KEN-NBO/ }).click();
    await expect(page).toHaveURL(/\/sites\/KEN-NBO$/);
    expect(documents.count).toBe(1);
    await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
  });

  test('the filter can be pre-filled from the address', async ({ page }) => {
    await signIn(page, QO);
    await waitForHydration(page);
    // Quality officers land on the network dashboard; the sites overview is one step away.
    await expect(page).toHaveURL(/\/dashboard$/);
    await page.goto('/sites?region=SAF');
    await expect(page.getByLabel('Filter sites')).toHaveValue('SAF');
    await expect(page.locator('.site-row')).toHaveCount(4);
  });
});

test.describe('small screens', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true });

  test('the menu opens from its button and closes after navigating', async ({ page }) => {
    await signIn(page, QO);
    await waitForHydration(page);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect(nav).toBeHidden();
    await page.getByRole('button', { name: 'Menu' }).click();
    await expect(nav).toBeVisible();
    await nav.getByRole('link', { name: 'Sites' }).click();
    await expect(page).toHaveURL(/\/sites$/);
    await expect(nav).toBeHidden();
    await expect(page.getByRole('button', { name: 'Menu' })).toHaveAttribute('aria-expanded', 'false');
  });
});
