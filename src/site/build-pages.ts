// Turns a content snapshot into every public page, feed and asset, as bytes, for one moment in time.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { ContentSnapshot, Note } from '../content/load-content.js';
import { buildFeeds } from './feeds.js';
import { type CardJob, ShareCards } from './share-card/share-cards.js';
import { buildRobots, buildSitemap, type SitemapEntry } from './sitemap.js';
import { ArchivePage } from './views/archive-page.js';
import { type Chrome, noteUrl, privacyPath, topicUrl } from './views/chrome.js';
import { HomePage } from './views/home-page.js';
import { NotFoundPage } from './views/message-page.js';
import { NotePage } from './views/note-page.js';
import { PrivacyPage } from './views/privacy-page.js';
import { searchPath } from './views/search-page.js';
import { TopicPage, TopicsPage } from './views/topic-pages.js';
import { isUnpublished } from './views/unpublished-banner.js';

export interface PageSource {
  body: Buffer;
  type: string;
  /** Content-addressed assets never change at their URL. */
  immutable?: boolean;
}

/** HTML pages are built when first asked for, or by the background compression pass, so that a start
 * with a thousand notes answers its first request without rendering a thousand pages first. */
export type PageEntry = PageSource | (() => PageSource);

export function materialize(entry: PageEntry): PageSource {
  return typeof entry === 'function' ? entry() : entry;
}

export interface PageSet {
  pages: Map<string, PageEntry>;
  notFound: PageSource;
  chrome: Chrome;
  /** Notes a reader can see at `now`, newest first. */
  published: Note[];
  /** When the next scheduled note goes live (ms since epoch), or Infinity. */
  nextChangeAt: number;
  /** Share cards the pages name but that are not drawn yet (`drawCards` adds them). */
  missingCards: CardJob[];
}

const html = 'text/html; charset=utf-8';
const assetsDir = new URL('../../assets/', import.meta.url);
const baseCss = readFileSync(new URL('site.css', assetsDir), 'utf8');
const favicon = readFileSync(new URL('favicon.svg', assetsDir));
/** Small progressive-enhancement scripts (subscribe form, confirm page), served from our own origin. */
const scripts = readdirSync(assetsDir)
  .filter((name) => name.endsWith('.js'))
  .map((name) => ({ path: `/assets/${name}`, body: readFileSync(new URL(name, assetsDir)) }));

export const imageTypes: Record<string, string> = {
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
};

export interface BuildOptions {
  /** `serve --drafts`: drafts and scheduled notes get their own pages, with a banner, and nothing else. */
  drafts?: boolean;
  /** Where the subscribe forms post: `/subscribe` by default, another origin's for a static export,
   * or null to leave the forms out. */
  subscribeAction?: string | null;
  /** Where the search box sends its query: `/search` by default, another origin's for a static export. */
  searchAction?: string;
  /** Share cards drawn earlier; without it every card is drawn anew. */
  cards?: ShareCards;
}

