import type { Browser, BrowserContextOptions } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, skipBrowserTests } from './support/chromium.js';
import { engines } from './support/databases.js';
import { siteUrl } from './support/site-app.js';
import { linkIn } from './support/smtp-sink.js';
import { type SubscriptionApp, startSubscriptionApp } from './support/subscription-app.js';

describe.skipIf(skipBrowserTests).each(engines)('confirming in headless Chromium on %s', (engine) => {
  let t: SubscriptionApp;
  let browser: Browser;
  let origin: string;
  const foreignRequests: string[] = [];

  beforeAll(async () => {
    t = await startSubscriptionApp(engine);
    origin = await t.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    expect(foreignRequests).toEqual([]);
  });

  async function open(options: BrowserContextOptions = {}) {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    page.on('request', (request) => {
      if (!request.url().startsWith(`${origin}/`)) foreignRequests.push(request.url());
    });
    return page;
  }

  const status = async (email: string) =>
    (await t.db.selectFrom('subscribers').select('status').where('email', '=', email).executeTakeFirst())
      ?.status;

  /** Subscribes through the API and returns the mail's links, pointed at the local server. */
  async function requestConfirmation(email: string) {
    await t.app.inject({ method: 'POST', url: '/subscribe', payload: { email, form: 'hero' } });
    await t.deliver();
    const mail = t.smtp.messages.find((m) => !Array.isArray(m.to) && m.to?.text === email);
    if (!mail) throw new Error('no mail');
    const local = (link: string) => link.replace(siteUrl, origin);
    const canaries = [...String(mail.html).matchAll(/href="([^"]+\?c=[^"]+)"/g)].map((m) =>
      local((m[1] ?? '').replace(/&amp;/g, '&')),
    );
    return { confirm: local(linkIn(mail, '/confirm/')), canaries };
  }

  it('subscribes inline from the home page form, without leaving the page', async () => {
    const page = await open();
    await page.goto(`${origin}/`);
    await page.locator('#hero-email').fill('inline@example.com');
    await page.locator('form[data-subscribe]').first().locator('button').click();
    await expect
      .poll(() => page.locator('.form-message').first().textContent())
      .toContain('Check your inbox');
    expect(page.url()).toBe(`${origin}/`);
    expect(await status('inline@example.com')).toBe('pending');
    await page.context().close();
  });

  it('confirms by itself when the link is opened in a browser, with no click', async () => {
    const { confirm } = await requestConfirmation('opened@example.com');
    const page = await open();
    await page.goto(confirm);
    await expect.poll(() => page.locator('h1').textContent()).toBe('You are subscribed');
    expect(await status('opened@example.com')).toBe('active');
    await page.context().close();
  });

  it('shows a working Confirm button when scripts do not run', async () => {
    const { confirm } = await requestConfirmation('noscript@example.com');
    const page = await open({ javaScriptEnabled: false });
    await page.goto(confirm);
    expect(await page.locator('h1').textContent()).toBe('Confirm your subscription');
    expect(await status('noscript@example.com')).toBe('pending');
    await page.getByRole('button', { name: 'Confirm my subscription' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('You are subscribed');
    expect(await status('noscript@example.com')).toBe('active');
    await page.context().close();
  });

  it('confirms nobody when a scanner fetched the hidden links first, even if it runs the script', async () => {
    const { confirm, canaries } = await requestConfirmation('scanner@example.com');
    expect(canaries).toHaveLength(2);
    for (const url of canaries) expect((await fetch(url)).status).toBe(200);
    const page = await open();
    await page.goto(confirm);
    await expect.poll(() => page.locator('main p').first().textContent()).toContain('Press the button');
    expect(await status('scanner@example.com')).toBe('pending');
    await page.context().close();
  });
});
