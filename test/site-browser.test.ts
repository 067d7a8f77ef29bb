import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { launchChromium, skipBrowserTests } from './support/chromium.js';
import { buildSiteApp } from './support/site-app.js';

// The shipped content: the screenshots in the README are of the real site.
const contentDir = fileURLToPath(new URL('../content', import.meta.url));
const screenshots = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));

describe.skipIf(skipBrowserTests)('the site in headless Chromium', () => {
  let site: Awaited<ReturnType<typeof buildSiteApp>>;
  let browser: Browser;
  let origin: string;
  const foreignRequests: string[] = [];

  beforeAll(async () => {
    site = await buildSiteApp(systemClock, contentDir);
    origin = await site.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    site?.live.stop();
    await site?.app.close();
  });

  async function open(width: number, height: number, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height }, colorScheme });
    const page = await context.newPage();
    page.on('request', (request) => {
      if (!request.url().startsWith(`${origin}/`)) foreignRequests.push(request.url());
    });
    return page;
  }

  for (const { width, height } of [
    { width: 1280, height: 900 },
    { width: 375, height: 812 },
  ]) {
    it(`shows the hero, the subscribe form and the stats at ${width} px, without sideways scrolling`, async () => {
      const page = await open(width, height);
      await page.goto(`${origin}/`);
      await expect
        .poll(() =>
          page.getByRole('heading', { level: 1, name: 'Spend the error budget wisely' }).isVisible(),
        )
        .toBe(true);
      expect(await page.locator('#hero-email').isVisible()).toBe(true);
      expect(await page.getByRole('button', { name: 'Subscribe' }).first().isVisible()).toBe(true);
      await page.getByText('Years fintech infrastructure').scrollIntoViewIfNeeded();
      expect(await page.getByText('Years fintech infrastructure').isVisible()).toBe(true);
      expect(await page.getByText('No vendor influence').isVisible()).toBe(true);
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: `${screenshots}home-${width}.png` });
      await page.context().close();
    });
  }

  it('follows "View all" to the archive and on to a note', async () => {
    const page = await open(1280, 900);
    await page.goto(`${origin}/`);
    await page.getByRole('link', { name: 'View all →' }).click();
    await page.waitForURL(`${origin}/notes`);
    expect(await page.getByRole('heading', { level: 1, name: 'All notes' }).isVisible()).toBe(true);
    const first = page.locator('.note-list h3 a').first();
    const title = (await first.textContent()) ?? '';
    await first.click();
    await page.waitForURL(/\/notes\/[a-z0-9-]+$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(title);
    expect(await page.locator('.prose').isVisible()).toBe(true);
    await page.screenshot({ path: `${screenshots}note-1280.png` });
    await page.context().close();
  });

  it('shows every note on a phone without sideways scrolling', async () => {
    const page = await open(375, 812);
    for (const note of site.live.current.published) {
      await page.goto(`${origin}/notes/${note.slug}`);
      expect(
        await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
        note.slug,
      ).toBe(true);
    }
    await page.context().close();
  });

  it('follows the dark colour scheme', async () => {
    const page = await open(1280, 900, 'dark');
    await page.goto(`${origin}/`);
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe('rgb(18, 19, 21)');
    await page.screenshot({ path: `${screenshots}home-dark-1280.png` });
    await page.context().close();
  });

  it('made no request to any other host', () => {
    expect(foreignRequests).toEqual([]);
  });
});
