import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../src/server/build-app.js';
import { LiveSite } from '../src/site/live-site.js';
import { PreviewSigner } from '../src/site/preview-link.js';
import { FakeClock } from './support/fake-clock.js';
import { htmlProblems } from './support/html-validator.js';
import { type CliResult, runCli } from './support/run-cli.js';
import { type ServeProcess, startServe, stopped } from './support/serve-process.js';
import { copyOfFixtureContent, siteUrl } from './support/site-app.js';

// Commands that load and render the content take long on a loaded machine: generous bounds, never sleeps.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });
const cli = (args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
  runCli(args, env, 180_000);

const secret = 'preview-test-secret-that-is-long-enough-42';
const publicPaths = [
  '/',
  '/notes',
  '/topics',
  '/topics/network-contention',
  '/feed.xml',
  '/atom.xml',
  '/feed.json',
  '/sitemap.xml',
];
const hour = 3_600_000;

let content: string;
/** The CLI's data folder: its render cache and generated secret, never the repository's ./data. */
let cliData: string;
beforeAll(async () => {
  content = await copyOfFixtureContent();
  cliData = await mkdtemp(join(tmpdir(), 'eb-preview-data-'));
  // A draft with a figure of its own, which must not be public before the note is.
  await writeFile(
    join(content, 'notes/figure-draft.md'),
    '---\ntitle: A draft with a figure\ndate: 2026-11-01T09:00:00+00:00\ndraft: true\n---\n\n![The plan](../images/plan.svg)\n\n```yaml\nkeep: drafts\n```\n',
  );
  await writeFile(
    join(content, 'images/plan.svg'),
    '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20"/></svg>',
  );
});

async function site(options: { drafts?: boolean; clock: FakeClock }) {
  const log = pino({ level: 'silent' });
  const live = new LiveSite({
    contentDir: content,
    siteUrl,
    clock: options.clock,
    log,
    drafts: options.drafts,
  });
  const snapshot = await live.load();
  if (snapshot.errors.length > 0) throw new Error(snapshot.errors.join('\n'));
  const signer = new PreviewSigner(secret);
  const app = await buildApp({ live, log, clock: options.clock, preview: signer });
  return {
    app,
    signer,
    get: (url: string) => app.inject(url),
    async close() {
      live.stop();
      await app.close();
    },
  };
}

describe('serve --drafts', () => {
  let t: Awaited<ReturnType<typeof site>>;
  const clock = new FakeClock('2026-11-25T12:00:00Z');
  beforeAll(async () => {
    t = await site({ drafts: true, clock });
  });
  afterAll(() => t.close());

  it('shows a draft at its address with a draft banner, kept out of search engines', async () => {
    const page = await t.get('/notes/unfinished');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(
      '<strong>Draft</strong> — not published; dated 1 November 2026 at 09:00 (Europe/London).',
    );
    expect(page.body).toContain('<meta name="robots" content="noindex"/>');
    expect(page.body).not.toContain('rel="canonical"');
    expect(page.body).not.toContain('application/ld+json');
    expect(await htmlProblems(page.body)).toEqual([]);
  });

  it('shows a scheduled note with the time it goes live', async () => {
    const page = await t.get('/notes/next-week');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<strong>Scheduled for 27 November 2026 at 09:00 (Europe/London)</strong>');
    expect(page.body).toContain('<meta name="robots" content="noindex"/>');
  });

  it("serves a draft's images and code colours locally", async () => {
    expect((await t.get('/images/plan.svg')).statusCode).toBe(200);
    const page = await t.get('/notes/figure-draft');
    const stylesheet = /href="(\/assets\/site\.[0-9a-f]+\.css)"/.exec(page.body)?.[1] ?? '';
    const codeClass = /<pre class="shiki[^"]*"[^>]*>/.test(page.body);
    expect(codeClass).toBe(true);
    expect((await t.get(stylesheet)).statusCode).toBe(200);
  });

  it('never puts a draft or a scheduled note in lists, feeds or the sitemap', async () => {
    for (const path of publicPaths) {
      const body = (await t.get(path)).body;
      for (const slug of ['unfinished', 'next-week', 'figure-draft'])
        expect(body, `${path} ${slug}`).not.toContain(slug);
      expect(body, path).not.toContain('An unfinished draft');
    }
  });

  it('drops the banner when the scheduled time comes, and lists the note', async () => {
    clock.set('2026-11-27T09:00:01Z');
    const page = await t.get('/notes/next-week');
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('unpublished-banner');
    expect(page.body).toContain('rel="canonical"');
    expect((await t.get('/feed.xml')).body).toContain('/notes/next-week');
  });
});

describe('without --drafts', () => {
  it('has no page for a draft or a scheduled note, nor their images', async () => {
    const t = await site({ clock: new FakeClock('2026-11-25T12:00:00Z') });
    for (const path of ['/notes/unfinished', '/notes/next-week', '/notes/figure-draft', '/images/plan.svg'])
      expect((await t.get(path)).statusCode, path).toBe(404);
    await t.close();
  });
});

