// The site as readers see it now: the content snapshot, its pages in memory, and the clock that
// publishes scheduled notes on time without a restart. With `renderLater` (serve) the site answers as
// soon as the notes' front matter is read; bodies are rendered behind, newest first, and a page whose
// note is not rendered yet renders it at once.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import {
  type ContentSnapshot,
  frontMatterOf,
  loadContent,
  metaOf,
  type Note,
  type ReadContent,
  readContent,
  renderInputOf,
  settle,
} from '../content/load-content.js';
import { hashSource, type NoteMeta, splitFrontMatter } from '../content/parse-note.js';
import type { FrontMatterEntry, RenderCache } from '../content/render-cache.js';
import { RenderThreads, renderMany } from '../content/render-pool.js';
import { RenderQueue } from '../content/render-queue.js';
import type { RenderOutcome } from '../content/render-worker.js';
import type { RenderedNote } from '../content/rendered-note.js';
import { isUserError } from '../user-error.js';
import { buildPages, drawCards, type PageSet, type Renderings, renderedPages } from './build-pages.js';
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
  /** Render note bodies after `load()`, once `renderBehind()` is called (serve); by default `load()`
   * renders them all first, and a mistake in any body stops it. */
  renderLater?: boolean;
}

const keyOf = (note: Pick<NoteMeta, 'file' | 'hash'>) => `${note.file}\0${note.hash}`;

export class LiveSite {
  readonly pages = new PageCache();
  /** The published notes, for /search; kept in step with the pages. */
  readonly search: SearchIndex;
  private snapshotValue: ContentSnapshot<NoteMeta> | undefined;
  private pageSet: PageSet | undefined;
  private timer: NodeJS.Timeout | undefined;
  private building: Promise<void> | undefined;
  private compressing: Promise<void> = Promise.resolve();
  private drawing: Promise<void> = Promise.resolve();
  /** The front-matter index being written: a stop waits for it, so that the next start finds it whole. */
  private savingFrontMatter: Promise<void> = Promise.resolve();
  private readonly cards: ShareCards;
  /** Renderings by file and source hash: a note's current version, and a broken edit's last good one. */
  private readonly renderingsByKey = new Map<string, RenderedNote>();
  private queue: RenderQueue | undefined;
  private threads: RenderThreads | undefined;
  private siteKey = '';
  /** Notes whose body turned out to have a mistake while rendering behind (logged, left out). */
  private readonly broken = new Set<string>();
  /** Notes whose rendering is read from the render cache behind, not rendered: not cached again. */
  private readonly onDisk = new Set<string>();
  private stopped = false;
  private readonly renderings: Renderings = {
    now: (note) => this.renderingOf(note),
    of: async (note) => {
      const known = this.renderingOf(note);
      if (known) return known;
      const queued = this.queue?.now(keyOf(note));
      if (!queued) {
        if (this.broken.has(keyOf(note))) return undefined;
        // Only while stopping: the queue let go of what it had not rendered.
        throw new Error(`${note.file} is not rendered and no longer queued`);
      }
      const outcome = await queued;
      return outcome.ok ? outcome.rendered : undefined;
    },
  };

  constructor(private readonly options: LiveSiteOptions) {
    this.cards = options.cards ?? new ShareCards();
    // While serve renders behind its start, a search answers from the notes rendered so far.
    this.search = new SearchIndex({ answerWhileFilling: options.renderLater === true });
  }

