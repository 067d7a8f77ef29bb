// Feeds as two independent parsers read them, and the share card every note names.
import { copyFile, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseFeed } from '@rowanmanning/feed-parser';
import FeedParser from 'feedparser';
import { imageSize } from 'image-size';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from './support/fake-clock.js';
import { runCli } from './support/run-cli.js';
import { buildSiteApp, copyOfFixtureContent, fixtureContent, siteUrl } from './support/site-app.js';

const clock = new FakeClock('2026-11-25T12:00:00Z');
let site: Awaited<ReturnType<typeof buildSiteApp>>;

beforeAll(async () => {
  site = await buildSiteApp(clock);
});
afterAll(async () => {
  site.live.stop();
  await site.app.close();
});

const get = (url: string) => site.app.inject({ method: 'GET', url });

/** feedparser (sax-based, streaming): every item of a feed. */
async function readWithFeedparser(xml: string): Promise<FeedParser.Item[]> {
  const items: FeedParser.Item[] = [];
  const parser = Readable.from([xml]).pipe(new FeedParser({ strict: true }));
  for await (const item of parser) items.push(item as FeedParser.Item);
  return items;
}

const metaContent = (html: string, key: string) =>
  new RegExp(`<meta (?:property|name)="${key}" content="([^"]*)"`).exec(html)?.[1];

