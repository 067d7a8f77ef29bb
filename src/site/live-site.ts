// The site as readers see it now: the content snapshot, its pages in memory, and the clock that
// publishes scheduled notes on time without a restart.
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { type ContentSnapshot, loadContent } from '../content/load-content.js';
import type { RenderCache } from '../content/render-cache.js';
import { buildPages, drawCards, type PageSet } from './build-pages.js';
import { PageCache } from './page-cache.js';
import { SearchIndex } from './search/search-index.js';
import { ShareCards } from './share-card/share-cards.js';

/** setTimeout cannot wait longer than about 24.8 days; a longer wait is taken in steps. */
const longestTimer = 2 ** 31 - 1;

export interface LiveSiteOptions {
  contentDir: string;
  siteUrl: string;
  clock: Clock;
  log: Logger;
  cache?: RenderCache | undefined;
  /** false: hold the notes only (a worker, `send`), without building and compressing every page. */
  pages?: boolean;
  /** Where share cards are kept between starts; by default they are drawn into memory only. */
  cards?: ShareCards | undefined;
  /** `serve --drafts`: drafts and scheduled notes get their pages too, marked, for the writer alone. */
  drafts?: boolean;
}

export class LiveSite {
  readonly pages = new PageCache();
  /** The published notes, for /search; kept in step with the pages. */
  readonly search = new SearchIndex();
  private snapshotValue: ContentSnapshot | undefined;
  private pageSet: PageSet | undefined;
  private timer: NodeJS.Timeout | undefined;
  private building: Promise<void> | undefined;
  private compressing: Promise<void> = Promise.resolve();
  private drawing: Promise<void> = Promise.resolve();
  private readonly cards: ShareCards;

  constructor(private readonly options: LiveSiteOptions) {
    this.cards = options.cards ?? new ShareCards();
  }

  get snapshot(): ContentSnapshot {
    if (!this.snapshotValue) throw new Error('LiveSite used before load()');
    return this.snapshotValue;
  }

  get contentDir(): string {
    return this.options.contentDir;
  }

  get current(): PageSet {
    if (!this.pageSet) throw new Error('LiveSite used before load()');
    return this.pageSet;
  }

  /** True when a scheduled note's time has come and the pages do not show it yet. */
  isStale(): boolean {
    return this.options.clock.now().getTime() >= (this.pageSet?.nextChangeAt ?? Number.POSITIVE_INFINITY);
  }

  /** First load: any content error is fatal, so a broken site never starts. */
  async load(snapshot?: ContentSnapshot): Promise<ContentSnapshot> {
    this.snapshotValue =
      snapshot ?? (await loadContent({ contentDir: this.options.contentDir, cache: this.options.cache }));
    if (this.snapshotValue.errors.length === 0) await this.rebuild();
    return this.snapshotValue;
  }

  /** After an edit: broken files keep their last good version, and each problem is logged. */
  async reload(): Promise<ContentSnapshot> {
    const snapshot = await loadContent({
      contentDir: this.options.contentDir,
      cache: this.options.cache,
      previous: this.snapshotValue,
    });
    for (const error of snapshot.errors)
      this.options.log.error({ problem: error }, 'content error: keeping the last good version');
    for (const warning of snapshot.warnings) this.options.log.warn({ problem: warning }, 'content warning');
    this.snapshotValue = snapshot;
    await this.rebuild();
    return snapshot;
  }

  /** Rebuilds the pages for the clock's current time; concurrent callers share one build. */
  refresh(): Promise<void> {
    this.building ??= this.rebuild().finally(() => {
      this.building = undefined;
    });
    return this.building;
  }

  /** Resolves when every page has its gzip and brotli bodies. */
  precompressed(): Promise<void> {
    return this.compressing;
  }

  /** Resolves when every share card the pages name is drawn and served. */
  cardsDrawn(): Promise<void> {
    return this.drawing;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.pages.stop();
    this.cards.stop();
  }

  private async rebuild(): Promise<void> {
    if (this.options.pages === false) return;
    const { contentDir, siteUrl, clock } = this.options;
    const set = await buildPages(this.snapshot, siteUrl, contentDir, clock.now(), {
      drafts: this.options.drafts,
      cards: this.cards,
    });
    this.pageSet = set;
    this.search.update(set.published, (slug) => set.chrome.topicsBySlug.get(slug)?.name ?? slug);
    this.compressing = this.pages.install(set.pages, set.notFound);
    // A card that fails to draw is a bug of ours, not the writer's: the page still works without it.
    this.drawing = drawCards(set, this.cards, (path, source) => this.pages.add(path, source)).catch(
      (error: unknown) => this.options.log.error({ err: error }, 'could not draw a share card'),
    );
    this.schedule(set.nextChangeAt);
  }

  private schedule(at: number): void {
    clearTimeout(this.timer);
    if (!Number.isFinite(at)) return;
    const wait = Math.min(Math.max(at - this.options.clock.now().getTime(), 0), longestTimer);
    this.timer = setTimeout(() => {
      if (this.isStale()) void this.refresh();
      else this.schedule(at);
    }, wait);
    this.timer.unref();
  }
}
