// A real note's email in headless Chromium: what it loads, its width on a phone, its dark scheme, and the
// screenshots in docs/screenshots (rewritten only with UPDATE_SCREENSHOTS=1).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContent } from '../src/content/load-content.js';
import { issueEmail, personalSlots } from '../src/mail/issue-email.js';
import { launchChromium, skipBrowserTests } from './support/chromium.js';

const contentDir = fileURLToPath(new URL('../content', import.meta.url));
const screenshots = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const updateScreenshots = process.env.UPDATE_SCREENSHOTS === '1';
const siteUrl = 'https://errorbudget.test';
/** Code blocks, tables, footnotes and an image: the note that exercises the most. */
const slug = 'security-first-infrastructure-for-payments';
/** About 2,400 px in all: enough to judge the design, small enough to keep in the repository. */
const sliceHeights = { top: 900, table: 560, code: 560, end: 420 };
const types: Record<string, string> = { svg: 'image/svg+xml', png: 'image/png', jpg: 'image/jpeg' };

describe.skipIf(skipBrowserTests)('the issue email in headless Chromium', () => {
  let browser: Browser;
  let html: string;
  const foreignRequests: string[] = [];
  const siteRequests: string[] = [];

  beforeAll(async () => {
    const snapshot = await loadContent({ contentDir });
    const note = snapshot.notes.find((candidate) => candidate.slug === slug);
    if (!note) throw new Error(`content/notes has no note ${slug}`);
    const mail = issueEmail({
      siteTitle: snapshot.site.title,
      siteUrl,
      postalAddress: snapshot.site.mail.postalAddress,
      language: snapshot.site.language,
      timeZone: snapshot.site.timezone,
      note: { ...note, url: `${siteUrl}/notes/${note.slug}` },
    });
    html = mail.html
      .replaceAll(personalSlots.manageUrl, `${siteUrl}/subscription/manage/5f2c9a.d41e`)
      .replaceAll(personalSlots.unsubscribeUrl, `${siteUrl}/unsubscribe/5f2c9a.d41e`);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** Requests for the site's files are answered from the content folder; any other host is refused. */
  async function open(width: number, colorScheme: 'light' | 'dark' = 'light', markup = html): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme });
    await context.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      if (url.origin !== siteUrl) {
        foreignRequests.push(url.href);
        return route.abort();
      }
      siteRequests.push(url.pathname);
      const body = await readFile(`${contentDir}${decodeURIComponent(url.pathname)}`).catch(() => undefined);
      const type = types[url.pathname.split('.').pop() ?? ''] ?? 'application/octet-stream';
      return body ? route.fulfill({ body, contentType: type }) : route.fulfill({ status: 404 });
    });
    const page = await context.newPage();
    await page.setContent(markup, { waitUntil: 'load' });
    return page;
  }

  /**
   * The whole mail is ten screens long, too big to keep as a PNG: the screenshot stacks four real slices of
   * it (the top, the first table, the first code block, the end), separated by a dotted band.
   */
  async function screenshot(page: Page, name: string): Promise<void> {
    if (!updateScreenshots) return;
    const slices = await page.evaluate((heights) => {
      const box = (selector: string) => document.querySelector(selector)?.getBoundingClientRect();
      const at = (selector: string, height: number, before = 24) => {
        const rect = box(selector);
        return rect ? { y: Math.max(0, rect.top + scrollY - before), height } : undefined;
      };
      const end = document.documentElement.scrollHeight;
      const top = { y: 0, height: heights.top };
      const closing = { y: end - heights.end, height: heights.end };
      return [top, at('.table-scroll', heights.table), at('pre', heights.code), closing];
    }, sliceHeights);
    const width = page.viewportSize()?.width ?? 640;
    const images: string[] = [];
    let shown = 0;
    for (const slice of slices.filter((s) => s !== undefined).sort((a, b) => a.y - b.y)) {
      const y = Math.max(slice.y, shown);
      const height = slice.y + slice.height - y;
      if (height <= 0) continue;
      shown = y + height;
      const png = await page.screenshot({ fullPage: true, clip: { x: 0, y, width, height } });
      images.push(`<img src="data:image/png;base64,${png.toString('base64')}" style="display:block">`);
    }
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const gap = `<div style="height:26px;background:${background};border-block:1px dotted #8888"></div>`;
    const montage = await page.context().newPage();
    await montage.setViewportSize({ width, height: 900 });
    await montage.setContent(`<body style="margin:0">${images.join(gap)}</body>`, { waitUntil: 'load' });
    await montage.screenshot({ path: `${screenshots}${name}.png`, fullPage: true });
    await montage.close();
  }

  const colours = (page: Page) =>
    page.evaluate(() => {
      const style = (selector: string) => getComputedStyle(document.querySelector(selector) ?? document.body);
      return {
        background: style('body').backgroundColor,
        text: style('.eb-container').color,
        code: style('pre').backgroundColor,
        tokens: [...document.querySelectorAll('pre span[class^="c-"]')]
          .map((span) => getComputedStyle(span).color)
          .join(' '),
      };
    });

  it('shows the image from the site and asks no other host for anything', async () => {
    const page = await open(640);
    const image = await page.evaluate(() => {
      const img = document.querySelector('img');
      return {
        loaded: Boolean(img?.complete && img.naturalWidth > 0),
        width: img?.getBoundingClientRect().width,
      };
    });
    expect(image.loaded).toBe(true);
    expect(image.width).toBeLessThanOrEqual(600);
    expect(siteRequests).toContain('/images/payment-zones.svg');
    expect(foreignRequests).toEqual([]);
    await screenshot(page, 'issue-email-600');
    await page.context().close();
  });

  const widths = (page: Page) =>
    page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      viewport: document.documentElement.clientWidth,
      column: document.querySelector('.eb-container')?.getBoundingClientRect().right ?? 0,
      code: [...document.querySelectorAll('pre')].map((pre) => pre.scrollWidth - pre.clientWidth),
    }));

  for (const width of [375, 320]) {
    it(`does not scroll sideways on a ${width} px phone: long code lines scroll in their own box`, async () => {
      const page = await open(width);
      const sizes = await widths(page);
      expect(sizes.page).toBeLessThanOrEqual(sizes.viewport + 1);
      expect(sizes.column).toBeLessThanOrEqual(sizes.viewport);
      expect(Math.max(...sizes.code)).toBeGreaterThan(0);
      if (width === 375) await screenshot(page, 'issue-email-375');
      await page.context().close();
    });
  }

  it('still fits a 320 px phone where a client drops the <style> blocks: code then wraps', async () => {
    const stripped = html.replace(/<style[^>]*>[\s\S]*?<\/style>/g, '');
    expect(stripped).not.toContain('<style');
    const page = await open(320, 'light', stripped);
    const sizes = await widths(page);
    expect(sizes.page).toBeLessThanOrEqual(sizes.viewport + 1);
    expect(Math.max(...sizes.code)).toBeLessThanOrEqual(0);
    await page.context().close();
  });

  it("switches to the dark palette, code included, where the reader's client prefers it", async () => {
    const lightPage = await open(640);
    const lightColours = await colours(lightPage);
    await lightPage.context().close();
    const darkPage = await open(640, 'dark');
    const darkColours = await colours(darkPage);
    expect(darkColours.background).toBe('rgb(18, 19, 21)');
    expect(darkColours.text).toBe('rgb(232, 230, 225)');
    for (const key of ['background', 'text', 'code', 'tokens'] as const) {
      expect(darkColours[key], key).not.toBe(lightColours[key]);
    }
    await screenshot(darkPage, 'issue-email-dark-600');
    await darkPage.context().close();
    const darkPhone = await open(375, 'dark');
    expect((await colours(darkPhone)).background).toBe('rgb(18, 19, 21)');
    await screenshot(darkPhone, 'issue-email-dark-375');
    await darkPhone.context().close();
    expect(foreignRequests).toEqual([]);
  });
});
