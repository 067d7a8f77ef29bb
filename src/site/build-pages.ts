// Turns a content snapshot into every public page, feed and asset, as bytes, for one moment in time.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { ContentSnapshot, Note } from '../content/load-content.js';
import type { NoteMeta } from '../content/parse-note.js';
import type { RenderedNote } from '../content/rendered-note.js';
import { buildFeeds, feedSize } from './feeds.js';
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
 * with a thousand notes answers its first request without rendering a thousand pages first. A page whose
 * note is not rendered yet is a promise: it renders the note first (undefined if the note is broken). */
export type PageEntry = PageSource | (() => PageSource) | (() => Promise<PageSource | undefined>);

export function materialize(entry: PageEntry): PageSource | Promise<PageSource | undefined> {
  return typeof entry === 'function' ? entry() : entry;
}

/** Where pages find the notes' renderings: at hand, or made (or waited for) on request. */
export interface Renderings {
  now(note: NoteMeta): RenderedNote | undefined;
  /** Undefined when the note cannot be rendered (a mistake in its body, already reported). */
  of(note: NoteMeta): Promise<RenderedNote | undefined>;
}

/** Renderings of notes that are all rendered already (`loadContent`'s). */
export function renderedAlready(notes: Note[]): Renderings {
  const byFile = new Map<string, RenderedNote>(notes.map((note) => [note.file, note]));
  return { now: (note) => byFile.get(note.file), of: async (note) => byFile.get(note.file) };
}

export interface PageSet {
  pages: Map<string, PageEntry>;
  notFound: PageSource;
  chrome: Chrome;
  /** Notes a reader can see at `now`, newest first. */
  published: NoteMeta[];
  /** Files of the notes that have pages (published ones, and with `drafts` the others too). */
  shown: Set<string>;
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
  /** Needed when the snapshot's notes are not all rendered. */
  renderings?: Renderings;
}

