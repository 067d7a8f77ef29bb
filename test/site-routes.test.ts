import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from './support/fake-clock.js';
import { buildSiteApp, siteUrl } from './support/site-app.js';

const clock = new FakeClock('2026-11-25T12:00:00Z');
let site: Awaited<ReturnType<typeof buildSiteApp>>;

beforeAll(async () => {
  site = await buildSiteApp(clock);
});
afterAll(async () => {
  site.live.stop();
  await site.app.close();
});

const get = (url: string, headers: Record<string, string> = {}) =>
  site.app.inject({ method: 'GET', url, headers });

describe('public routes', () => {
  const routes: { url: string; type: RegExp; contains: string[] }[] = [
    {
      url: '/',
      type: /^text\/html/,
      contains: [
        '<span>Spend the</span><span>error budget wisely</span>',
        'The premise',
        'What I write about',
        'Latest note',
        'View all →',
        'More notes',
        'Years fintech infrastructure',
        'Free · Operators only · No spam',
        'Free. Unsubscribe anytime. No spam, ever.',
        'action="/subscribe"',
      ],
    },
    {
      url: '/notes',
      type: /^text\/html/,
      contains: [
        'All notes',
        '2026',
        'Restore drills: the only backup metric that matters',
        'Capacity planning in a memory price shock',
      ],
    },
    {
      url: '/notes/restore-drills',
      type: /^text\/html/,
      contains: [
        '<h1>Restore drills: the only backup metric that matters</h1>',
        '13 November 2026',
        'min read',
        'href="/topics/backup-recovery"',
        '<table>',
        'class="shiki',
        'action="/subscribe"',
        'rel="prev"',
        '<link rel="canonical" href="https://errorbudget.test/notes/restore-drills"/>',
        '"@type":"Article"',
        'property="og:type" content="article"',
        'name="twitter:card"',
      ],
    },
    {
      url: '/topics',
      type: /^text\/html/,
      contains: ['Backup and recovery', '<span class="count">1 note</span>'],
    },
    {
      url: '/topics/backup-recovery',
      type: /^text\/html/,
      contains: ['<h1>Backup and recovery</h1>', 'Restore drills'],
    },
    { url: '/feed.xml', type: /^application\/rss\+xml/, contains: ['<rss', 'Restore drills'] },
    { url: '/atom.xml', type: /^application\/atom\+xml/, contains: ['<feed', 'Restore drills'] },
    { url: '/feed.json', type: /^application\/feed\+json/, contains: ['https://jsonfeed.org/version/1.1'] },
    {
      url: '/sitemap.xml',
      type: /^application\/xml/,
      contains: ['<urlset', 'https://errorbudget.test/notes/restore-drills'],
    },
    {
      url: '/robots.txt',
      type: /^text\/plain/,
      contains: ['Sitemap: https://errorbudget.test/sitemap.xml', 'Disallow: /manage/'],
    },
    { url: '/images/diagram.svg', type: /^image\/svg\+xml/, contains: ['<svg'] },
    { url: '/favicon.svg', type: /^image\/svg\+xml/, contains: ['<svg'] },
    { url: '/healthz', type: /^application\/json/, contains: ['"status":"ok"'] },
  ];

  for (const { url, type, contains } of routes) {
    it(`GET ${url} answers 200 with its content`, async () => {
      const response = await get(url);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(type);
      for (const text of contains) expect(response.body).toContain(text);
    });
  }

  it('serves the stylesheet under a content hash, cached for a year', async () => {
    const home = await get('/');
    const href = /<link rel="stylesheet" href="(\/assets\/site\.[0-9a-f]{12}\.css)"/.exec(home.body)?.[1];
    expect(href).toBeDefined();
    const css = await get(href ?? '');
    expect(css.statusCode).toBe(200);
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(css.body).toContain('--shiki-light');
  });

  it('answers an unknown page with the styled 404 page', async () => {
    const response = await get('/notes/no-such-note');
    expect(response.statusCode).toBe(404);
    expect(response.body).toContain('Page not found');
    expect(response.body).toContain('<link rel="stylesheet"');
  });

  it('redirects a trailing slash to the canonical address', async () => {
    const response = await get('/notes/restore-drills/?ref=x');
    expect(response.statusCode).toBe(301);
    expect(response.headers.location).toBe('/notes/restore-drills?ref=x');
  });

  it('answers HEAD with headers and no body', async () => {
    const response = await site.app.inject({ method: 'HEAD', url: '/notes' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');
    expect(Number(response.headers['content-length'])).toBeGreaterThan(1000);
  });

  it('sends a strict content security policy and sets no cookie', async () => {
    for (const url of ['/', '/notes/restore-drills', '/missing']) {
      const response = await get(url);
      expect(response.headers['content-security-policy']).toContain("default-src 'none'");
      expect(response.headers['set-cookie']).toBeUndefined();
    }
  });

  it('loads nothing from another host on any page', async () => {
    for (const url of ['/', '/notes', '/notes/restore-drills', '/topics/backup-recovery']) {
      const { body } = await get(url);
      const sources = [...body.matchAll(/\s(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? '');
      const loaded = [
        ...body.matchAll(
          /<(?:img|script|link rel="stylesheet"|link rel="icon")[^>]*\s(?:src|href)="([^"]+)"/g,
        ),
      ].map((m) => m[1] ?? '');
      expect(sources.length).toBeGreaterThan(0);
      for (const src of loaded) expect(src.startsWith('/')).toBe(true);
    }
  });
});

describe('caching and compression', () => {
  it('answers If-None-Match with 304 and no body', async () => {
    const first = await get('/notes/restore-drills');
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const second = await get('/notes/restore-drills', { 'if-none-match': etag });
    expect(second.statusCode).toBe(304);
    expect(second.body).toBe('');
    expect(second.headers.etag).toBe(etag);
  });

  it('sends brotli or gzip bodies that decode to the same page, each with its own ETag', async () => {
    await site.live.precompressed();
    const identity = await get('/notes/restore-drills');
    const br = await get('/notes/restore-drills', { 'accept-encoding': 'gzip, deflate, br' });
    const gz = await get('/notes/restore-drills', { 'accept-encoding': 'gzip' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(identity.body);
    expect(gunzipSync(gz.rawPayload).toString()).toBe(identity.body);
    expect(br.rawPayload.length).toBeLessThan(identity.rawPayload.length / 2);
    expect(new Set([identity.headers.etag, br.headers.etag, gz.headers.etag]).size).toBe(3);
    expect(br.headers.vary).toBe('Accept-Encoding');
    const revalidated = await get('/notes/restore-drills', {
      'accept-encoding': 'br',
      'if-none-match': String(br.headers.etag),
    });
    expect(revalidated.statusCode).toBe(304);
  });

  it('respects q=0 in Accept-Encoding', async () => {
    const response = await get('/notes', { 'accept-encoding': 'br;q=0, gzip;q=0.5' });
    expect(response.headers['content-encoding']).toBe('gzip');
  });
});

describe('feeds', () => {
  const parser = new XMLParser({ ignoreAttributes: false });

  it('RSS 2.0 is valid XML with the published notes, newest first, full content and absolute links', async () => {
    const { body } = await get('/feed.xml');
    expect(XMLValidator.validate(body)).toBe(true);
    const items = parser.parse(body).rss.channel.item;
    expect(items.map((item: { title: string }) => item.title)).toEqual([
      'Restore drills: the only backup metric that matters',
      'Capacity planning in a memory price shock',
    ]);
    expect(items[0]['content:encoded']).toContain('src="https://errorbudget.test/images/diagram.svg"');
    expect(items[0]['content:encoded']).toContain(
      'href="https://errorbudget.test/notes/restore-drills#fn-ssp"',
    );
  });

  it('Atom is valid XML with the same entries', async () => {
    const { body } = await get('/atom.xml');
    expect(XMLValidator.validate(body)).toBe(true);
    const entries = parser.parse(body).feed.entry;
    expect(entries.map((entry: { id: string }) => entry.id)).toEqual([
      `${siteUrl}/notes/restore-drills`,
      `${siteUrl}/notes/capacity-planning`,
    ]);
  });

  it('JSON Feed 1.1 parses, with summary, HTML content and tags', async () => {
    const feed = JSON.parse((await get('/feed.json')).body);
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(feed.items).toHaveLength(2);
    expect(feed.items[0]).toMatchObject({
      id: `${siteUrl}/notes/restore-drills`,
      tags: ['Backup and recovery'],
      date_published: '2026-11-13T09:00:00.000Z',
    });
    expect(feed.items[0].content_html).toContain('<table>');
  });

  it('the sitemap lists every public page and nothing else', async () => {
    const { body } = await get('/sitemap.xml');
    expect(XMLValidator.validate(body)).toBe(true);
    const urls = [parser.parse(body).urlset.url].flat().map((entry: { loc: string }) => entry.loc);
    expect(urls).toContain(`${siteUrl}/notes/capacity-planning`);
    expect(urls).not.toContain(`${siteUrl}/notes/next-week`);
    expect(urls).not.toContain(`${siteUrl}/notes/unfinished`);
  });
});
