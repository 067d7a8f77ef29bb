// The pages as a reader sees them on a phone and a wide screen, light and dark: contents, tables,
// diagrams, topic lists, the manage page and the confirm page without scripts. Writes the screenshots
// in docs/screenshots/.
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { launchChromium, skipBrowserTests } from './support/chromium.js';
import { buildSiteApp, siteUrl } from './support/site-app.js';
import { linkIn } from './support/smtp-sink.js';
import { type SubscriptionApp, startSubscriptionApp } from './support/subscription-app.js';

const contentDir = fileURLToPath(new URL('../content', import.meta.url));
const screenshots = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
/** The shipped note with contents, wide tables and the payment-zones diagram. */
const notePath = '/notes/security-first-infrastructure-for-payments';

describe.skipIf(skipBrowserTests)('pages a reader enjoys, in headless Chromium', () => {
  let site: Awaited<ReturnType<typeof buildSiteApp>>;
  let t: SubscriptionApp;
  let browser: Browser;
  let origin: string;
  let subscriptionOrigin: string;
  const foreignRequests: string[] = [];

  beforeAll(async () => {
    site = await buildSiteApp(systemClock, contentDir);
    origin = await site.app.listen({ host: '127.0.0.1', port: 0 });
    t = await startSubscriptionApp('sqlite');
    subscriptionOrigin = await t.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    site?.live.stop();
    await site?.app.close();
    await t?.close();
  });

  async function open(
    width: number,
    height: number,
    options: BrowserContextOptions = {},
    base = origin,
  ): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height }, ...options });
    const page = await context.newPage();
    page.on('request', (request) => {
      if (!request.url().startsWith(`${base}/`)) foreignRequests.push(request.url());
    });
    return page;
  }

  it('folds the contents on a phone and lists them on a wide screen', async () => {
    const phone = await open(375, 812);
    await phone.goto(`${origin}${notePath}`);
    const folded = phone.locator('details.toc-small');
    expect(await folded.isVisible()).toBe(true);
    expect(await folded.getAttribute('open')).toBeNull();
    expect(await folded.locator('ol').first().isVisible()).toBe(false);
    expect(await phone.locator('.toc-wide').isVisible()).toBe(false);
    await phone.screenshot({ path: `${screenshots}note-375.png` });
    await folded.locator('summary').click();
    expect(await folded.getByRole('link', { name: 'Zones and the flows between them' }).isVisible()).toBe(
      true,
    );
    await phone.context().close();

    const wide = await open(1280, 900);
    await wide.goto(`${origin}${notePath}`);
    expect(await wide.locator('details.toc-small').isVisible()).toBe(false);
    const list = wide.getByRole('navigation', { name: 'Contents' });
    expect(await list.getByRole('link', { name: 'Zones and the flows between them' }).isVisible()).toBe(true);
    await wide.context().close();
  });

  it('shows that a wide table scrolls, and lets a keyboard scroll it', async () => {
    const page = await open(375, 812);
    await page.goto(`${origin}${notePath}`);
    const region = page.getByRole('region', { name: /^Table: / }).first();
    await region.scrollIntoViewIfNeeded();
    const overflow = await region.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(overflow.scroll).toBeGreaterThan(overflow.client);
    // The edge shadows that say "more this way" are part of the box's background.
    expect(await region.evaluate((el) => getComputedStyle(el).backgroundImage)).toContain('radial-gradient');
    await region.evaluate((el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 140));
    await page.screenshot({ path: `${screenshots}note-375-table.png` });

    // Tab from the element just before the table lands on the table's box; the arrow keys scroll it.
    await region.evaluate((el) => {
      const before = document.createElement('a');
      before.href = '#';
      before.id = 'before-table';
      el.before(before);
    });
    await page.locator('#before-table').focus();
    await page.keyboard.press('Tab');
    expect(await region.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => region.evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);
    await page.context().close();
  });

  /** The mean luminance (0 black … 1 white) of an image as drawn, with its CSS filter applied. */
  const drawnLuminance = (page: Page, selector: string) =>
    page.locator(selector).evaluate(async (img: HTMLImageElement) => {
      // The image loads lazily: bring it near the viewport first.
      img.scrollIntoView();
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = 180;
      canvas.height = 160;
      const context = canvas.getContext('2d');
      if (!context) throw new Error('no 2d context');
      context.filter = getComputedStyle(img).filter;
      context.drawImage(img, 0, 0, canvas.width, canvas.height);
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      let sum = 0;
      for (let i = 0; i < data.length; i += 4)
        sum += (0.2126 * (data[i] ?? 0) + 0.7152 * (data[i + 1] ?? 0) + 0.0722 * (data[i + 2] ?? 0)) / 255;
      return sum / (data.length / 4);
    });

  it('draws the diagram dark in dark mode, and links it to its full-size file', async () => {
    const image = 'a.image-link img[src="/images/payment-zones.svg"]';
    const light = await open(375, 812);
    await light.goto(`${origin}${notePath}`);
    expect(await drawnLuminance(light, image)).toBeGreaterThan(0.8);
    await light.context().close();

    const dark = await open(375, 812, { colorScheme: 'dark' });
    await dark.goto(`${origin}${notePath}`);
    expect(await drawnLuminance(dark, image)).toBeLessThan(0.3);
    const link = dark.locator('a.image-link').first();
    expect(await link.getAttribute('href')).toBe('/images/payment-zones.svg');
    await link.scrollIntoViewIfNeeded();
    await dark.evaluate(() => window.scrollBy(0, -60));
    await dark.screenshot({ path: `${screenshots}note-375-diagram-dark.png` });
    await link.click();
    await dark.waitForURL(`${origin}/images/payment-zones.svg`);
    await dark.context().close();
  });

  it("lists a topic's notes in the archive's style: plain titles, not red underlined links", async () => {
    const page = await open(1280, 900);
    const titleStyle = async (path: string) => {
      await page.goto(`${origin}${path}`);
      return page
        .locator('.note-list a')
        .first()
        .evaluate((a) => {
          const style = getComputedStyle(a);
          return {
            color: style.color,
            line: style.textDecorationLine,
            size: getComputedStyle(a.parentElement as Element).fontSize,
          };
        });
    };
    const archive = await titleStyle('/notes');
    const topic = await titleStyle('/topics/payments-security');
    expect(topic).toEqual(archive);
    expect(topic.line).toBe('none');
    expect(topic.color).toBe(await page.evaluate(() => getComputedStyle(document.body).color));
    await page.screenshot({ path: `${screenshots}topic-1280.png` });
    await page.context().close();
  });

  it("keeps each topic's count on one line, even on a phone", async () => {
    const page = await open(375, 812);
    await page.goto(`${origin}/topics`);
    const lines = await page
      .locator('.topics .count')
      .evaluateAll((counts) =>
        counts.map((count) =>
          Math.round(
            count.getBoundingClientRect().height / Number.parseFloat(getComputedStyle(count).lineHeight),
          ),
        ),
      );
    expect(lines.length).toBe(7);
    expect(lines.every((n) => n === 1)).toBe(true);
    await page.screenshot({ path: `${screenshots}topics-375.png` });
    await page.context().close();
  });

  it("draws one rule above the home page's newsletter block, not two", async () => {
    const page = await open(1280, 900);
    await page.goto(`${origin}/`);
    const borders = await page.evaluate(() => {
      const section = document.querySelector('#subscribe') as Element;
      const box = section.querySelector('.newsletter') as Element;
      return [getComputedStyle(section).borderTopWidth, getComputedStyle(box).borderTopWidth];
    });
    expect(borders).toEqual(['0px', '1px']);
    await page.context().close();
  });

  it('puts the footer at the bottom of the window on a short page', async () => {
    const page = await open(1280, 900);
    await page.goto(`${origin}/no-such-page`);
    const footerBottom = await page
      .locator('.site-footer')
      .evaluate((el) => el.getBoundingClientRect().bottom);
    expect(Math.round(footerBottom)).toBe(900);
    await page.context().close();
  });

  it('shows the manage page in rows, with erasing set apart in a danger zone', async () => {
    await t.app.inject({
      method: 'POST',
      url: '/subscribe',
      payload: { email: 'reader@example.com', form: 'hero' },
    });
    await t.deliver();
    const confirm = linkIn(t.smtp.messages[0] ?? ({} as never), '/confirm/').replace(
      siteUrl,
      subscriptionOrigin,
    );

    // Without scripts, the confirm page asks for the click and says nothing of confirming by itself.
    const page = await open(375, 812, { javaScriptEnabled: false }, subscriptionOrigin);
    await page.goto(confirm);
    expect(await page.locator('main').textContent()).not.toContain('Confirming');
    expect(await page.locator('main p').first().textContent()).toContain('Press the button');
    await page.getByRole('button', { name: 'Confirm my subscription' }).click();
    await page.waitForURL(/\/welcome\//);
    expect(await page.locator('h1').textContent()).toBe('You are subscribed');
    // A reload of the result page is a GET: nothing is posted twice.
    await page.reload();
    expect(await page.locator('h1').textContent()).toBe('You are subscribed');
    const confirmed = await t.db
      .selectFrom('ledger_events')
      .select('kind')
      .where('kind', '=', 'confirmed')
      .execute();
    expect(confirmed).toHaveLength(1);

    await page.getByRole('link', { name: 'Manage your subscription' }).click();
    await page.waitForURL(/\/manage\//);
    const rows = page.locator('.facts > div');
    expect(await rows.count()).toBe(3);
    expect(await rows.first().evaluate((row) => getComputedStyle(row).display)).toBe('grid');
    const zone = page.getByRole('region', { name: 'Danger zone: erase me' });
    expect(await zone.getByRole('button', { name: 'Erase everything about me' }).isVisible()).toBe(true);
    expect(await zone.getByRole('button', { name: 'Unsubscribe' }).count()).toBe(0);
    expect(await zone.getByRole('link', { name: 'Download my data (JSON)' }).count()).toBe(0);
    const zoneStyle = await zone.evaluate((el) => {
      const style = getComputedStyle(el);
      return {
        border: style.borderTopWidth,
        color: style.borderTopColor,
        heading: getComputedStyle(el.querySelector('h2') as Element).color,
      };
    });
    expect(zoneStyle.border).toBe('2px');
    expect(zoneStyle.color).toBe(zoneStyle.heading);
    await page.screenshot({ path: `${screenshots}manage-375.png`, fullPage: true });
    await page.context().close();
  });

  it('made no request to any other host', () => {
    expect(foreignRequests).toEqual([]);
  });
});
