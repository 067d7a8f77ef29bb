import { appendFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContextOptions } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchChromium, skipBrowserTests } from './support/chromium.js';
import { htmlProblems } from './support/html-validator.js';
import { type CliResult, runCli } from './support/run-cli.js';
import { copyOfFixtureContent, fixtureContent } from './support/site-app.js';
import { startStaticServer } from './support/static-server.js';
import { type SubscriptionApp, startSubscriptionApp } from './support/subscription-app.js';

// Commands that load and render the content take long on a loaded machine: generous bounds, never sleeps.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });
const cli = (args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
  runCli(args, env, 180_000);

// The static copy of the site on one port, the running errorbudget that takes its subscriptions on
// another: two origins, as with a CDN and a subscribe server.
let exportDir = '';
let staticSite: Awaited<ReturnType<typeof startStaticServer>>;
let t: SubscriptionApp;
let api: string;
let exported: { code: number | null; stdout: string; stderr: string };

beforeAll(async () => {
  staticSite = await startStaticServer(() => exportDir);
  t = await startSubscriptionApp('sqlite', { env: { SUBSCRIBE_ORIGINS: staticSite.origin } });
  api = await t.app.listen({ host: '127.0.0.1', port: 0 });
  exportDir = join(await mkdtemp(join(tmpdir(), 'eb-static-')), 'public');
  exported = await cli(
    [
      'export',
      exportDir,
      '--content',
      fixtureContent,
      '--site-url',
      staticSite.origin,
      '--subscribe-url',
      api,
    ],
    { DATA_DIR: await mkdtemp(join(tmpdir(), 'eb-static-data-')) },
  );
});
afterAll(async () => {
  await t?.close();
  await staticSite?.close();
});

const status = async (email: string) =>
  (await t.db.selectFrom('subscribers').select('status').where('email', '=', email).executeTakeFirst())
    ?.status;

describe('export --subscribe-url', () => {
  it('points every form at the other server and says what that server needs', async () => {
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain(
      `The subscribe forms post to ${api}/subscribe: that errorbudget needs SUBSCRIBE_ORIGINS=${staticSite.origin}\n`,
    );
    const home = await readFile(join(exportDir, 'index.html'), 'utf8');
    const note = await readFile(join(exportDir, 'notes/restore-drills.html'), 'utf8');
    for (const page of [home, note]) {
      const actions = [...page.matchAll(/<form[^>]* method="post" action="([^"]+)"/g)].map((m) => m[1]);
      expect(actions.length).toBeGreaterThan(0);
      expect(new Set(actions)).toEqual(new Set([`${api}/subscribe`]));
      // The search box goes to the same server, where it works without JavaScript.
      expect(page).toContain(`<form action="${api}/search" method="get">`);
    }
    const result = await readFile(join(exportDir, 'subscribe/check-inbox.html'), 'utf8');
    expect(result).toContain('Check your inbox');
    for (const page of [home, note, result]) expect(await htmlProblems(page)).toEqual([]);
  });

  it('lets only the named origin subscribe across origins, and only at /subscribe', async () => {
    const preflight = (origin: string, url = '/subscribe') =>
      t.app.inject({
        method: 'OPTIONS',
        url,
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
    const allowed = await preflight(staticSite.origin);
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe(staticSite.origin);
    expect(allowed.headers['access-control-allow-methods']).toBe('POST');
    expect(allowed.headers['access-control-allow-credentials']).toBeUndefined();
    for (const [origin, url] of [
      ['http://elsewhere.test', '/subscribe'],
      [staticSite.origin, '/confirm/abc'],
      [staticSite.origin, '/unsubscribe/abc'],
    ] as const) {
      const answer = await preflight(origin, url);
      expect(answer.headers['access-control-allow-origin'], `${origin} ${url}`).toBeUndefined();
    }
    const post = (origin: string, url: string) =>
      t.app.inject({
        method: 'POST',
        url,
        headers: {
          origin,
          'sec-fetch-site': 'cross-site',
          'content-type': 'application/json',
          accept: 'application/json',
        },
        payload: { email: 'cross@example.com' },
      });
    expect((await post('http://elsewhere.test', '/subscribe')).statusCode).toBe(403);
    expect((await post(staticSite.origin, '/unsubscribe/abc')).statusCode).toBe(403);
    expect(await status('cross@example.com')).toBeUndefined();
    // A plain form post from another site still gets the refusal page, as before.
    const refused = await t.app.inject({
      method: 'POST',
      url: '/subscribe',
      headers: {
        origin: 'null',
        'sec-fetch-site': 'cross-site',
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: 'email=null%40example.com',
    });
    expect(refused.statusCode).toBe(403);
  });
});

describe.skipIf(skipBrowserTests)('an exported site subscribing in headless Chromium', () => {
  let browser: Browser;
  const foreign: string[] = [];
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    expect(foreign).toEqual([]);
  });

  async function open(options: BrowserContextOptions = {}) {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(`${staticSite.origin}/`) && !url.startsWith(`${api}/`)) foreign.push(url);
    });
    return page;
  }

  it('subscribes inline with JavaScript, staying on the static page', async () => {
    const page = await open();
    await page.goto(`${staticSite.origin}/`);
    await page.locator('#hero-email').fill('static-js@example.com');
    await page.locator('form[data-subscribe]').first().locator('button').click();
    await expect
      .poll(() => page.locator('.form-message').first().textContent())
      .toContain('Check your inbox');
    expect(page.url()).toBe(`${staticSite.origin}/`);
    expect(await status('static-js@example.com')).toBe('pending');
    await page.context().close();
  });

  it('subscribes without JavaScript, and comes back to the static result page', async () => {
    const page = await open({ javaScriptEnabled: false });
    await page.goto(`${staticSite.origin}/notes/restore-drills`);
    await page.locator('#note-email').fill('static-nojs@example.com');
    await Promise.all([
      page.waitForURL(`${staticSite.origin}/subscribe/check-inbox`),
      page.locator('#note-email').press('Enter'),
    ]);
    expect(await page.locator('h1').textContent()).toBe('Check your inbox');
    expect(await status('static-nojs@example.com')).toBe('pending');
    await page.context().close();
  });
});

