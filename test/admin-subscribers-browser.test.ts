// The admin in headless Chromium: log in through the form, see the dashboard with its growth chart,
// find a reader by the start of their address and act on them, import a CSV and watch its progress
// reach the end. No request leaves the site; the pages fit a 375 px screen. Writes the screenshots
// docs/screenshots/admin-dashboard.png and admin-subscriber.png.

import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importSubscribers } from '../src/subscriptions/import-subscribers.js';
import { type AdminApp, startAdminApp } from './support/admin-app.js';
import { launchChromium, skipBrowserTests } from './support/chromium.js';
import { engines } from './support/databases.js';

const screenshots = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const names = ['ada', 'grace', 'linus', 'margaret', 'ken', 'barbara', 'dennis', 'frances', 'edsger', 'radia'];

describe.skipIf(skipBrowserTests)('the admin in headless Chromium', () => {
  let t: AdminApp;
  let browser: Browser;
  const foreignRequests: string[] = [];

  beforeAll(async () => {
    t = await startAdminApp({ engine: engines.at(-1), workers: false });
    // Readers who came over the last 80 days, a few more each week, as the chart should show them.
    const today = Date.now();
    for (let day = 80; day >= 0; day -= 4) {
      const at = new Date(today - day * 86_400_000);
      const count = 3 + Math.round((80 - day) / 6);
      const rows = Array.from(
        { length: count },
        (_, i) => `${names[(day + i) % names.length]}.${day}.${i}@example.net`,
      );
      await importSubscribers({
        db: t.db,
        keys: t.services.keys,
        clock: { now: () => at },
        input: Readable.from([`email\n${rows.join('\n')}\n`]),
        source: day > 40 ? 'substack.csv' : 'ghost.csv',
        status: day % 12 === 0 ? 'pending' : 'active',
      });
    }
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    expect(foreignRequests).toEqual([]);
  });

  async function loggedIn(width: number): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    page.on('request', (request) => {
      if (!request.url().startsWith(`${t.baseUrl}/`)) foreignRequests.push(request.url());
    });
    await page.goto(`${t.baseUrl}/admin/login`);
    await page.locator('#email').fill(t.admin.email);
    await page.locator('#password').fill(t.admin.password);
    await page.locator('button[type=submit]').click();
    await page.waitForURL(`${t.baseUrl}/admin`);
    return page;
  }

  const fitsWidth = (page: Page) =>
    page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

  it('logs in to the dashboard and its growth chart', async () => {
    const page = await loggedIn(1280);
    expect(await page.locator('h1').textContent()).toBe('Dashboard');
    const chart = page.locator('svg.growth-chart');
    expect(await chart.isVisible()).toBe(true);
    expect((await chart.boundingBox())?.height).toBeGreaterThan(150);
    expect(await page.locator('#growth-title').textContent()).toBe('Readers over the last 90 days');
    expect(await page.locator('polyline.growth-line-active').getAttribute('points')).toMatch(/^[\d., ]+$/);
    await page.screenshot({ path: `${screenshots}admin-dashboard.png`, fullPage: true });

    const narrow = await loggedIn(375);
    expect(await fitsWidth(narrow)).toBe(true);
  });

  it('finds a reader by the start of their address, suppresses them and lifts it', async () => {
    const page = await loggedIn(1280);
    await page.getByRole('link', { name: 'Subscribers', exact: true }).click();
    await page.locator('input[name=q]').fill('radia.');
    await page.getByRole('button', { name: 'Search' }).click();
    const results = page.locator('.subscriber-table tbody tr');
    expect(await results.count()).toBeGreaterThan(0);
    for (const text of await results.locator('th a').allTextContents()) expect(text).toMatch(/^radia\./);
    await results.first().locator('th a').click();
    expect(await page.locator('h1').textContent()).toMatch(/^radia\./);
    await page.getByRole('button', { name: 'Suppress: send no more mail' }).click();
    expect(await page.locator('.notice').textContent()).toContain('Suppressed');
    await page.getByRole('button', { name: 'Lift the suppression' }).click();
    expect(await page.locator('.notice').textContent()).toContain('The suppression is lifted.');
    expect(await page.locator('.history li').allTextContents()).toEqual([
      expect.stringContaining('Imported'),
      expect.stringContaining('Suppressed'),
      expect.stringContaining('Suppression lifted'),
    ]);
    await page.screenshot({ path: `${screenshots}admin-subscriber.png`, fullPage: true });

    const narrow = await loggedIn(375);
    await narrow.goto(page.url());
    expect(await fitsWidth(narrow)).toBe(true);
  });

  it('imports a CSV and shows its progress to the end', async () => {
    const page = await loggedIn(1280);
    await page.goto(`${t.baseUrl}/admin/subscribers`);
    await page.getByRole('link', { name: 'Import a CSV' }).click();
    const rows = Array.from({ length: 6000 }, (_, i) => `Reader ${i},new.reader.${i}@example.org`);
    await page.locator('input[type=file]').setInputFiles({
      name: 'mailchimp.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`Name,Email Address\n${rows.join('\n')}\n`),
    });
    await page.getByRole('button', { name: 'Upload and preview' }).click();
    expect(await page.locator('main').textContent()).toContain('6,000 rows under a header of 2 columns');
    expect(await page.locator('select[name=emailColumn] option:checked').textContent()).toBe('Email Address');
    await page.getByLabel(/active: they confirmed/).check();
    await page.getByRole('button', { name: 'Import 6,000 rows' }).click();
    await expect
      .poll(() => page.locator('#import-status').textContent(), { timeout: 30_000 })
      .toBe('Done: 6,000 imported, 0 already here, 0 not imported.');
    const bar = page.locator('#import-bar');
    expect(await bar.getAttribute('value')).toBe(await bar.getAttribute('max'));
    const imported = await t.db.kysely
      .selectFrom('subscribers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('source', '=', 'import:mailchimp.csv')
      .executeTakeFirstOrThrow();
    expect(Number(imported.n)).toBe(6000);
  });
});
