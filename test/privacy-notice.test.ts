// The privacy notice: written from site.yml, linked from every subscribe form, valid HTML, and, in
// Chromium, a page that asks nothing of any other host.
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { launchChromium, skipBrowserTests } from './support/chromium.js';
import { htmlProblems } from './support/html-validator.js';
import { buildSiteApp, copyOfFixtureContent } from './support/site-app.js';
import { form, startSubscriptionApp } from './support/subscription-app.js';

type Site = Awaited<ReturnType<typeof buildSiteApp>>;
const get = async (site: Site, url: string) => (await site.app.inject({ url })).body;

/** Every <form> that posts to /subscribe in a page, as its markup. */
const subscribeForms = (html: string) =>
  [...html.matchAll(/<form\b[^>]*action="\/subscribe"[\s\S]*?<\/form>/g)].map((m) => m[0]);

describe('the privacy notice', () => {
  let defaults: Site;
  let configured: Site;
  beforeAll(async () => {
    defaults = await buildSiteApp(systemClock);
    const content = await copyOfFixtureContent();
    await appendFile(
      join(content, 'site.yml'),
      '\nprivacy:\n  contact: privacy@errorbudget.test\n  retentionMonths: 6\n',
    );
    configured = await buildSiteApp(systemClock, content);
  });
  afterAll(async () => {
    for (const site of [defaults, configured]) {
      site.live.stop();
      await site.app.close();
    }
  });

  it('names the publication, its controller, what is kept, why, for how long and how to erase it', async () => {
    const response = await defaults.app.inject({ url: '/privacy' });
    expect(response.statusCode).toBe(200);
    const text = response.body.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ');
    expect(text).toContain(
      'the error budget is published by the error budget, the error budget, PO Box 4471, London EC1A 1AA, United Kingdom, who decides what is kept about you (the controller). Questions and requests go to that postal address.',
    );
    expect(text).toContain(
      "the IP address and the browser's self-description (user agent) from which you asked to subscribe, confirmed or unsubscribed;",
    );
    expect(text).toContain('The IP address and user agent are deleted 12 months after they were recorded;');
    expect(text).toContain(
      'There you can see what is kept, download all of it as a file, unsubscribe, and erase yourself',
    );
  });

  it("follows site.yml's privacy contact and retention period", async () => {
    const html = await get(configured, '/privacy');
    expect(html).toContain(
      'Questions and requests go to <a href="mailto:privacy@errorbudget.test">privacy@errorbudget.test</a>.',
    );
    expect(html.replace(/\s+/g, ' ')).toContain('The IP address and user agent are deleted 6 months after');
    expect(await get(configured, '/sitemap.xml')).toContain('<loc>https://errorbudget.test/privacy</loc>');
  });

  it('refuses a retention period that is not a whole number of months, naming the field', async () => {
    const content = await copyOfFixtureContent();
    await appendFile(join(content, 'site.yml'), '\nprivacy:\n  retentionMonths: soon\n');
    await expect(buildSiteApp(systemClock, content)).rejects.toThrow(
      /site\.yml.*privacy\.retentionMonths.*must be a whole number of months/,
    );
  });

  it('is linked from every subscribe form (home, notes, the pages that offer the form again) and every footer', async () => {
    const pages = [await get(defaults, '/'), await get(defaults, '/notes/restore-drills')];
    const app = await startSubscriptionApp('sqlite');
    try {
      const retry = await app.app.inject({
        method: 'POST',
        url: '/subscribe',
        headers: form,
        payload: 'email=nope',
      });
      expect(retry.statusCode).toBe(400);
      pages.push(retry.body);
    } finally {
      await app.close();
    }
    // And from the footer of every page, forms or not.
    for (const page of [...pages, await get(defaults, '/notes'), await get(defaults, '/topics')])
      expect(page).toContain('<a href="/privacy">Privacy</a>');
    const forms = pages.flatMap(subscribeForms);
    expect(forms.length).toBe(4);
    for (const markup of forms)
      expect(markup).toContain('<a href="/privacy">What subscribing keeps, and for how long</a>');
  });

  it('is valid HTML, as is the home page with its forms', async () => {
    expect(await htmlProblems(await get(defaults, '/privacy'))).toEqual([]);
    expect(await htmlProblems(await get(defaults, '/'))).toEqual([]);
  });

  describe.skipIf(skipBrowserTests)('in Chromium', () => {
    it('is reached from the form and loads nothing from another host', async () => {
      const origin = await defaults.app.listen({ host: '127.0.0.1', port: 0 });
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        const foreign: string[] = [];
        page.on('request', (request) => {
          if (!request.url().startsWith(`${origin}/`)) foreign.push(request.url());
        });
        await page.goto(`${origin}/`);
        await page
          .locator('#hero-email')
          .locator('xpath=ancestor::form')
          .getByRole('link', { name: 'What subscribing keeps, and for how long' })
          .click();
        await page.waitForURL(`${origin}/privacy`);
        expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Privacy');
        expect(await page.getByRole('heading', { level: 2, name: 'For how long' }).isVisible()).toBe(true);
        expect(foreign).toEqual([]);
        expect(await page.context().cookies()).toEqual([]);
      } finally {
        await browser.close();
      }
    });
  });
});
