import { test, expect, Browser, Page } from '@playwright/test';
import { spawn, ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { signIn, waitForHydration, watchConsole, DEMO_PASSWORD } from './helpers';

/** A page of its own (own cookies) for one person, signed in and on `path`. */
async function pageFor(browser: Browser, baseURL: string, email: string, path: string): Promise<Page> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await signIn(page, email, path);
  await waitForHydration(page);
  return page;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

function stop(child: ChildProcess) {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** The same app on the same database, its clock `days` ahead (Debian's faketime). */
async function serverDaysAhead(days: number): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn('faketime', ['-f', `+${days}d`, process.env.E2E_BIN!, 'serve'], {
    env: {
      ...process.env,
      ATTEST_DATABASE_URL: process.env.E2E_DATABASE_URL!,
      ATTEST_ADDR: `127.0.0.1:${port}`,
      ATTEST_SITE_ROOT: process.env.E2E_SITE_ROOT!,
      RUST_LOG: 'warn',
    },
    stdio: 'ignore',
    // Its own process group: faketime runs the server as a child, and both must stop.
    detached: true,
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { url, child };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  stop(child);
  throw new Error('the server days ahead did not start');
}

test('a finding is taken from a one-click CAPA to a signed, verified closure', async ({ page, browser, baseURL }, testInfo) => {
  test.setTimeout(90_000);
  const errors = watchConsole(page);
  const [site, lead] = testInfo.project.name === 'tablet'
    ? ['UGA-KLA', 'lead.kla@attest.example']
    : ['KEN-NBO', 'lead.nbo@attest.example'];

  // The quality officer records a finding on a submitted audit and raises its CAPA in one click.
  await signIn(page, 'qo@attest.example', '/audits');
  const audits = await (await page.request.get(`/api/v1/audits?site=${site}&state=submitted`)).json();
  const auditId = audits.items[0].id;
  const finding = await (await page.request.post(`/api/v1/audits/${auditId}/findings`, {
    data: { severity: 'major', clause: '5.3.1', description: 'Temperature log of the reagent fridge has gaps.' },
  })).json();
  await page.goto(`/audits/${auditId}`);
  await waitForHydration(page);
  await page.getByRole('button', { name: `Raise a CAPA for finding ${finding.number}` }).click();
  await expect(page).toHaveURL(/\/capas\/\d+$/);
  const capaPath = new URL(page.url()).pathname;
  await expect(page.locator('.page-header .status')).toHaveText('Open');
  await expect(page.getByRole('link', { name: new RegExp(`finding ${finding.number} of the`) })).toBeVisible();

  // The site lead works it through: containment, 5 whys, a plan.
  const leadPage = await pageFor(browser, baseURL!, lead, capaPath);
  const badge = leadPage.locator('.page-header .status');
  await leadPage.getByLabel('Containment: the immediate correction').fill('Reagents of the affected lots quarantined.');
  await leadPage.getByRole('button', { name: 'Record containment' }).click();
  await expect(badge).toHaveText('Containment');
  await leadPage.getByLabel('Why 1?').fill('Readings are missing at weekends.');
  await leadPage.getByLabel('Why 2?').fill('Nobody is rostered to take them.');
  await leadPage.locator('#whys-root-cause').fill('The procedure names no deputy for weekends.');
  await leadPage.getByRole('button', { name: 'Record root cause' }).first().click();
  await expect(badge).toHaveText('Root cause');
  await expect(leadPage.getByRole('region', { name: 'Root cause' })).toContainText('The procedure names no deputy');
  await leadPage.locator('#action-description').fill('Name a weekend deputy and train them.');
  await leadPage.getByRole('button', { name: 'Add action' }).click();
  await expect(leadPage.getByRole('region', { name: 'Action plan' }).getByRole('row')).toHaveCount(2);
  await leadPage.getByRole('button', { name: 'Submit the plan for approval' }).click();
  await expect(badge).toHaveText('Action plan');

  // The regional manager approves; the lead implements.
  const managerPage = await pageFor(browser, baseURL!, 'rm.eha@attest.example', capaPath);
  await managerPage.getByRole('button', { name: 'Approve the plan' }).click();
  await expect(managerPage.locator('.page-header .status')).toHaveText('Plan approved');
  await leadPage.reload();
  await waitForHydration(leadPage);
  await leadPage.getByRole('button', { name: 'Start implementing' }).click();
  await expect(badge).toHaveText('Implementing');
  await leadPage.getByRole('button', { name: 'Mark action 1 done' }).click();
  await expect(leadPage.getByRole('region', { name: 'Action plan' })).toContainText('Done');
  await leadPage.getByRole('button', { name: 'Record implementation complete' }).click();
  await expect(badge).toHaveText('Effectiveness check');

  // 31 days later the quality officer verifies and closes with a signature.
  const later = await serverDaysAhead(31);
  try {
    const qoPage = await pageFor(browser, later.url, 'qo@attest.example', capaPath);
    await qoPage.getByLabel('Effective', { exact: true }).check();
    await qoPage.getByLabel('Evidence').fill('Four weeks of complete logs; the deputy signed each weekend.');
    await qoPage.getByRole('button', { name: 'Record the check' }).click();
    await expect(qoPage.getByText('Verified effective: ready to close')).toBeVisible();
    await qoPage.getByLabel('Your password').fill('not my password');
    await qoPage.getByRole('button', { name: 'Sign and close' }).click();
    await expect(qoPage.getByText('The password is not correct; nothing was signed.')).toBeVisible();
    await qoPage.getByLabel('Your password').fill(DEMO_PASSWORD);
    await qoPage.getByRole('button', { name: 'Sign and close' }).click();
    await expect(qoPage.locator('.page-header .status')).toHaveText('Closed');
    await expect(qoPage.getByText(/Signed by .*verified effective/)).toBeVisible();
    await expect(qoPage.getByRole('region', { name: 'Timeline' })).toContainText('Closed with signature');
  } finally {
    stop(later.child);
  }
  expect(errors).toEqual([]);
});

test('the CAPA list filters overdue ones and says so in words', async ({ page }) => {
  await signIn(page, 'rm.eha@attest.example', '/capas?overdue=yes');
  await waitForHydration(page);
  await expect(page.getByRole('status').filter({ hasText: 'CAPAs' })).toBeVisible();
  const rows = page.locator('tbody tr');
  expect(await rows.count()).toBeGreaterThan(0);
  await expect(rows.first()).toContainText('Overdue by');
  await page.getByRole('link', { name: 'My CAPAs' }).click();
  await expect(page).toHaveURL(/mine=1/);
});
