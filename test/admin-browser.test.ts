// The admin's doors, walked through in headless Chromium: password login and logout, a passkey made and
// used through Chromium's virtual authenticator, an authenticator-app code computed here, and a
// recovery code that works once. Every page on the way is valid HTML and fits a 375 px screen.
import { mkdir } from 'node:fs/promises';
import { TOTP, URI } from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin } from '../src/admin/admin-store.js';
import { type AdminApp, startAdminApp } from './support/admin-app.js';
import { launchChromium, skipBrowserTests } from './support/chromium.js';
import { htmlProblems } from './support/html-validator.js';

const screenshots = new URL('../docs/screenshots/', import.meta.url);

describe.skipIf(skipBrowserTests)('the admin in headless Chromium', () => {
  let app: AdminApp;
  let browser: Browser;
  let origin: string;
  const foreignRequests: string[] = [];
  const invalid: string[] = [];

  beforeAll(async () => {
    // WebAuthn needs a secure context: http is one only on localhost, so the site is served by that name.
    app = await startAdminApp({ workers: false, siteOnLocalhost: true });
    origin = app.localhostUrl;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    expect(foreignRequests).toEqual([]);
    expect(invalid).toEqual([]);
  });

  async function open(width = 1280): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height: 800 } });
    const page = await context.newPage();
    page.on('request', (request) => {
      if (!request.url().startsWith(`${origin}/`)) foreignRequests.push(request.url());
    });
    // A wrong code answers its page with 401 on purpose; a missing style or script never is.
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
        invalid.push(`console: ${message.text()}`);
    });
    // Every page as the server sent it (not as scripts left it) must be valid HTML.
    page.on('response', async (response) => {
      if (response.request().resourceType() !== 'document') {
        if (response.status() >= 400) invalid.push(`${response.status()} ${response.url()}`);
        return;
      }
      // Redirects have no page; refusals (a wrong code's 401) do, and are checked too.
      if (response.status() >= 300 && response.status() < 400) return;
      const html = await response.text().catch(() => '');
      for (const problem of await htmlProblems(html)) invalid.push(`${response.url()} ${problem}`);
    });
    return page;
  }

  async function logIn(page: Page, email: string, password: string) {
    await page.goto(`${origin}/admin/login`);
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForLoadState();
  }

  async function logOut(page: Page) {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(`${origin}/admin/login?logged-out`);
  }

  const actions = async (email: string) =>
    (
      await app.db.kysely
        .selectFrom('ledger_events')
        .select('detail')
        .where('kind', '=', 'admin_action')
        .execute()
    )
      .map((row) => JSON.parse(row.detail) as { admin: string; action: string; method?: string })
      .filter((detail) => detail.admin === email);

  it('logs in with the password form and out again, and fits a phone', async () => {
    const page = await open(375);
    await page.goto(`${origin}/admin/settings`);
    expect(page.url()).toBe(`${origin}/admin/login`);
    await mkdir(screenshots, { recursive: true });
    await page.screenshot({ path: new URL('admin-login.png', screenshots).pathname, fullPage: true });
    await logIn(page, app.admin.email, app.admin.password);
    expect(page.url()).toBe(`${origin}/admin`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Dashboard');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    // Keyboard: the first Tab reaches the skip link, the next ones the navigation.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await logOut(page);
    expect(await page.locator('.notice').textContent()).toBe('You are logged out.');
    await page.goto(`${origin}/admin/settings`);
    expect(page.url()).toBe(`${origin}/admin/login`);
    expect((await actions(app.admin.email)).map((a) => a.action)).toEqual(
      expect.arrayContaining(['login', 'logout']),
    );
  });

  it('registers a passkey with a virtual authenticator and logs in with it', async () => {
    const page = await open();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
      },
    });
    await logIn(page, app.admin.email, app.admin.password);
    await page.goto(`${origin}/admin/settings/security`);
    await page.getByLabel('Name of the new passkey').fill('Test laptop');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.waitForURL(`${origin}/admin/settings/security?added=passkey`);
    await expect.poll(() => page.locator('table').textContent()).toContain('Test laptop');
    await logOut(page);

    await logIn(page, app.admin.email, app.admin.password);
    expect(page.url()).toBe(`${origin}/admin/login/second-factor`);
    // Not signed in yet: the password alone opens nothing.
    await page.goto(`${origin}/admin/settings`);
    expect(page.url()).toBe(`${origin}/admin/login/second-factor`);
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.waitForURL(`${origin}/admin`);
    expect(await page.locator('.admin-who').textContent()).toBe(app.admin.email);
    const done = await actions(app.admin.email);
    expect(done.map((a) => a.action)).toContain('passkey added');
    expect(done.some((a) => a.action === 'login' && a.method === 'passkey')).toBe(true);
    await page.context().close();
  });

  it('makes an admin who must use a second factor set up an authenticator app, then log in with its code', async () => {
    const email = 'second@errorbudget.test';
    const password = 'another long password';
    await createAdmin(app.db, app.clock, { email, password, requireSecondFactor: true });
    const page = await open(375);
    await logIn(page, email, password);
    expect(page.url()).toBe(`${origin}/admin/settings/security`);
    await page.goto(`${origin}/admin/subscribers`);
    expect(page.url()).toBe(`${origin}/admin/settings/security`);
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await page.waitForLoadState();
    expect(await page.locator('.qr-code svg').count()).toBe(1);
    const uri = (await page.locator('#totp-uri').textContent()) ?? '';
    expect(uri).toMatch(/^otpauth:\/\/totp\//);
    // The test is the authenticator app: it reads the key from the URI and computes RFC 6238 codes.
    const totp = URI.parse(uri);
    if (!(totp instanceof TOTP)) throw new Error('not a TOTP URI');
    const code = () => totp.generate({ timestamp: app.clock.now().getTime() });
    await page.getByLabel('Six-digit code').fill(code());
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.waitForLoadState();
    expect(await page.locator('[role=status]').textContent()).toContain('The authenticator app is set up');
    const codes = await page.locator('.recovery-codes li').allTextContents();
    expect(codes).toHaveLength(10);
    await logOut(page);

    // The same code again is refused (used once); the next step's code is accepted.
    await logIn(page, email, password);
    expect(page.url()).toBe(`${origin}/admin/login/second-factor`);
    await page.getByLabel('Six-digit code').fill(code());
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForLoadState();
    expect(await page.locator('[role=alert]').first().textContent()).toContain('not right');
    app.clock.advance(30_000);
    await page.getByLabel('Six-digit code').fill(code());
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForURL(`${origin}/admin`);
    await logOut(page);

    // A recovery code stands in for the app once, and never again.
    const [recovery = ''] = codes;
    await logIn(page, email, password);
    await page.getByText('Lost your device? Use a recovery code').click();
    await page.getByLabel('Recovery code').fill(recovery.toUpperCase());
    await page.getByRole('button', { name: 'Use recovery code' }).click();
    await page.waitForURL(`${origin}/admin/settings/security`);
    expect(await page.locator('#recovery ~ p').first().textContent()).toContain('9 unused recovery code(s)');
    await logOut(page);
    await logIn(page, email, password);
    await page.getByText('Lost your device? Use a recovery code').click();
    await page.getByLabel('Recovery code').fill(recovery);
    await page.getByRole('button', { name: 'Use recovery code' }).click();
    await page.waitForLoadState();
    expect(page.url()).toBe(`${origin}/admin/login/recovery`);
    expect(await page.locator('[role=alert]').first().textContent()).toContain(
      'not valid, or was used already',
    );

    const done = (await actions(email)).map((a) => a.action);
    expect(done).toEqual(
      expect.arrayContaining([
        'totp enabled',
        'recovery codes generated',
        'recovery code used',
        'second factor failed',
      ]),
    );
    await page.context().close();
  });
});
