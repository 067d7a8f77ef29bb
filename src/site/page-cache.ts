// Pages held in memory as ready-to-send bytes: identity, gzip and brotli, each with its own strong ETag.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Piscina } from 'piscina';
import { workerScript } from '../worker-script.js';
import { materialize, type PageEntry, type PageSource } from './build-pages.js';
import { securityHeaders } from './security-headers.js';

export type Encoding = 'br' | 'gzip' | 'identity';

export interface CachedPage {
  readonly hash: string;
  readonly body: Buffer;
  readonly type: string;
  /** Flat [name, value, …] list, as Node's writeHead takes it. */
  readonly baseHeaders: readonly string[];
  headers?: Partial<Record<Encoding, string[]>>;
  gzip?: Buffer;
  br?: Buffer;
}

/** Tiny bodies gain nothing from compression and cost a round of work per request. */
const compressMinimum = 512;
const compressible = /^(text\/|application\/(json|xml|rss\+xml|atom\+xml|feed\+json)|image\/svg\+xml)/;

type Pending = Promise<CachedPage | undefined>;
type Slot = CachedPage | Pending | (() => CachedPage | Pending);

export class PageCache {
  private pages = new Map<string, Slot>();
  private notFoundPage: CachedPage | undefined;
  private generation = 0;

  /** The page, built now if need be; a promise while its note is being rendered (undefined: no page after all). */
  lookup(path: string): CachedPage | Pending | undefined {
    const slot = this.pages.get(path);
    if (typeof slot !== 'function') return slot;
    const made = slot();
    this.pages.set(path, made);
    if (made instanceof Promise) {
      const pages = this.pages;
      // Once made, the page is kept as bytes (unless a newer page set replaced this one meanwhile).
      void made.then(
        (page) => {
          if (pages.get(path) !== made) return;
          if (page) pages.set(path, page);
          else pages.delete(path);
        },
        // The caller answers the failure; the next request tries again.
        () => {
          if (pages.get(path) === made) pages.set(path, slot);
        },
      );
    }
    return made;
  }

  /** The page if it can be had without waiting. */
  get(path: string): CachedPage | undefined {
    const page = this.lookup(path);
    return page instanceof Promise ? undefined : page;
  }

  /** The page, waiting for its note to be rendered if need be. */
  async page(path: string): Promise<CachedPage | undefined> {
    return await this.lookup(path);
  }

  get notFound(): CachedPage | undefined {
    return this.notFoundPage;
  }

  paths(): IterableIterator<string> {
    return this.pages.keys();
  }

  /** Swaps in a new page set; pages whose bytes did not change keep their compressed bodies. The
   * background compression starts once `compressAfter` resolves (the notes rendered: the cores are theirs). */
  install(
    sources: Map<string, PageEntry>,
    notFound: PageSource,
    compressAfter?: Promise<void>,
  ): Promise<void> {
    const built = [...this.pages.values()].filter(
      (page): page is CachedPage => typeof page !== 'function' && !(page instanceof Promise),
    );
    const previous = new Map(built.map((page) => [page.hash, page]));
    const next = new Map<string, Slot>();
    for (const [path, source] of sources)
      next.set(
        path,
        typeof source === 'function'
          ? () => {
              const made = materialize(source);
              return made instanceof Promise
                ? made.then((page) => page && reuseOrCreate(page, previous))
                : reuseOrCreate(made, previous);
            }
          : reuseOrCreate(source, previous),
      );
    this.pages = next;
    this.notFoundPage = reuseOrCreate(notFound, previous);
    const generation = ++this.generation;
    return (compressAfter ?? Promise.resolve()).then(() => this.precompress(generation));
  }

  /** Adds a page that was made after the set was installed (a share card drawn in the background). */
  add(path: string, source: PageSource): void {
    this.pages.set(path, reuseOrCreate(source, new Map()));
  }

  /** Abandons the background compression after the page in hand, so that a stopping process exits at once. */
  stop(): void {
    this.generation++;
  }

  /** Compresses every page on one worker thread, so that serving never waits for brotli. */
  private async precompress(generation: number): Promise<void> {
    if (generation !== this.generation) return;
    const pool = new Piscina<Uint8Array, { gzip: Uint8Array; br: Uint8Array }>({
      ...workerScript(import.meta.url, 'compress-worker'),
      maxThreads: 1,
      minThreads: 1,
    });
    try {
      for (const path of [...this.pages.keys(), undefined]) {
        if (generation !== this.generation) return;
        const page = path === undefined ? this.notFoundPage : await this.page(path);
        if (!page || !isCompressible(page) || page.br) continue;
        const { gzip, br } = await pool.run(page.body);
        page.gzip ??= Buffer.from(gzip.buffer, gzip.byteOffset, gzip.byteLength);
        page.br = Buffer.from(br.buffer, br.byteOffset, br.byteLength);
      }
    } finally {
      await pool.destroy();
    }
  }
}

function reuseOrCreate(source: PageSource, previous: Map<string, CachedPage>): CachedPage {
  const hash = createHash('sha256').update(source.type).update(source.body).digest('base64url').slice(0, 27);
  const existing = previous.get(hash);
  if (existing) return existing;
  return {
    hash,
    body: source.body,
    type: source.type,
    baseHeaders: [
      ...Object.entries(securityHeaders).flat(),
      'content-type',
      source.type,
      'cache-control',
      source.immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=0, must-revalidate',
      'vary',
      'Accept-Encoding',
    ],
  };
}

function isCompressible(page: CachedPage): boolean {
  return page.body.length >= compressMinimum && compressible.test(page.type);
}

/** The body for an encoding; gzip is made on the spot if the background work has not reached this page yet. */
export function encodedBody(page: CachedPage, encoding: Encoding): { encoding: Encoding; body: Buffer } {
  if (encoding === 'identity' || !isCompressible(page)) return { encoding: 'identity', body: page.body };
  if (encoding === 'br' && page.br) return { encoding: 'br', body: page.br };
  page.gzip ??= gzipSync(page.body, { level: 6 });
  return { encoding: 'gzip', body: page.gzip };
}

export function etagFor(page: CachedPage, encoding: Encoding): string {
  return encoding === 'identity' ? `"${page.hash}"` : `"${page.hash}-${encoding}"`;
}
