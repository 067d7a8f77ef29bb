// In headless Chromium: the writer logs in, starts an issue that waits for a person, watches its
// figures climb over server-sent events (no reload), pauses and resumes it, and sees it reach the end,
// with every reader mailed exactly once by the real workers into a real SMTP sink.
import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminApp, startAdminApp } from './support/admin-app.js';
import { launchChromium, skipBrowserTests } from './support/chromium.js';
import { addActiveReaders } from './support/readers.js';

const readers = 150;
const screenshot = new URL('../docs/screenshots/admin-issue-sending.png', import.meta.url).pathname;

describe.skipIf(skipBrowserTests)('an issue sent from the admin in headless Chromium', () => {
  let app: AdminApp;
  let browser: Browser;
  const foreignRequests: string[] = [];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    // Slow enough to watch and to pause: 30 mails a second over two connections.
    app = await startAdminApp({ env: { SEND_RATE: '30', SMTP_POOL: '2' }, sink: { keep: 'envelope' } });
    await addActiveReaders(app.db, readers, app.clock.now());
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  const figure = (page: Page, name: string) =>
    page.locator(`[data-figure="${name}"]`).first().textContent({ timeout: 5000 });
  const sentOn = async (page: Page) => Number((await figure(page, 'sent'))?.replace(/,/g, ''));

  it('starts a held issue, follows it live, pauses and resumes it, and watches it reach the end', {
    timeout: 120_000,
  }, async () => {
    // The scheduler holds notes published long before it first saw them: a person must start them.
    const deadline = Date.now() + 20_000;
    let issue = await app.db.kysely
      .selectFrom('issues')
      .selectAll()
      .where('note_slug', '=', 'restore-drills')
      .executeTakeFirst();
    while (!issue && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      issue = await app.db.kysely
        .selectFrom('issues')
        .selectAll()
        .where('note_slug', '=', 'restore-drills')
        .executeTakeFirst();
    }
    expect(issue?.state).toBe('held');

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on('request', (request) => {
      if (!request.url().startsWith(`${app.baseUrl}/`)) foreignRequests.push(request.url());
    });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(`${message.text()} ${message.location().url}`);
    });
    page.on('response', (response) => {
      if (response.status() >= 400) consoleErrors.push(`${response.status()} ${response.url()}`);
    });

    await page.goto(`${app.baseUrl}/admin/login`);
    await page.fill('#email', app.admin.email);
    await page.fill('#password', app.admin.password);
    await page.click('button[type="submit"]');
    await page.waitForURL(/\/admin(\/settings)?$/);

    await page.goto(`${app.baseUrl}/admin/notes`);
    await page.click('a[href="/admin/notes/restore-drills"]');
    await page.click(`a[href="/admin/issues/${issue?.id}"]`);
    await expect(page.locator('.notice-error').first().textContent()).resolves.toContain(
      'Waits for a person',
    );
    await page.click('button:has-text("Start sending")');
    await page.waitForURL(`${app.baseUrl}/admin/issues/${issue?.id}?done=started`);
    expect(await figure(page, 'state')).toBe('sending');

    // The figures climb in place, over the event stream: no reload while the state stays the same.
    let navigations = 0;
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations += 1;
    });
    await page.waitForFunction(
      () => Number(document.querySelector('[data-figure="sent"]')?.textContent?.replace(/,/g, '')) > 0,
      undefined,
      { timeout: 20_000 },
    );
    const first = await sentOn(page);
    await page.waitForFunction(
      (seen) => Number(document.querySelector('[data-figure="sent"]')?.textContent?.replace(/,/g, '')) > seen,
      first,
      { timeout: 20_000 },
    );
    expect(navigations).toBe(0);
    expect(await page.locator('[data-live="on"]').count()).toBe(1);
    await mkdir(new URL('../docs/screenshots/', import.meta.url), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });

    await page.click('button:has-text("Pause")');
    await page.waitForURL(`${app.baseUrl}/admin/issues/${issue?.id}?done=paused`);
    expect(await figure(page, 'state')).toBe('paused');
    // Stopped within a second: after that nothing more reaches the relay until it is resumed.
    await new Promise((r) => setTimeout(r, 1500));
    const atPause = app.smtp.received.length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(app.smtp.received.length).toBe(atPause);
    expect(atPause).toBeLessThan(readers);

    await page.click('button:has-text("Resume")');
    await page.waitForURL(`${app.baseUrl}/admin/issues/${issue?.id}?done=resumed`);
    // The script reloads the page when the issue is done, for its final figures and controls.
    await page.waitForFunction(
      () => document.querySelector('[data-figure="state"]')?.textContent === 'done',
      undefined,
      { timeout: 60_000 },
    );
    expect(await figure(page, 'percent')).toBe('100 %');
    expect(await sentOn(page)).toBe(readers);
    expect(await page.locator('button:has-text("Pause")').count()).toBe(0);

    const deliveries = new Map<string, number>();
    for (const r of app.smtp.received) deliveries.set(r.to, (deliveries.get(r.to) ?? 0) + 1);
    expect(deliveries.size).toBe(readers);
    expect([...deliveries.values()].every((n) => n === 1)).toBe(true);
    expect(foreignRequests).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await context.close();
  });

  it('fits every page of notes, issues, mailbox and ledger on a 375 px screen, and keyboard-reaches their controls', {
    timeout: 60_000,
  }, async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/admin/login`);
    await page.fill('#email', app.admin.email);
    await page.fill('#password', app.admin.password);
    await page.click('button[type="submit"]');
    await page.waitForURL(/\/admin(\/settings)?$/);
    const issue = await app.db.kysely.selectFrom('issues').select('id').orderBy('id').executeTakeFirst();
    for (const path of [
      '/admin/notes',
      '/admin/notes/unfinished',
      '/admin/issues',
      `/admin/issues/${issue?.id}`,
      '/admin/mailbox',
      '/admin/ledger',
    ]) {
      await page.goto(`${app.baseUrl}${path}`);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, path).toBeLessThanOrEqual(375);
    }
    // The test-copy form of the last issue page is reached with the keyboard alone.
    await page.goto(`${app.baseUrl}/admin/issues/${issue?.id}`);
    let reached = false;
    for (let i = 0; i < 40 && !reached; i += 1) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.id === 'test-address');
    }
    expect(reached).toBe(true);
    await page.screenshot({ path: '/tmp/admin-issue-375.png', fullPage: true });
    await context.close();
  });
});
