// Notes kept on disk, parsed and rendered, keyed by their source and the renderer's version: a restart
// with unchanged notes parses and renders nothing.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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

export class RenderCache {
  /** The entries on disk, listed once: a start with ten thousand notes asks for each, and on a cold
   * start none is there; a miss then costs no file system call. */
  private known: Set<string> | undefined;
  private made: Promise<unknown> | undefined;

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
    // JSON has no dates: bring them back.
    entry.meta.date = new Date(entry.meta.date);
    if (entry.meta.updated) entry.meta.updated = new Date(entry.meta.updated);
    return entry;
  }

  async set(key: string, entry: CacheEntry): Promise<void> {
    // Inside DATA_DIR, which may not exist yet: created as private as the rest of it.
    this.made ??= mkdir(this.dir, { recursive: true, mode: 0o700 });
    await this.made;
    // Write then rename, so that a crash never leaves a half-written entry for the next start to trust.
    const temporary = `${this.path(key)}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(entry));
    await rename(temporary, this.path(key));
    this.known?.add(`${key}.json`);
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

function listed(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