describe('feeds in two independent parsers', () => {
  for (const path of ['/atom.xml', '/feed.xml']) {
    it(`${path}: feedparser reads each note's topics as categories and its author`, async () => {
      const items = await readWithFeedparser((await get(path)).body);
      expect(items.map((item) => item.title)).toEqual([
        'Restore drills: the only backup metric that matters',
        'Capacity planning in a memory price shock',
      ]);
      const [first] = items;
      // Atom gives the term (the topic's slug); RSS gives the topic's name.
      expect(first?.categories).toEqual([path === '/atom.xml' ? 'backup-recovery' : 'Backup and recovery']);
      expect(first?.author).toBe('the error budget');
    });

    it(`${path}: @rowanmanning/feed-parser reads the same categories and author`, async () => {
      const feed = parseFeed((await get(path)).body);
      const [first] = feed.items;
      const [category] = first?.categories ?? [];
      expect(category?.label).toBe('Backup and recovery');
      if (path === '/atom.xml') expect(category?.term).toBe('backup-recovery');
      expect([...(first?.authors ?? []), ...feed.authors].map((author) => author.name)).toContain(
        'the error budget',
      );
    });
  }

  it('RSS names the author with dc:creator, never a bare name in <author>', async () => {
    const { body } = await get('/feed.xml');
    expect(body).toContain('xmlns:dc="http://purl.org/dc/elements/1.1/"');
    expect(body).toContain('<dc:creator>the error budget</dc:creator>');
    expect(body).not.toContain('<author>');
  });

  it('Atom categories carry term, label and scheme', async () => {
    const { body } = await get('/atom.xml');
    expect(body).toContain(
      `<category label="Backup and recovery" scheme="${siteUrl}/topics/" term="backup-recovery"/>`,
    );
  });

  it('keeps the headings\' "#" anchors out of every feed\'s content, but keeps the headings', async () => {
    for (const path of ['/feed.xml', '/atom.xml', '/feed.json']) {
      const { body } = await get(path);
      expect(body, path).toContain('Why drills');
      expect(body, path).not.toMatch(/class=\\?"anchor/);
    }
    // The note's own page keeps them for readers who want to link to a section.
    expect((await get('/notes/restore-drills')).body).toContain('class="anchor"');
  });
});

describe('share cards', () => {
  it('every note names its own 1200×630 PNG card in og:image, twitter:image and its JSON-LD', async () => {
    await site.live.cardsDrawn();
    const cards = new Set<string>();
    for (const note of site.live.current.published) {
      const html = (await get(`/notes/${note.slug}`)).body;
      const image = metaContent(html, 'og:image') ?? '';
      expect(image).toMatch(new RegExp(`^${siteUrl}/cards/[A-Za-z0-9]{16}\\.png$`));
      expect(metaContent(html, 'twitter:image')).toBe(image);
      expect(metaContent(html, 'twitter:card')).toBe('summary_large_image');
      expect(metaContent(html, 'og:image:width')).toBe('1200');
      expect(metaContent(html, 'og:image:height')).toBe('630');
      expect(metaContent(html, 'og:image:alt')).toBe(`${note.title} — the error budget`);
      const jsonLd = JSON.parse(
        /<script type="application\/ld\+json">(.*?)<\/script>/s.exec(html)?.[1] ?? '{}',
      );
      expect(jsonLd.image).toEqual([image]);

      const card = await get(image.slice(siteUrl.length));
      expect(card.statusCode).toBe(200);
      expect(card.headers['content-type']).toBe('image/png');
      expect(card.headers['cache-control']).toContain('immutable');
      expect(card.rawPayload.subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
      expect(imageSize(card.rawPayload)).toMatchObject({ type: 'png', width: 1200, height: 630 });
      cards.add(image);
    }
    expect(cards.size).toBe(site.live.current.published.length);
  });

  it('pages without their own card show the site card, and every page says its locale', async () => {
    for (const path of ['/', '/notes', '/topics', '/topics/backup-recovery']) {
      const html = (await get(path)).body;
      expect(metaContent(html, 'og:locale'), path).toBe('en_GB');
      const image = metaContent(html, 'og:image') ?? '';
      expect(image, path).toMatch(/\/cards\/[A-Za-z0-9]{16}\.png$/);
      expect((await get(image.slice(siteUrl.length))).statusCode, path).toBe(200);
    }
  });

  it('credits the publication as an Organization, and a person when site.yml names one', async () => {
    const jsonLdOf = (html: string) =>
      JSON.parse(/<script type="application\/ld\+json">(.*?)<\/script>/s.exec(html)?.[1] ?? '{}');
    const html = (await get('/notes/restore-drills')).body;
    expect(jsonLdOf(html).author).toEqual({
      '@type': 'Organization',
      name: 'the error budget',
      url: `${siteUrl}/`,
    });

    const contentDir = await copyOfFixtureContent();
    const siteYml = join(contentDir, 'site.yml');
    await writeFile(siteYml, `${await readFile(siteYml, 'utf8')}\nperson: Ada Lovelace\n`);
    const personal = await buildSiteApp(clock, contentDir);
    try {
      const page = await personal.app.inject({ method: 'GET', url: '/notes/restore-drills' });
      expect(jsonLdOf(page.body).author).toEqual({ '@type': 'Person', name: 'Ada Lovelace' });
      expect(jsonLdOf(page.body).publisher).toMatchObject({
        '@type': 'Organization',
        name: 'the error budget',
      });
      const rss = await personal.app.inject({ method: 'GET', url: '/feed.xml' });
      expect(rss.body).toContain('<dc:creator>Ada Lovelace</dc:creator>');
    } finally {
      personal.live.stop();
      await personal.app.close();
    }
  });

  it('a card asked for while it is still being drawn is answered once drawn, not with a 404', async () => {
    const contentDir = await copyOfFixtureContent();
    const note = join(contentDir, 'notes', 'restore-drills.md');
    const renamed = (await readFile(note, 'utf8')).replace(
      'title: "Restore drills: the only backup metric that matters"',
      'title: "A title no card was drawn for yet"',
    );
    await writeFile(note, renamed);
    const fresh = await buildSiteApp(clock, contentDir);
    try {
      const html = (await fresh.app.inject({ method: 'GET', url: '/notes/restore-drills' })).body;
      const image = (metaContent(html, 'og:image') ?? '').slice(siteUrl.length);
      const card = await fresh.app.inject({ method: 'GET', url: image });
      expect(card.statusCode).toBe(200);
      expect(imageSize(card.rawPayload)).toMatchObject({ width: 1200, height: 630 });
    } finally {
      fresh.live.stop();
      await fresh.app.close();
    }
  });

  it('export keeps drawn cards in DATA_DIR/cache/cards and takes them from there the next time', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'eb-data-'));
    const exportTo = async () => {
      const out = join(await mkdtemp(join(tmpdir(), 'eb-out-')), 'site');
      const result = await runCli(
        ['export', out, '--content', fixtureContent],
        { DATA_DIR: dataDir },
        60_000,
      );
      expect(result.code, result.stderr).toBe(0);
      return out;
    };
    const first = await exportTo();
    const exported = (await readdir(join(first, 'cards'))).sort();
    const cached = join(dataDir, 'cache', 'cards');
    expect((await readdir(cached)).sort()).toEqual(exported);
    expect(exported).toHaveLength(3);
    // Swap two cached cards: an export that takes them from the cache writes them swapped.
    const [a = '', b = ''] = exported;
    await copyFile(join(cached, b), join(cached, a));
    const second = await exportTo();
    expect((await readFile(join(second, 'cards', a))).equals(await readFile(join(first, 'cards', b)))).toBe(
      true,
    );
  });
});
