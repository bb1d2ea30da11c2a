import { test, expect } from '@playwright/test';
import { DEMO_PASSWORD, signIn, waitForHydration, watchConsole } from './helpers';

test('sign in through /login, see your name, sign out', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto('/login');
  await waitForHydration(page);
  await page.getByLabel('Email').fill('lead.nbo@attest.example');
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('user-name')).toHaveText('Amina Odhiambo');
  // A site lead's home page is their site's dashboard.
  await expect(page).toHaveURL(/\/dashboard\/site\/KEN-NBO$/);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByTestId('user-name')).toHaveCount(0);
  // The session is gone on the server too.
  await page.goto('/sites');
  await expect(page).toHaveURL(/\/login\?next=\/sites$/);
  expect(errors).toEqual([]);
});

test('a wrong password says so without revealing whether the account exists', async ({ page }) => {
  await page.goto('/login');
  await waitForHydration(page);
  await page.getByLabel('Email').fill('lead.nbo@attest.example');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('email or password is not correct');
  await expect(page.getByLabel('Email')).toHaveValue('lead.nbo@attest.example');
});

test('a page asked for before signing in opens after signing in', async ({ page }) => {
  await page.goto('/sites/KEN-NBO');
  await expect(page).toHaveURL(/\/login\?next=\/sites\/KEN-NBO$/);
  await page.getByLabel('Email').fill('lead.nbo@attest.example');
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/sites\/KEN-NBO$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Nairobi Health Assessment Centre');
});

test('a site lead sees only their site and no administration', async ({ page }) => {
  await signIn(page, 'lead.nbo@attest.example', '/sites');
  await expect(page.locator('.site-row')).toHaveCount(1);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' })).toHaveCount(0);
});

test('an administrator creates a user, who must change the temporary password', async ({ page, browser }, testInfo) => {
  await signIn(page, 'admin@attest.example', '/admin/users');
  await waitForHydration(page);
  const email = `new.${Date.now()}@attest.example`;
  const person = `Wanjiru Njoroge ${testInfo.project.name}`;
  await page.getByLabel('Name').fill(person);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Role', { exact: true }).last().selectOption('staff');
  await page.getByLabel('Scope').fill('KEN-NBO');
  await page.getByLabel('Temporary password').fill('temporary pass 1');
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByRole('status')).toContainText(`Created ${person}`);
  await expect(page.getByRole('link', { name: person })).toBeVisible();

  const other = await browser.newPage();
  await other.goto('/login');
  await other.getByLabel('Email').fill(email);
  await other.getByLabel('Password').fill('temporary pass 1');
  await other.getByRole('button', { name: 'Sign in' }).click();
  await expect(other).toHaveURL(/\/account\/password$/);
  await waitForHydration(other);
  await other.getByLabel('Current password').fill('temporary pass 1');
  await other.getByLabel('New password').fill('my own passphrase');
  await other.getByRole('button', { name: 'Change password' }).click();
  await expect(other.getByText('Your password has been changed')).toBeVisible();
  await other.goto('/sites');
  await expect(other.locator('.site-row')).toHaveCount(1);
  await other.close();
});

test('a personal API token is shown once and can be revoked after confirming', async ({ page }, testInfo) => {
  // Each project runs against the same server: give this run's token a name of its own.
  const name = `LIMS export ${testInfo.project.name}`;
  await signIn(page, 'qo@attest.example', '/account');
  await waitForHydration(page);
  await page.getByLabel('Token name').fill(name);
  await page.getByRole('button', { name: 'Create token' }).click();
  await expect(page.getByTestId('new-token')).toContainText('att_');
  const row = page.getByRole('row').filter({ hasText: name });
  await expect(row).toContainText('active');
  await row.getByRole('button', { name: `Revoke ${name}` }).click();
  await row.getByRole('button', { name: 'Yes, revoke' }).click();
  await expect(page.getByRole('row').filter({ hasText: name })).toContainText('revoked');
});

test.describe('before the client has loaded', () => {
  test.use({ javaScriptEnabled: false });

  test('a failed sign-in through the plain form says why', async ({ page }) => {
    await page.goto('/login?next=/sites');
    await page.getByLabel('Email').fill('lead.nbo@attest.example');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/login\?failed=1&next=\/sites$/);
    await expect(page.getByRole('alert')).toContainText('email or password is not correct');
  });
});
