import { test, expect, Browser, Page } from '@playwright/test';
import { signIn, waitForHydration, watchConsole } from './helpers';

/** A page of its own (own cookies) for one person, signed in and on `path`. */
async function pageFor(browser: Browser, baseURL: string, email: string, path: string): Promise<Page> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await signIn(page, email, path);
  await waitForHydration(page);
  return page;
}

test('a site lead enters an open round on a phone, and the quality officer scores it', async ({ page, browser, baseURL }, testInfo) => {
  test.setTimeout(60_000);
  const errors = watchConsole(page);
  // Each project takes its own open round (the first one scores its round): HIV serology
  // answered from choice lists, syphilis RPR typed as titres.
  const [site, lead, scheme] = testInfo.project.name === 'tablet'
    ? ['UGA-KLA', 'lead.kla@attest.example', 'SYPH-RPR']
    : ['KEN-NBO', 'lead.nbo@attest.example', 'HIV-SERO'];

  // The open round, and its answers as the quality officer sees them.
  const qoPage = await pageFor(browser, baseURL!, 'qo@attest.example', '/pt');
  const events = await (await qoPage.request.get(`/api/v1/pt/events?scheme=${scheme}&status=open`)).json();
  const eventId = events.items[0].id;
  const event = await (await qoPage.request.get(`/api/v1/pt/events/${eventId}`)).json();
  const expected: string[] = event.challenges.map((c: { expected: string }) => c.expected);

  // The lead, on a phone-sized screen, finds the round and enters every sample; the last one
  // wrong on purpose.
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, lead, '/pt?status=open');
  await waitForHydration(page);
  await page.getByRole('link', { name: event.summary.code }).first().click();
  await expect(page).toHaveURL(new RegExp(`/pt/events/${eventId}$`));
  await page.getByRole('link', { name: /Enter (or correct )?results/ }).click();
  await expect(page).toHaveURL(new RegExp(`/pt/events/${eventId}/enter$`));
  await expect(page.getByRole('heading', { level: 1 })).toContainText(event.summary.scheme_name);
  for (const [i, challenge] of event.challenges.entries()) {
    const last = i === event.challenges.length - 1;
    const field = page.getByLabel(`${challenge.code} — ${challenge.analyte}`);
    if (challenge.categories.length > 0) {
      const wrong = expected[i] === 'reactive' ? 'non-reactive' : 'reactive';
      await field.selectOption(last ? wrong : expected[i]);
    } else {
      // Titres: two dilutions off is wrong (one is still right).
      const wrong = expected[i] === 'non-reactive' ? '1:8' : `1:${Number(expected[i].split(':')[1]) * 4}`;
      await field.fill(last ? wrong : expected[i]);
    }
  }
  // No horizontal scrolling on the phone.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(1);
  if (await page.getByLabel('Why are the results late?').first().isVisible()) {
    await page.getByLabel('Why are the results late?').first().fill('Entered after the round closed (test).');
  }
  await page.getByRole('button', { name: 'Save results' }).click();
  await expect(page).toHaveURL(new RegExp(`/pt/events/${eventId}\\?entered=1$`));
  await expect(page.getByText('Results saved.')).toBeVisible();
  const row = page.getByRole('table', { name: 'Sites' }).getByRole('row', { name: new RegExp(site) });
  await expect(row).toContainText(`${event.challenges.length} of ${event.challenges.length}`);
  // Before scoring the lead sees no answers.
  await expect(page.getByRole('cell', { name: 'not given yet' }).first()).toBeVisible();

  // The quality officer closes (if still open) and scores.
  await qoPage.goto(`/pt/events/${eventId}`);
  await waitForHydration(qoPage);
  if (await qoPage.getByText('Close the event…').isVisible()) {
    await qoPage.getByText('Close the event…').click();
    await qoPage.getByRole('button', { name: 'Close now' }).click();
    await expect(qoPage.locator('.page-header .status')).toHaveText('Closed');
  }
  await qoPage.getByRole('button', { name: /Score (the event|again)/ }).click();
  await expect(qoPage.locator('.page-header .status')).toHaveText('Scored');
  const siteRow = qoPage.getByRole('table', { name: 'Sites' }).getByRole('row', { name: new RegExp(site) });
  await expect(siteRow).toContainText(/Satisfactory|Unsatisfactory/);
  // The wrong answer became exactly one CAPA, owned by the site.
  const capas = qoPage.getByRole('listitem').filter({ hasText: 'PT unsatisfactory result' }).filter({ hasText: site });
  await expect(capas).toHaveCount(1);

  // The lead now sees the answers, the verdicts and the CAPA on the event page.
  await page.reload();
  await waitForHydration(page);
  await expect(page.locator('.page-header .status')).toHaveText('Scored');
  await expect(page.getByText('✗').first()).toBeVisible();
  expect(errors).toEqual([]);
});

test('a site history shows z-score trends as SVG with bands, legend and a table', async ({ page }) => {
  const errors = watchConsole(page);
  await signIn(page, 'lead.kla@attest.example', '/pt/sites/UGA-KLA');
  await waitForHydration(page);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('PT history — UGA-KLA');
  await expect(page.getByText(/Unsuccessful participation: HIV serology/)).toBeVisible();
  const chart = page.locator('figure.zchart').first();
  await expect(chart.locator('svg .zchart__band--warning')).toHaveCount(2);
  await expect(chart.locator('svg .zchart__band--action')).toHaveCount(2);
  await expect(chart.getByText('▲ 2 < |z| < 3 questionable (shaded band)')).toBeVisible();
  await chart.getByText('Show the data as a table').click();
  await expect(chart.locator('table tbody tr').first()).toBeVisible();
  expect(errors).toEqual([]);
  // Another site's history is not found.
  await page.goto('/pt/sites/KEN-NBO');
  await expect(page.getByText('Not found')).toBeVisible();
});

test('radiology QC metrics show flags with words, not colour alone', async ({ page }) => {
  await signIn(page, 'qo@attest.example', '/pt/radiology');
  await waitForHydration(page);
  await expect(page.getByRole('heading', { name: 'Per reader' })).toBeVisible();
  await expect(page.locator('td.cell--flag').first()).toContainText('⚠');
  await expect(page.getByText('(flagged)').first()).toBeAttached();
});