describe('preview links', () => {
  let t: Awaited<ReturnType<typeof site>>;
  const clock = new FakeClock('2026-11-25T12:00:00Z');
  beforeAll(async () => {
    t = await site({ clock });
  });
  afterAll(() => t.close());

  it('shows the draft to whoever has the link, uncached and unindexed', async () => {
    const link = t.signer.path('figure-draft', new Date(clock.now().getTime() + hour));
    const page = await t.get(link);
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['x-robots-tag']).toBe('noindex');
    expect(page.body).toContain('<meta name="robots" content="noindex"/>');
    expect(page.body).toContain('<strong>Draft</strong>');
    expect(page.body).toContain('A preview for review, until 25 November 2026 at 13:00');
    // Its stylesheet and figure come through the same signature; the public site still has neither.
    const css = /<link rel="stylesheet" href="([^"]+)"/.exec(page.body)?.[1]?.replace(/&amp;/g, '&') ?? '';
    expect(css.startsWith('/preview/figure-draft/style.css?expires=')).toBe(true);
    const style = await t.get(css);
    expect(style.statusCode).toBe(200);
    expect(style.headers['content-type']).toBe('text/css; charset=utf-8');
    const figure = /<img src="([^"]+)"/.exec(page.body)?.[1]?.replace(/&amp;/g, '&') ?? '';
    expect(figure.startsWith('/preview/figure-draft/images/plan.svg?expires=')).toBe(true);
    expect((await t.get(figure)).statusCode).toBe(200);
    expect((await t.get('/images/plan.svg')).statusCode).toBe(404);
    expect((await t.get('/notes/figure-draft')).statusCode).toBe(404);
    expect(await htmlProblems(page.body)).toEqual([]);
  });

  it('refuses a link whose slug, expiry or signature was changed', async () => {
    const link = t.signer.path('unfinished', new Date(clock.now().getTime() + hour));
    const expires = /expires=(\d+)/.exec(link)?.[1] ?? '';
    const tampered = [
      link.replace('/preview/unfinished', '/preview/next-week'),
      link.replace(`expires=${expires}`, `expires=${Number(expires) + 86_400}`),
      link.replace(/signature=./, 'signature=A'),
      link.replace(/&signature=.*/, ''),
      '/preview/unfinished',
    ];
    for (const url of tampered) {
      const page = await t.get(url);
      expect(page.statusCode, url).toBe(404);
      expect(page.body).toContain('This preview link is not valid');
    }
  });

  it('works until it expires, and not after', async () => {
    const link = t.signer.path('next-week', new Date(clock.now().getTime() + hour));
    clock.advance(hour - 1000);
    expect((await t.get(link)).statusCode).toBe(200);
    clock.advance(1000);
    const expired = await t.get(link);
    expect(expired.statusCode).toBe(410);
    expect(expired.body).toContain('This preview link has expired');
  });

  it('sends a reader to the public page once the note is published', async () => {
    clock.set('2026-11-25T12:00:00Z');
    const link = t.signer.path('next-week', new Date('2026-12-01T00:00:00Z'));
    clock.set('2026-11-27T10:00:00Z');
    const answer = await t.get(link);
    expect(answer.statusCode).toBe(303);
    expect(answer.headers.location).toBe('/notes/next-week');
  });

  it('errorbudget preview prints a link that opens the draft', async () => {
    clock.set('2026-11-25T12:00:00Z');
    const before = Date.now();
    const result = await cli(
      ['preview', 'unfinished', '--content', content, '--site-url', siteUrl, '--expires', '12h'],
      { SECRET: secret, DATA_DIR: cliData },
    );
    expect(result.code).toBe(0);
    const url = result.stdout.trim();
    expect(url).toMatch(
      /^https:\/\/errorbudget\.test\/preview\/unfinished\?expires=\d+&signature=[\w-]{43}$/,
    );
    expect(result.stderr).toMatch(
      /^Works until .+ \(Europe\/London\) on a site served with this SECRET; anyone with the link can read notes\/unfinished\.md\.\n$/,
    );
    // 12 hours from when the command ran (the link counts whole seconds).
    const expires = Number(/expires=(\d+)/.exec(url)?.[1]) * 1000;
    expect(expires).toBeGreaterThanOrEqual(before + 12 * hour - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 12 * hour);
    clock.set(new Date());
    expect((await t.get(url.replace(siteUrl, ''))).statusCode).toBe(200);
  });

  it('errorbudget preview names a bad lifetime or an unknown note in one line', async () => {
    const bad = await cli(['preview', 'unfinished', '--content', content, '--expires', 'soon'], {
      SECRET: secret,
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('errorbudget: --expires: "soon" is not a lifetime such as 30m, 12h or 7d\n');
    const unknown = await cli(['preview', 'nope', '--content', content], {
      SECRET: secret,
      DATA_DIR: cliData,
    });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe(`errorbudget: ${content}: no note has the slug "nope"\n`);
  });
});

describe('serve --drafts and preview as processes', () => {
  let server: ServeProcess | undefined;
  afterAll(async () => {
    if (server) await stopped(server.child, 'SIGTERM');
  });

  it('shows drafts with --drafts, and opens a preview link made with the same data folder', async () => {
    const data = await mkdtemp(join(tmpdir(), 'eb-drafts-data-'));
    const env = { DATA_DIR: data, SECRET: '' };
    server = await startServe(['--content', content, '--drafts'], env);
    const draft = await fetch(`${server.url}/notes/unfinished`);
    expect(draft.status).toBe(200);
    expect(await draft.text()).toContain('Shown because serve runs with --drafts');
    const made = await cli(['preview', 'figure-draft', '--content', content, '--site-url', server.url], env);
    expect(made.code).toBe(0);
    const preview = await fetch(made.stdout.trim());
    expect(preview.status).toBe(200);
    expect(await preview.text()).toContain('A preview for review');
  });
});
