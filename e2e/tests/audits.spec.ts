import { test, expect } from '@playwright/test';
import { signIn, waitForHydration, watchConsole } from './helpers';

test('a quality officer plans, conducts (offline moments included), submits and issues the signed report', async ({ page, context, browser }, testInfo) => {
  const errors = watchConsole(page);
  const site = testInfo.project.name === 'tablet' ? 'SEN-DKR' : 'GHA-ACC';
  await signIn(page, 'qo@attest.example', '/audits');
  await waitForHydration(page);
  await page.getByRole('link', { name: 'Plan an audit' }).click();
  await page.getByLabel('Site code').fill(site);
  await page.getByLabel('Checklist').selectOption({ index: 0 });
  await page.getByLabel('Starts').fill('2027-01-11');
  await page.getByLabel('Ends').fill('2027-01-12');
  await page.getByRole('button', { name: 'Plan the audit' }).click();
  await expect(page.locator('.page-header .status')).toHaveText('Planned');
  const auditId = new URL(page.url()).pathname.split('/').pop();

  await page.getByRole('button', { name: 'Start the audit' }).click();
  await expect(page).toHaveURL(new RegExp(`/audits/${auditId}/conduct$`));
  await waitForHydration(page);
  const status = page.getByTestId('sync-status');
  const items = page.locator('.checklist__item');

  // Online: each answer is saved as it is given.
  for (let i = 0; i < 3; i++) {
    await items.nth(i).getByRole('button', { name: 'Yes' }).click();
  }
  await expect(status).toHaveText('✓ All answers saved');

  // Offline: answers wait on the device, and the page says how many.
  await context.setOffline(true);
  await items.nth(3).getByRole('button', { name: 'No' }).click();
  await items.nth(4).getByRole('button', { name: 'Partial' }).click();
  await items.nth(5).getByRole('button', { name: 'N/A' }).click();
  await expect(status).toHaveText('⟳ 3 answers waiting to be sent');
  await expect(items.nth(3).getByRole('button', { name: 'No' })).toHaveAttribute('aria-pressed', 'true');

  // Back online: they reach the server without anyone doing anything.
  await context.setOffline(false);
  await expect(status).toHaveText('✓ All answers saved', { timeout: 15_000 });
  const audit = await (await page.request.get(`/api/v1/audits/${auditId}`)).json();
  const answers = Object.fromEntries(audit.answers.map((a: { item_id: number; answer: string }) => [a.item_id, a.answer]));
  const ids = await items.evaluateAll((els) => els.slice(0, 6).map((el) => Number(el.getAttribute('data-item'))));
  expect(ids.map((id) => answers[id])).toEqual(['yes', 'yes', 'yes', 'no', 'partial', 'not_applicable']);

  // And they are still there after reloading.
  await page.reload();
  await waitForHydration(page);
  await expect(items.nth(4).getByRole('button', { name: 'Partial' })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('.checklist-section__progress').first()).toContainText('5 /');

  // A "no" raises a finding in one click, prefilled from the item.
  await items.nth(3).getByRole('link', { name: 'Raise a finding' }).click();
  const description = page.getByLabel('Description');
  await expect(description).not.toBeEmpty();
  await page.getByRole('button', { name: 'Raise finding' }).click();
  await expect(page.getByRole('region', { name: 'Findings' }).getByRole('row')).toHaveCount(2);

  // Answer the rest and submit: the score follows the brief's rule.
  await page.getByRole('link', { name: 'Conduct the audit' }).click();
  await waitForHydration(page);
  const count = await items.count();
  for (let i = 6; i < count; i++) {
    await items.nth(i).getByRole('button', { name: 'Yes' }).click();
  }
  await expect(status).toHaveText('✓ All answers saved');
  const weights = await items.evaluateAll((els) =>
    els.map((el) => Number((el.querySelector('.checklist__meta')?.textContent ?? '').match(/weight (\d+)/)?.[1] ?? 0)));
  // yes ×3, no, partial (1 point), N/A, then yes for the rest.
  const points = weights[0] + weights[1] + weights[2] + 1 + weights.slice(6).reduce((a, b) => a + b, 0);
  const applicable = weights.reduce((a, b) => a + b, 0) - weights[5];
  const expected = ((points * 100) / applicable).toFixed(2);
  await page.getByRole('link', { name: /Back to the audit/ }).click();
  await page.getByText('Submit…').click();
  await page.getByRole('button', { name: 'Submit the audit' }).click();
  await expect(page.locator('.page-header .status')).toHaveText('Submitted');
  await expect(page.locator('.score__percent')).toHaveText(`${expected}%`);

  // The lead auditor issues the signed report: a wrong password signs nothing.
  await page.getByText('Issue the report…').click();
  await page.getByLabel('Your password').fill('not my password');
  await page.getByRole('button', { name: 'Sign and issue the report' }).click();
  await expect(page.locator('.field__error[data-field="password"]')).toContainText('password is not correct');
  await expect(page.locator('.page-header .status')).toHaveText('Submitted');
  await page.getByLabel('Your password').fill('attest-demo-2026');
  await page.getByRole('button', { name: 'Sign and issue the report' }).click();
  // One finding needs a CAPA, so the audit waits for it before closing.
  await expect(page.locator('.page-header .status')).toHaveText('Report issued');
  const href = await page.getByRole('link', { name: 'Download the signed report (PDF)' }).getAttribute('href');
  const response = await page.request.get(href!);
  expect(response.headers()['content-type']).toBe('application/pdf');
  const pdf = await response.body();
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');

  // Anyone can check the file on the public verification page, without signing in.
  const visitor = await browser.newContext();
  const check = await visitor.newPage();
  const verify = async (buffer: Buffer) => {
    await check.goto('/verify');
    await check.getByLabel(/Report \(PDF/).setInputFiles({ name: 'report.pdf', mimeType: 'application/pdf', buffer });
    await check.getByRole('button', { name: 'Check the file' }).click();
    return check.locator('.report-verdict');
  };
  const authentic = await verify(pdf);
  await expect(authentic).toContainText('Authentic report');
  await expect(authentic).toContainText(`AR-${auditId!.padStart(5, '0')}`);
  await expect(authentic).toContainText(site);
  // One changed byte and it is no longer recognised.
  const tampered = Buffer.from(pdf);
  tampered[Math.floor(tampered.length / 3)] ^= 0x01;
  await expect(await verify(tampered)).toContainText('Not recognised');
  await visitor.close();
  // Expected noise: the offline moments, and the deliberately wrong password (answered 422).
  const noise = (e: string) =>
    e.includes('Failed to fetch') || e.includes('ERR_INTERNET_DISCONNECTED') || e.includes('status of 422');
  expect(errors.filter((e) => !noise(e))).toEqual([]);
});

test('the register shows a site\'s score trend and the calendar shows planned audits', async ({ page }) => {
  await signIn(page, 'rm.eha@attest.example', '/audits?site=KEN-NBO');
  await waitForHydration(page);
  await expect(page.getByRole('figure')).toContainText('Audit scores over time');
  await expect(page.getByRole('row', { name: /Nairobi Health Assessment Centre/ }).first()).toBeVisible();
  await page.getByRole('link', { name: 'Calendar' }).click();
  await expect(page.locator('table.calendar thead th')).toHaveCount(7);
  // The in-progress Nairobi audit started yesterday: this month or the previous one shows it.
  const here = await page.locator('.calendar__audit').count();
  if (here === 0) {
    await page.getByRole('link', { name: '← Previous month' }).click();
  }
  await expect(page.locator('.calendar__audit').first()).toContainText('KEN-NBO');

  // The pattern view ranks what fails most in the region and drills down to the audits.
  await page.goto('/audits/patterns?from=2000-01-01');
  await waitForHydration(page);
  await expect(page.getByRole('figure')).toContainText('cumulative share');
  const first = page.locator('tbody tr').first().getByRole('link');
  const item = (await first.textContent()) ?? '';
  await first.click();
  await expect(page.getByRole('status').filter({ hasText: 'was answered no or partial' })).toContainText(item);
  await expect(page.locator('tbody tr').first()).toBeVisible();
});
