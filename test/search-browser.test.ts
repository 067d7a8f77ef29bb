import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../src/clock.js';
import { launchChromium, skipBrowserTests } from './support/chromium.js';
import { htmlProblems } from './support/html-validator.js';
import { type CliResult, runCli } from './support/run-cli.js';
import { buildSiteApp } from './support/site-app.js';
import { startStaticServer } from './support/static-server.js';

// Two exports of the shipped notes, each a CLI run that renders them: generous bounds on a loaded machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });
const cli = (args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
  runCli(args, env, 240_000);

const contentDir = fileURLToPath(new URL('../content', import.meta.url));
const vsan = 'vSAN for mixed workloads: policy design, AI patterns, and the OSA-to-ESA transition';

// The server; a static copy of the site that knows no server; one whose search boxes go to the server.
let site: Awaited<ReturnType<typeof buildSiteApp>>;
let server = '';
interface StaticCopy {
  dir: string;
  origin: string;
  close(): Promise<void>;
}
const alone: StaticCopy = { dir: '', origin: '', close: async () => {} };
const linked: StaticCopy = { dir: '', origin: '', close: async () => {} };
let browser: Browser;
const foreign: string[] = [];

beforeAll(async () => {
  site = await buildSiteApp(systemClock, contentDir);
  server = await site.app.listen({ host: '127.0.0.1', port: 0 });
  const data = await mkdtemp(join(tmpdir(), 'eb-search-data-'));
  for (const [copy, subscribe] of [
    [alone, []],
    [linked, ['--subscribe-url', server]],
  ] as const) {
    const dir = join(await mkdtemp(join(tmpdir(), 'eb-search-static-')), 'public');
    const started = await startStaticServer(() => dir);
    const result = await cli(
      ['export', dir, '--content', contentDir, '--site-url', started.origin, ...subscribe],
      { DATA_DIR: data },
    );
    if (result.code !== 0) throw new Error(`export failed: ${result.stderr}`);
    Object.assign(copy, { dir, origin: started.origin, close: started.close });
  }
  if (!skipBrowserTests) browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await alone.close();
  await linked.close();
  site?.live.stop();
  await site?.app.close();
});

describe('the exported search page', () => {
  it('is valid HTML, noindex, with one script of our own and the index beside it', async () => {
    const html = await readFile(join(alone.dir, 'search.html'), 'utf8');
    expect(await htmlProblems(html)).toEqual([]);
    expect(html).toContain('<meta name="robots" content="noindex"/>');
    expect(html.match(/<script[^>]*>/g)).toEqual(['<script src="/assets/static-search.js" defer>']);
    expect(html).toContain('Searching this copy of the site needs JavaScript');
    await expect(readFile(join(alone.dir, 'pagefind/pagefind.js'))).resolves.toBeDefined();
    await expect(readFile(join(alone.dir, 'assets/static-search.js'))).resolves.toBeDefined();
  });

  it('points the search boxes at the server when the export names one', async () => {
    const home = await readFile(join(linked.dir, 'index.html'), 'utf8');
    expect(home).toContain(`<form action="${server}/search" method="get">`);
    const note = await readFile(join(alone.dir, 'notes/vsan-for-mixed-workloads.html'), 'utf8');
    expect(note).toContain('<form action="/search" method="get">');
  });
});

describe.skipIf(skipBrowserTests)('searching from the header in headless Chromium', () => {
  afterAll(() => {
    expect(foreign).toEqual([]);
  });

  async function open(width: number, javaScriptEnabled: boolean): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height: 800 }, javaScriptEnabled });
    const page = await context.newPage();
    page.on('request', (request) => {
      const url = request.url();
      if (![server, alone.origin, linked.origin].some((origin) => url.startsWith(`${origin}/`)))
        foreign.push(url);
    });
    return page;
  }

  /** Types into the header's box on a note page and submits it, as a reader would. */
  async function searchFromHeader(page: Page, start: string, query: string): Promise<void> {
    await page.goto(`${start}/notes/the-ai-memory-crunch`);
    const box = page.getByRole('searchbox', { name: 'Search the notes' }).first();
    expect(await box.isVisible()).toBe(true);
    await box.fill(query);
    await Promise.all([page.waitForURL(/\/search\?q=/), box.press('Enter')]);
  }

  async function expectResult(page: Page, query: string): Promise<void> {
    const result = page.locator('.search-results li').first();
    await expect.poll(() => result.locator('h2').textContent()).toBe(vsan);
    expect(await result.locator('mark').first().textContent()).toBe(query);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await result.locator('h2 a').click();
    await page.waitForURL(/\/notes\/vsan-for-mixed-workloads$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(vsan);
  }

  for (const width of [375, 1280])
    for (const javaScript of [true, false]) {
      const mode = `at ${width} px, JavaScript ${javaScript ? 'on' : 'off'}`;

      it(`finds RAID-5 on the server ${mode}`, async () => {
        const page = await open(width, javaScript);
        await searchFromHeader(page, server, 'RAID-5');
        expect(page.url()).toBe(`${server}/search?q=RAID-5`);
        await expectResult(page, 'RAID-5');
        await page.context().close();
      });

      it(`searches the static copy's own index ${mode}`, async () => {
        const page = await open(width, javaScript);
        await searchFromHeader(page, alone.origin, 'RAID-5');
        expect(page.url()).toBe(`${alone.origin}/search?q=RAID-5`);
        if (javaScript) await expectResult(page, 'RAID-5');
        else
          expect(await page.locator('#search-output').textContent()).toContain(
            'Searching this copy of the site needs JavaScript',
          );
        await page.context().close();
      });

      it(`sends a static copy's search to its server ${mode}`, async () => {
        const page = await open(width, javaScript);
        await searchFromHeader(page, linked.origin, 'RAID-5');
        expect(page.url()).toBe(`${server}/search?q=RAID-5`);
        await expectResult(page, 'RAID-5');
        await page.context().close();
      });
    }
});
