// The share cards of a site: each drawn once per title, kept in memory and (with a folder) on disk,
// and drawn on one background thread (a server) so that neither start-up nor serving waits for them.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { writeCacheFile } from '../../cache-file.js';
import { workerScript } from '../../worker-script.js';
import type { CardInput } from './render-card.js';

/** Bump when the card's design changes, so that cached cards are redrawn under new addresses. */
const cardVersion = '1';

export interface CardJob {
  path: string;
  input: CardInput;
}

/**
 * Drawing is a pure function of the input, so every site in a process shares what was drawn (tests and
 * a reload build many page sets from the same titles). Bounded, because titles come and go while a
 * server runs for months.
 */
const drawn = new Map<string, Buffer>();
const drawnLimit = 5000;

function remember(path: string, png: Buffer): void {
  if (drawn.size >= drawnLimit) drawn.delete(drawn.keys().next().value as string);
  drawn.set(path, png);
}

export class ShareCards {
  private stopped = false;

  /**
   * @param dir where drawn cards are kept between starts; without it they live in memory only.
   * @param threads threads that draw: one for a server (the cores belong to its readers), every core for
   * an export, which waits for them.
   */
  constructor(
    private readonly dir?: string,
    private readonly threads = 1,
  ) {}

  /** A card's address names its content, so that it can be cached for ever and never shows an old title. */
  pathFor(input: CardInput): string {
    const key = createHash('sha256')
      .update(`${cardVersion}\0${input.siteName}\0${input.host}\0${input.title}`)
      .digest('base64url')
      .slice(0, 16)
      .replace(/[-_]/g, '0');
    return `/cards/${key}.png`;
  }

  /** The card, if it is drawn and in memory. */
  drawnCard(path: string): Buffer | undefined {
    return drawn.get(path);
  }

  /** Brings every card into memory, from disk or drawn anew; calls `ready` for each as it comes. */
  async draw(jobs: CardJob[], ready: (path: string, png: Buffer) => void): Promise<void> {
    const missing: CardJob[] = [];
    for (const job of jobs) {
      const png = drawn.get(job.path) ?? (await this.fromDisk(job.path));
      if (png) {
        remember(job.path, png);
        ready(job.path, png);
      } else missing.push(job);
    }
    if (missing.length === 0) return;
    const pool = new Piscina<CardInput, Uint8Array>({
      ...workerScript(import.meta.url, 'card-worker'),
      maxThreads: this.threads,
      minThreads: this.threads,
    });
    const next = missing.values();
    const drawEach = async () => {
      for (const job of next) {
        if (this.stopped) return;
        const drawnPng = await pool.run(job.input);
        const png = Buffer.from(drawnPng.buffer, drawnPng.byteOffset, drawnPng.byteLength);
        remember(job.path, png);
        await this.toDisk(job.path, png);
        ready(job.path, png);
      }
    };
    try {
      // One card in flight per thread, all taking from the same list.
      await Promise.all(Array.from({ length: this.threads }, drawEach));
    } finally {
      await pool.destroy();
    }
  }

  /** Abandons drawing after the card in hand, so that a stopping process exits at once. */
  stop(): void {
    this.stopped = true;
  }

  private async fromDisk(path: string): Promise<Buffer | undefined> {
    return this.dir ? readFile(join(this.dir, fileName(path))).catch(() => undefined) : undefined;
  }

  private async toDisk(path: string, png: Buffer): Promise<void> {
    if (this.dir) await writeCacheFile(this.dir, fileName(path), png);
  }
}

/** A card's file in the cache folder: its address without `/cards/`. */
function fileName(path: string): string {
  return path.slice('/cards/'.length);
}