export function buildPages(
  snapshot: ContentSnapshot<NoteMeta>,
  siteUrl: string,
  contentDir: string,
  now: Date,
  options: BuildOptions = {},
): PageSet {
  const { site } = snapshot;
  const renderings = options.renderings ?? renderedAlready(snapshot.notes as Note[]);
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
  /** A note's page: built from its rendering, which is made first if need be. */
  const notePage = (note: NoteMeta, view: (rendered: Note, codeStylesheet?: string) => VNode) => {
    const build = (rendered: RenderedNote) => ({
      body: Buffer.from(
        `<!doctype html>\n${renderToString(view({ ...rendered, ...note }, codeStylesheetOf(rendered)?.path))}`,
      ),
      type: html,
    });
    const ready = renderings.now(note);
    pages.set(
      noteUrl(note),
      ready
        ? () => build(ready)
        : async () => {
            const rendered = await renderings.of(note);
            return rendered && build(rendered);
          },
    );
  };

  const shown = [...published, ...unpublished];
  const stylesheet = `/assets/site.${contentHash(baseCss)}.css`;
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
    notePage(note, (full, codeStylesheet) =>
      NotePage({
        chrome,
        note: full,
        card,
        newer: published[index - 1],
        older: published[index + 1],
        codeStylesheet,
      }),
    );
  });
  for (const note of unpublished) {
    const card = cardFor(note.title);
    notePage(note, (full, codeStylesheet) =>
      NotePage({
        chrome,
        note: full,
        card,
        newer: undefined,
        older: undefined,
        unpublished: { via: 'drafts' },
        codeStylesheet,
      }),
    );
  }
  const counts = new Map<string, number>();
  for (const topic of site.topics) {
    const notes = published.filter((note) => note.topics.includes(topic.slug));
    counts.set(topic.slug, notes.length);
    htmlPage(topicUrl(topic), () => TopicPage({ chrome, topic, notes }));
  }
  htmlPage('/topics', () => TopicsPage({ chrome, counts }));
  htmlPage(privacyPath, () => PrivacyPage({ chrome }));

  // Feeds carry their notes' full content: asked for before those are rendered, they render them first.
  let feeds: Promise<ReturnType<typeof buildFeeds>> | undefined;
  const feedsNow = () => {
    feeds ??= Promise.all(
      published.slice(0, feedSize).map(async (note) => {
        const rendered = await renderings.of(note);
        return rendered && { ...rendered, ...note };
      }),
    ).then((notes) =>
      buildFeeds(
        site,
        siteUrl,
        notes.filter((note) => note !== undefined),
      ),
    );
    return feeds;
  };
  const feedPage = (path: string, format: 'rss' | 'atom' | 'json', type: string) =>
    pages.set(path, async () => ({ body: Buffer.from((await feedsNow())[format]), type }));
  feedPage('/feed.xml', 'rss', 'application/rss+xml; charset=utf-8');
  feedPage('/atom.xml', 'atom', 'application/atom+xml; charset=utf-8');
  feedPage('/feed.json', 'json', 'application/feed+json; charset=utf-8');
  const lastModified = published[0] ? (published[0].updated ?? published[0].date) : undefined;
  const sitemapEntries: SitemapEntry[] = [
    { path: '/', lastModified },
    { path: '/notes', lastModified },
    { path: '/topics' },
    { path: privacyPath },
    ...site.topics.map((topic) => ({ path: topicUrl(topic) })),
    ...published.map((note) => ({ path: noteUrl(note), lastModified: note.updated ?? note.date })),
  ];
  pages.set('/sitemap.xml', async () => ({
    body: Buffer.from(await buildSitemap(siteUrl, sitemapEntries)),
    type: 'application/xml; charset=utf-8',
  }));
  page('/robots.txt', buildRobots(siteUrl), 'text/plain; charset=utf-8');

  pages.set(stylesheet, { body: Buffer.from(baseCss), type: 'text/css; charset=utf-8', immutable: true });
  page('/favicon.svg', favicon, imageTypes.svg);
  // Two notes with one title share one card.
  const missingCards = new Map<string, CardJob>();
  for (const job of cardJobs) {
    const png = cards.drawnCard(job.path);
    if (png) pages.set(job.path, cardPage(png));
    else missingCards.set(job.path, job);
  }
  for (const script of scripts) page(script.path, script.body, 'text/javascript; charset=utf-8');
  // Only images of notes shown are served, so a scheduled note's figures do not leak early. Those of
  // notes not rendered yet are added as they are (`renderedPages`).
  for (const note of shown) {
    const rendered = renderings.now(note);
    if (rendered)
      for (const [path, source] of renderedPages(rendered, contentDir))
        if (!pages.has(path)) pages.set(path, source);
  }

  const notFound = {
    body: Buffer.from(`<!doctype html>\n${renderToString(NotFoundPage({ chrome }))}`),
    type: html,
  };
  const nextChangeAt = Math.min(...upcoming.map((note) => note.date.getTime()));
  return {
    pages,
    notFound,
    chrome,
    published,
    shown: new Set(shown.map((note) => note.file)),
    nextChangeAt,
    missingCards: [...missingCards.values()],
  };
}

function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/** A note's code colours, in a stylesheet of their own: the site's stylesheet (on every page) then never
 * depends on which notes are rendered, so that every page is final before any note is. */
function codeStylesheetOf(rendered: RenderedNote): { path: string; css: string } | undefined {
  if (rendered.codeCss.length === 0) return undefined;
  const css = rendered.codeCss.join('\n');
  return { path: `/assets/code.${contentHash(css)}.css`, css };
}

/** The files a rendered note's page needs besides itself: its code colours and its images. */
export function renderedPages(rendered: RenderedNote, contentDir: string): [string, PageSource][] {
  const files: [string, PageSource][] = [];
  const code = codeStylesheetOf(rendered);
  if (code)
    files.push([
      code.path,
      { body: Buffer.from(code.css), type: 'text/css; charset=utf-8', immutable: true },
    ]);
  for (const asset of rendered.assets) {
    const path = `/${relative(contentDir, asset.path).split(sep).join('/')}`;
    const extension = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
    files.push([
      path,
      { body: readFileSync(asset.path), type: imageTypes[extension] ?? 'application/octet-stream' },
    ]);
  }
  return files;
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
