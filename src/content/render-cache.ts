// Notes kept on disk, parsed and rendered, keyed by their source and the renderer's version: a restart
// with unchanged notes parses and renders nothing. Beside the entries, one file holds the front matter
// of the notes a server last served, so that a restart answers after reading it and the notes alone,
// and reads the renderings (a hundred times larger) behind.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeCacheFile } from '../cache-file.js';
import type { NoteMeta } from './parse-note.js';
import { type RenderedNote, rendererVersion } from './rendered-note.js';

/** Bump when what an entry holds besides the rendering changes (the meta), so that old entries are redone. */
const entryFormat = 'meta-with-reading-minutes';

export interface CacheEntry {
  rendered: RenderedNote;
  meta: NoteMeta;
  /** The front matter context (topics, time zone, slot) the meta was read in. */
  siteKey: string;
}

export type FrontMatterEntry = Omit<CacheEntry, 'rendered'>;

const frontMatterFile = 'front-matter.json';

export class RenderCache {
  /** The entries on disk, listed once: a start with ten thousand notes asks for each, and on a cold
   * start none is there; a miss then costs no file system call. */
  private known: Set<string> | undefined;
  private index: Promise<Map<string, FrontMatterEntry>> | undefined;

  constructor(private readonly dir: string) {}

  key(file: string, sourceHash: string): string {
    return createHash('sha256')
      .update(`${rendererVersion}\0${entryFormat}\0${file}\0${sourceHash}`)
      .digest('hex');
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    this.known ??= new Set(listed(this.dir));
    if (!this.known.has(`${key}.json`)) return undefined;
    let entry: CacheEntry;
    try {
      // Synchronous: at a start, reading is all there is to do, and it costs a third of a promise's CPU.
      entry = JSON.parse(readFileSync(this.path(key), 'utf8')) as CacheEntry;
    } catch {
      return undefined;
    }
    if (!(await this.assetsUnchanged(entry.rendered))) return undefined;
    reviveDates(entry.meta);
    return entry;
  }

  /**
   * The front matter of an entry whose rendering is on disk, from the index the last server wrote; the
   * rendering itself is for `get`. A start reads one file instead of every rendering.
   */
  async frontMatter(key: string): Promise<FrontMatterEntry | undefined> {
    this.known ??= new Set(listed(this.dir));
    // Asked for every note at once: the first call reads the index, the others wait for it.
    this.index ??= this.readIndex();
    const index = await this.index;
    return this.known.has(`${key}.json`) ? index.get(key) : undefined;
  }

  /** Replaces the index with these entries (a server's current notes), so that it never outgrows them. */
  async saveFrontMatter(entries: Map<string, FrontMatterEntry>): Promise<void> {
    await writeCacheFile(this.dir, frontMatterFile, JSON.stringify(Object.fromEntries(entries)));
    this.index = Promise.resolve(entries);
  }

  async set(key: string, entry: CacheEntry): Promise<void> {
    await writeCacheFile(this.dir, `${key}.json`, JSON.stringify(entry));
    this.known?.add(`${key}.json`);
  }

  private async readIndex(): Promise<Map<string, FrontMatterEntry>> {
    let saved: Record<string, FrontMatterEntry>;
    try {
      saved = JSON.parse(await readFile(join(this.dir, frontMatterFile), 'utf8')) as typeof saved;
    } catch {
      // None yet, or unreadable: every note is then read from its entry, as before there was an index.
      return new Map();
    }
    const index = new Map<string, FrontMatterEntry>();
    for (const [key, entry] of Object.entries(saved)) {
      reviveDates(entry.meta);
      index.set(key, entry);
    }
    return index;
  }

  private path(key: string): string {
    return join(this.dir, `${key}.json`);
  }

  private async assetsUnchanged(entry: RenderedNote): Promise<boolean> {
    for (const asset of entry.assets) {
      const now = await stat(asset.path).catch(() => undefined);
      if (!now || now.size !== asset.size || now.mtimeMs !== asset.mtimeMs) return false;
    }
    return true;
  }
}

/** JSON has no dates: bring them back. */
function reviveDates(meta: NoteMeta): void {
  meta.date = new Date(meta.date);
  if (meta.updated) meta.updated = new Date(meta.updated);
}

function listed(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