describe('export without --subscribe-url', () => {
  it('leaves the forms out and says so', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'eb-static-')), 'public');
    const result = await cli(
      ['export', out, '--content', fixtureContent, '--site-url', 'https://static.example'],
      {
        DATA_DIR: await mkdtemp(join(tmpdir(), 'eb-static-data-')),
      },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'The subscribe forms were left out: a static host cannot take them. Give --subscribe-url (or export.subscribeUrl in site.yml) the address of a running errorbudget to keep them.\n',
    );
    for (const file of ['index.html', 'notes/restore-drills.html']) {
      const html = await readFile(join(out, file), 'utf8');
      // The search box is the one form left: it needs no server (see test/search-browser.test.ts).
      expect(html.match(/<form[^>]*>/g), file).toEqual(['<form action="/search" method="get">']);
      expect(html, file).toContain('Follow the new notes in a feed reader');
      expect(await htmlProblems(html), file).toEqual([]);
    }
    await expect(readFile(join(out, 'subscribe/check-inbox.html'))).rejects.toThrow();
  });
});

describe('export.subscribeUrl in site.yml', () => {
  it('points the forms at it when --subscribe-url is not given', async () => {
    const content = await copyOfFixtureContent();
    await appendFile(
      join(content, 'site.yml'),
      '\nexport:\n  subscribeUrl: https://subscribe.example.com/\n',
    );
    const out = join(await mkdtemp(join(tmpdir(), 'eb-static-')), 'public');
    const result = await cli(['export', out, '--content', content, '--site-url', 'https://example.com'], {
      DATA_DIR: await mkdtemp(join(tmpdir(), 'eb-static-data-')),
    });
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(
      'The subscribe forms post to https://subscribe.example.com/subscribe: that errorbudget needs SUBSCRIBE_ORIGINS=https://example.com\n',
    );
    expect(await readFile(join(out, 'index.html'), 'utf8')).toContain(
      'action="https://subscribe.example.com/subscribe"',
    );
  });

  it('names the line of an address that is not one', async () => {
    const content = await copyOfFixtureContent();
    const lines = (await readFile(join(content, 'site.yml'), 'utf8')).split('\n').length;
    await appendFile(join(content, 'site.yml'), '\nexport:\n  subscribeUrl: subscribe.example.com\n');
    const result = await cli(['check', '--content', content]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `site.yml:${lines + 2}: export.subscribeUrl must be an http(s) address such as https://subscribe.example.com`,
    );
  });
});
