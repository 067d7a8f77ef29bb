import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { PageEntry } from './build-pages.js';
import { PageCache } from './page-cache.js';

/** Pages brotli needs real work for: random hex does not shrink to nothing. */
function pages(count: number): Map<string, PageEntry> {
  return new Map(
    Array.from({ length: count }, (_, index) => [
      `/page-${index}`,
      {
        body: Buffer.from(`<p>${randomBytes(32 * 1024).toString('hex')}</p>`),
        type: 'text/html; charset=utf-8',
      },
    ]),
  );
}

const notFound = { body: Buffer.from('<p>not found</p>'), type: 'text/html; charset=utf-8' };

describe('PageCache', () => {
  it('gives every page gzip and brotli bodies in the background', async () => {
    const cache = new PageCache();
    await cache.install(pages(3), notFound);
    for (const path of cache.paths()) {
      expect(cache.get(path)?.br).toBeInstanceOf(Buffer);
      expect(cache.get(path)?.gzip).toBeInstanceOf(Buffer);
    }
  });

  it('abandons the background compression when stopped, so a stopping server exits at once', async () => {
    const cache = new PageCache();
    const compressing = cache.install(pages(200), notFound);
    cache.stop();
    await compressing;
    const compressed = [...cache.paths()].filter((path) => cache.get(path)?.br).length;
    expect(compressed).toBeLessThan(5);
  });
});
