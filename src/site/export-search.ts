// Search for a static export: Pagefind indexes the exported note pages into small static files (split so
// that a browser fetches only the parts a query needs), and the export's /search page runs one script of
// ours that asks them. Pagefind runs as a binary shipped in its npm package; nothing is downloaded.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as pagefind from 'pagefind';
import { renderToString } from 'preact-render-to-string';
import { writeCacheFile } from '../cache-file.js';
import { UserError } from '../user-error.js';
import { materialize, type PageSet } from './build-pages.js';
import { noteUrl } from './views/chrome.js';
import { StaticSearchPage, searchPath } from './views/search-page.js';

/** Where the index lives in the export; the search script imports Pagefind's own module from here. */
export const indexFolder = '/pagefind';

const fileTypes: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json',
};

/** Pagefind's version and options name what it builds: an index made by either of another is not reused. */
const pagefindVersion = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.resolve('pagefind')), 'utf8')) as {
    version: string;
  }
).version;

interface IndexedPage {
  url: string;
  content: string;
}

interface IndexFile {
  path: string;
  content: Buffer;
}

/**
 * Adds the search page and the index of every published note to the set, as files to export. With a
 * server named (`--subscribe-url`), the search boxes send readers there instead; the page stays, for a
 * reader who comes to /search directly. With a cache folder, an index built from exactly the same
 * pages is taken from there: Pagefind is most of what an export of unchanged notes costs.
 */
export async function addStaticSearch(set: PageSet, cacheDir?: string): Promise<void> {
  set.pages.set(searchPath, () => ({
    body: Buffer.from(`<!doctype html>\n${renderToString(StaticSearchPage({ chrome: set.chrome }))}`),
    type: 'text/html; charset=utf-8',
  }));
  const options = {
    // The note itself, not the header, footer and subscribe form around it that every page repeats.
    rootSelector: 'main > article',
    excludeSelectors: ['.toc', '.anchor', '[data-footnote-backref]', '[data-footnote-ref]'],
    forceLanguage: set.chrome.site.language.split('-')[0] ?? 'en',
  };
  const pages: IndexedPage[] = [];
  for (const note of set.published) {
    const url = noteUrl(note);
    const entry = set.pages.get(url);
    const page = entry && (await materialize(entry));
    if (page) pages.push({ url, content: page.body.toString('utf8') });
  }
  const hash = createHash('sha256').update(`${pagefindVersion}\0${JSON.stringify(options)}`);
  for (const page of pages) hash.update(`\0${page.url}\0${page.content}`);
  const cached = cacheDir && join(cacheDir, `${hash.digest('base64url')}.json`);
  let files = cached ? await readCachedIndex(cached) : undefined;
  if (!files) {
    files = await buildIndex(pages, options);
    if (cached) await cacheIndex(cached, files);
  }
  for (const file of files) {
    const extension = file.path.slice(file.path.lastIndexOf('.') + 1);
    set.pages.set(`${indexFolder}/${file.path}`, {
      body: file.content,
      type: fileTypes[extension] ?? 'application/octet-stream',
    });
  }
}

async function buildIndex(
  pages: IndexedPage[],
  options: pagefind.PagefindServiceConfig,
): Promise<IndexFile[]> {
  const started = await pagefind
    .createIndex(options)
    .catch((error: unknown) => ({ index: undefined, errors: [(error as Error).message.split('\n')[0]] }));
  const { index } = started;
  if (!index)
    throw new UserError(
      `the search index cannot be built: Pagefind did not start (${started.errors.join('; ')})`,
      'export',
    );
  try {
    for (const page of pages) {
      const added = await index.addHTMLFile(page);
      if (added.errors.length > 0)
        throw new Error(`pagefind could not index ${page.url}: ${added.errors.join('; ')}`);
    }
    const built = await index.getFiles();
    if (built.errors.length > 0)
      throw new Error(`pagefind could not write its index: ${built.errors.join('; ')}`);
    return built.files.map((file) => ({ path: file.path, content: Buffer.from(file.content) }));
  } finally {
    await index.deleteIndex();
    await pagefind.close();
  }
}

/** An index that cannot be read (none yet, a half-written one) is built again. */
async function readCachedIndex(file: string): Promise<IndexFile[] | undefined> {
  try {
    const files = JSON.parse(await readFile(file, 'utf8')) as { path: string; content: string }[];
    return files.map(({ path, content }) => ({ path, content: Buffer.from(content, 'base64') }));
  } catch {
    return undefined;
  }
}

async function cacheIndex(file: string, files: IndexFile[]): Promise<void> {
  const dir = dirname(file);
  // Only the newest index is kept.
  for (const old of await readdir(dir).catch(() => [])) await rm(join(dir, old), { force: true });
  await writeCacheFile(
    dir,
    basename(file),
    JSON.stringify(files.map(({ path, content }) => ({ path, content: content.toString('base64') }))),
  );
}