  get snapshot(): ContentSnapshot<NoteMeta> {
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

  /** Notes whose bodies are still to be rendered (0 once warm). */
  get unrendered(): number {
    return this.queue?.pending ?? 0;
  }

  /** The note's rendering, if it is done. */
  renderingOf(note: NoteMeta): RenderedNote | undefined {
    return this.renderingsByKey.get(keyOf(note));
  }

  /** The whole note, rendered now (ahead of the background work) if it is not yet; undefined if its body
   * has a mistake (reported in the log). */
  async note(note: NoteMeta): Promise<Note | undefined> {
    const rendered = await this.renderings.of(note);
    return rendered && { ...rendered, ...note };
  }

  /** True when a scheduled note's time has come and the pages do not show it yet. */
  isStale(): boolean {
    return this.options.clock.now().getTime() >= (this.pageSet?.nextChangeAt ?? Number.POSITIVE_INFINITY);
  }

  /** First load: any content error is fatal, so a broken site never starts. */
  async load(snapshot?: ContentSnapshot): Promise<ContentSnapshot<NoteMeta>> {
    const { contentDir, cache } = this.options;
    if (snapshot || !this.options.renderLater) {
      const loaded = snapshot ?? (await loadContent({ contentDir, cache }));
      for (const note of loaded.notes) this.renderingsByKey.set(keyOf(note), note);
      this.snapshotValue = loaded;
    } else {
      // The threads start once the site listens: on two cores, loading the renderer meanwhile would only
      // slow the reading of the front matter, which is all the first answer needs.
      this.threads = new RenderThreads();
      const read = await readContent({ contentDir, cache, deferCached: true });
      if (read.errors.length > 0) {
        // Not starting: render the rest too, so that one run names every problem.
        this.snapshotValue = await this.renderNow(read, undefined);
        await this.threads.destroy();
        return this.snapshotValue;
      }
      this.snapshotValue = this.behind(read, undefined);
    }
    if (this.snapshotValue.errors.length === 0) this.rebuild();
    return this.snapshotValue;
  }

  /** Starts rendering the notes not rendered yet, newest first (serve calls it once it listens). */
  renderBehind(): void {
    // Renderings read from the cache need no threads (each thread loads Shiki): they start if one is not.
    if (this.onDisk.size < (this.queue?.pending ?? 0)) this.threads?.start();
    this.queue?.go();
  }

  /** Resolves when every note is rendered. */
  async rendered(): Promise<void> {
    await this.queue?.idle();
  }

  /** After an edit: broken files keep their last good version, and each problem is logged. */
  async reload(): Promise<ContentSnapshot<NoteMeta>> {
    const previous = this.snapshot;
    const read = await readContent({
      contentDir: this.options.contentDir,
      cache: this.options.cache,
      previous,
      renderingOf: (note) => this.renderingOf(note),
    });
    const snapshot = await this.renderNow(read, previous);
    this.siteKey = read.siteKey;
    for (const error of snapshot.errors)
      this.options.log.error({ problem: error }, 'content error: keeping the last good version');
    for (const warning of snapshot.warnings) this.options.log.warn({ problem: warning }, 'content warning');
    this.snapshotValue = snapshot;
    // Renderings of versions no longer in the snapshot (edited away) are let go.
    const current = new Set(snapshot.notes.map(keyOf));
    for (const key of this.renderingsByKey.keys()) if (!current.has(key)) this.renderingsByKey.delete(key);
    this.rebuild();
    if (this.options.renderLater && this.unrendered === 0) await this.saveFrontMatter();
    return snapshot;
  }

  /** Rebuilds the pages for the clock's current time; concurrent callers share one build. */
  refresh(): Promise<void> {
    this.building ??= Promise.resolve()
      .then(() => this.rebuild())
      .finally(() => {
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

  /** Resolves once the render threads have ended: a process that exits while one starts can abort. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.pages.stop();
    this.cards.stop();
    this.queue?.stop();
    await Promise.all([this.threads?.destroy(), this.savingFrontMatter]);
  }

  /**
   * Renders what `read` found changed (or everything not rendered, when there is no background queue),
   * and returns the settled snapshot; notes queued in the background stay queued.
   */
  private async renderNow(
    read: ReadContent,
    previous: ContentSnapshot<NoteMeta> | undefined,
  ): Promise<ContentSnapshot<NoteMeta>> {
    const { contentDir, cache } = this.options;
    const errors = [...read.errors];
    const addProblems = (message: string) => errors.push(...message.split('\n'));
    for (const note of read.ready) this.renderingsByKey.set(keyOf(note), note);
    const queued = read.toRender.filter((source) => this.queue?.has(keyOf(source)) === true);
    const fresh = read.toRender.filter((source) => !queued.includes(source));
    const inputs = [...fresh.map((source) => renderInputOf(contentDir, source)), ...read.unusable];
    const outcomes = this.threads
      ? await Promise.all(inputs.map((input) => (this.threads as RenderThreads).render(input)))
      : await renderMany(inputs);
    const notes: NoteMeta[] = [...read.ready, ...read.cached, ...queued.map(metaOf)];
    for (const outcome of outcomes.slice(fresh.length)) if (!outcome.ok) addProblems(outcome.message);
    for (const [index, source] of fresh.entries()) {
      const outcome = outcomes[index];
      if (!outcome?.ok) {
        if (outcome) addProblems(outcome.message);
        continue;
      }
      const note: Note = { ...outcome.rendered, ...metaOf(source) };
      notes.push(note);
      this.renderingsByKey.set(keyOf(note), outcome.rendered);
      await cache?.set(cache.key(note.file, note.hash), {
        rendered: outcome.rendered,
        meta: metaOf(source),
        siteKey: read.siteKey,
      });
    }
    const settled = settle(read.site, notes, previous, errors, fresh.length);
    return {
      ...settled,
      warnings: settled.notes.flatMap((note) => this.renderingOf(note)?.warnings ?? []),
    };
  }

  /** The snapshot of notes whose bodies are rendered behind, newest first, once `renderBehind` is called. */
  private behind(
    read: ReadContent,
    previous: ContentSnapshot<NoteMeta> | undefined,
  ): ContentSnapshot<NoteMeta> {
    const threads = this.threads ?? new RenderThreads();
    this.siteKey = read.siteKey;
    for (const note of read.ready) this.renderingsByKey.set(keyOf(note), note);
    const snapshot = settle<NoteMeta>(
      read.site,
      [...read.ready, ...read.cached, ...read.toRender.map(metaOf)],
      previous,
      [...read.errors],
      0,
    );
    const sources = new Map(read.toRender.map((source) => [keyOf(source), source]));
    for (const note of read.cached) this.onDisk.add(keyOf(note));
    this.queue = new RenderQueue(threads.threads, (key, outcome) => this.renderedBehind(key, outcome));
    for (const note of snapshot.notes) {
      const key = keyOf(note);
      const source = sources.get(key);
      const run = source
        ? () => threads.render(renderInputOf(this.options.contentDir, source))
        : this.onDisk.has(key)
          ? () => this.fromDisk(note, threads)
          : undefined;
      if (run) void this.queue.add(key, run).catch(() => undefined);
    }
    void this.queue.idle().then(() => {
      // Warm: the threads' memory (the renderer, Shiki) is given back; an edit renders here.
      this.threads = undefined;
      void threads.destroy();
      if (this.stopped) return;
      this.options.log.info({ notes: snapshot.notes.length }, 'every note is rendered');
      this.savingFrontMatter = this.saveFrontMatter();
    });
    return { ...snapshot, warnings: read.ready.flatMap((note) => note.warnings) };
  }

  /** The rendering the cache holds for a note whose front matter came from its index; rendered anew if the
   * entry is no longer good (an image it shows changed, the entry was removed). */
  private async fromDisk(note: NoteMeta, threads: RenderThreads): Promise<RenderOutcome> {
    const { cache, contentDir } = this.options;
    // The cache reads synchronously: a turn of the event loop first, so that requests are answered
    // between two readings rather than after ten thousand.
    await setImmediate();
    const entry = await cache?.get(cache.key(note.file, note.hash));
    if (entry) return { ok: true, rendered: entry.rendered };
    try {
      const text = await readFile(join(contentDir, note.file), 'utf8');
      // Cached again only if the file is still the version its key names; a newer one is the reload's.
      if (hashSource(text) === note.hash) this.onDisk.delete(keyOf(note));
      const { body, bodyLine } = splitFrontMatter(text, note.file);
      return await threads.render({ contentDir, file: note.file, body, firstLine: bodyLine });
    } catch (error) {
      // Changed or gone since the start (a watching server reloads it).
      const message = isUserError(error) ? error.message : `${note.file}: ${(error as Error).message}`;
      return { ok: false, message };
    }
  }

  /** The front matter of the notes served now, for the next start to answer before reading renderings. */
  private async saveFrontMatter(): Promise<void> {
    const { cache } = this.options;
    if (!cache) return;
    const entries = new Map<string, FrontMatterEntry>();
    for (const note of this.snapshot.notes)
      if (this.renderingOf(note))
        entries.set(cache.key(note.file, note.hash), { meta: frontMatterOf(note), siteKey: this.siteKey });
    await cache
      .saveFrontMatter(entries)
      .catch((error: unknown) => this.options.log.warn({ err: error }, 'could not write the render cache'));
  }

  /** A note rendered behind: kept, cached, its files served, its warnings or mistake logged. */
  private renderedBehind(key: string, outcome: RenderOutcome): void {
    const note = this.notesByKey().get(key);
    if (!note) return;
    if (!outcome.ok) {
      this.broken.add(key);
      // The site is already serving: the note is left out (as an edit that breaks a new note is) and
      // the mistake is logged where the writer looks.
      for (const problem of outcome.message.split('\n'))
        this.options.log.error({ problem }, 'content error: this note is left out until it is fixed');
      this.snapshotValue = {
        ...this.snapshot,
        notes: this.snapshot.notes.filter((candidate) => candidate !== note),
        errors: [...this.snapshot.errors, ...outcome.message.split('\n')],
      };
      void this.refresh();
      return;
    }
    this.renderingsByKey.set(key, outcome.rendered);
    this.search.rendered(note);
    for (const warning of outcome.rendered.warnings)
      this.options.log.warn({ problem: warning }, 'content warning');
    if (this.pageSet?.shown.has(note.file))
      for (const [path, source] of renderedPages(outcome.rendered, this.options.contentDir)) {
        this.pageSet.pages.set(path, source);
        this.pages.add(path, source);
      }
    const { cache } = this.options;
    if (this.onDisk.delete(key)) return;
    void cache
      ?.set(cache.key(note.file, note.hash), {
        rendered: outcome.rendered,
        meta: note,
        siteKey: this.siteKey,
      })
      .catch((error: unknown) => this.options.log.warn({ err: error }, 'could not write the render cache'));
  }

  private keyed: { snapshot: ContentSnapshot<NoteMeta>; notes: Map<string, NoteMeta> } | undefined;

  private notesByKey(): Map<string, NoteMeta> {
    const snapshot = this.snapshot;
    if (this.keyed?.snapshot !== snapshot)
      this.keyed = { snapshot, notes: new Map(snapshot.notes.map((note) => [keyOf(note), note])) };
    return this.keyed.notes;
  }

  private rebuild(): void {
    if (this.options.pages === false) return;
    const { contentDir, siteUrl, clock } = this.options;
    const set = buildPages(this.snapshot, siteUrl, contentDir, clock.now(), {
      drafts: this.options.drafts,
      cards: this.cards,
      renderings: this.renderings,
    });
    this.pageSet = set;
    // Search reads the notes' bodies: those rendered now are indexed now, the others as they render.
    this.search
      .update(
        set.published,
        (slug) => set.chrome.topicsBySlug.get(slug)?.name ?? slug,
        (note) => this.renderingOf(note)?.html,
      )
      .catch((error: unknown) =>
        this.options.log.error({ err: error }, 'could not index the notes for search'),
      );
    // Compressing every page waits until the notes are rendered: until then the cores are theirs.
    this.compressing = this.pages.install(set.pages, set.notFound, this.rendered());
    // Cards wait for the notes too (a card costs more CPU than rendering a note). A card that fails to
    // draw is a bug of ours, not the writer's: the page still works without it.
    this.drawing = this.rendered()
      .then(() => drawCards(set, this.cards, (path, source) => this.pages.add(path, source)))
      .catch((error: unknown) => this.options.log.error({ err: error }, 'could not draw a share card'));
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