export async function buildPages(
  snapshot: ContentSnapshot,
  siteUrl: string,
  contentDir: string,
  now: Date,
  options: BuildOptions = {},
): Promise<PageSet> {
  const { site } = snapshot;
  const cards = options.cards ?? new ShareCards();
  const published = snapshot.notes.filter((note) => !isUnpublished(note, now));
  // Unpublished notes are never in lists, feeds or the sitemap, whatever the mode.
  const unpublished = options.drafts ? snapshot.notes.filter((note) => isUnpublished(note, now)) : [];
  const upcoming = snapshot.notes.filter((note) => !note.draft && note.date.getTime() > now.getTime());
  const pages = new Map<string, PageEntry>();
  const page = (path: string, body: string | Buffer, type = html) =>
    pages.set(path, { body: typeof body === 'string' ? Buffer.from(body) : body, type });
  const htmlPage = (path: string, view: () => VNode) =>
    pages.set(path, () => ({ body: Buffer.from(`<!doctype html>\n${renderToString(view())}`), type: html }));

  const shown = [...published, ...unpublished];
  const css = [baseCss, ...new Set(shown.flatMap((note) => note.codeCss))].join('\n');
  const stylesheet = `/assets/site.${createHash('sha256').update(css).digest('hex').slice(0, 12)}.css`;
  const dateFormat = new Intl.DateTimeFormat(site.language, { timeZone: site.timezone, dateStyle: 'long' });
  const yearFormat = new Intl.DateTimeFormat(site.language, { timeZone: site.timezone, year: 'numeric' });
  const cardJobs: CardJob[] = [];
  const cardFor = (title: string) => {
    const input = { title, siteName: site.title, host: new URL(siteUrl).host };
    const path = cards.pathFor(input);
    cardJobs.push({ path, input });
    return path;
  };
  const chrome: Chrome = {
    site,
    siteUrl,
    stylesheet,
    topicsBySlug: new Map(site.topics.map((topic) => [topic.slug, topic])),
    formatDate: (date) => dateFormat.format(date),
    siteCard: cardFor(site.tagline),
    subscribeAction: options.subscribeAction === undefined ? '/subscribe' : options.subscribeAction,
    searchAction: options.searchAction ?? searchPath,
  };

  htmlPage('/', () => HomePage({ chrome, notes: published }));
  htmlPage('/notes', () =>
    ArchivePage({ chrome, notes: published, yearOf: (date) => yearFormat.format(date) }),
  );
  published.forEach((note, index) => {
    const card = cardFor(note.title);
    htmlPage(noteUrl(note), () =>
      NotePage({ chrome, note, card, newer: published[index - 1], older: published[index + 1] }),
    );
  });
  for (const note of unpublished)
    htmlPage(noteUrl(note), () =>
      NotePage({
        chrome,
        note,
        card: cardFor(note.title),
        newer: undefined,
        older: undefined,
        unpublished: { via: 'drafts' },
      }),
    );
  const counts = new Map<string, number>();
  for (const topic of site.topics) {
    const notes = published.filter((note) => note.topics.includes(topic.slug));
    counts.set(topic.slug, notes.length);
    htmlPage(topicUrl(topic), () => TopicPage({ chrome, topic, notes }));
  }
  htmlPage('/topics', () => TopicsPage({ chrome, counts }));
  htmlPage(privacyPath, () => PrivacyPage({ chrome }));

  const feeds = buildFeeds(site, siteUrl, published);
  page('/feed.xml', feeds.rss, 'application/rss+xml; charset=utf-8');
  page('/atom.xml', feeds.atom, 'application/atom+xml; charset=utf-8');
  page('/feed.json', feeds.json, 'application/feed+json; charset=utf-8');
  const lastModified = published[0] ? (published[0].updated ?? published[0].date) : undefined;
  const sitemapEntries: SitemapEntry[] = [
    { path: '/', lastModified },
    { path: '/notes', lastModified },
    { path: '/topics' },
    { path: privacyPath },
    ...site.topics.map((topic) => ({ path: topicUrl(topic) })),
    ...published.map((note) => ({ path: noteUrl(note), lastModified: note.updated ?? note.date })),
  ];
  page('/sitemap.xml', await buildSitemap(siteUrl, sitemapEntries), 'application/xml; charset=utf-8');
  page('/robots.txt', buildRobots(siteUrl), 'text/plain; charset=utf-8');

  pages.set(stylesheet, { body: Buffer.from(css), type: 'text/css; charset=utf-8', immutable: true });
  page('/favicon.svg', favicon, imageTypes.svg);
  // Two notes with one title share one card.
  const missingCards = new Map<string, CardJob>();
  for (const job of cardJobs) {
    const png = cards.drawnCard(job.path);
    if (png) pages.set(job.path, cardPage(png));
    else missingCards.set(job.path, job);
  }
  for (const script of scripts) page(script.path, script.body, 'text/javascript; charset=utf-8');
  // Only images of notes shown are served, so a scheduled note's figures do not leak early.
  for (const asset of shown.flatMap((note) => note.assets)) {
    const path = `/${relative(contentDir, asset.path).split(sep).join('/')}`;
    const extension = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
    if (!pages.has(path))
      page(path, readFileSync(asset.path), imageTypes[extension] ?? 'application/octet-stream');
  }

  const notFound = {
    body: Buffer.from(`<!doctype html>\n${renderToString(NotFoundPage({ chrome }))}`),
    type: html,
  };
  const nextChangeAt = Math.min(...upcoming.map((note) => note.date.getTime()));
  return { pages, notFound, chrome, published, nextChangeAt, missingCards: [...missingCards.values()] };
}

function cardPage(png: Buffer): PageSource {
  return { body: png, type: 'image/png', immutable: true };
}

/** Draws the cards a page set still misses and adds each to it; `added` also hears of each one. */
export function drawCards(
  set: PageSet,
  cards: ShareCards,
  added: (path: string, source: PageSource) => void = () => undefined,
): Promise<void> {
  return cards.draw(set.missingCards, (path, png) => {
    const source = cardPage(png);
    set.pages.set(path, source);
    added(path, source);
  });
}
