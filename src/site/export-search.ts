// Search for a static export: Pagefind indexes the exported note pages into small static files (split so
// that a browser fetches only the parts a query needs), and the export's /search page runs one script of
// ours that asks them. Pagefind runs as a binary shipped in its npm package; nothing is downloaded.
import * as pagefind from 'pagefind';
import { renderToString } from 'preact-render-to-string';
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

/**
 * Adds the search page and the index of every published note to the set, as files to export. With a
 * server named (`--subscribe-url`), the search boxes send readers there instead; the page stays, for a
 * reader who comes to /search directly.
 */
export async function addStaticSearch(set: PageSet): Promise<void> {
  set.pages.set(searchPath, () => ({
    body: Buffer.from(`<!doctype html>\n${renderToString(StaticSearchPage({ chrome: set.chrome }))}`),
    type: 'text/html; charset=utf-8',
  }));
  const started = await pagefind
    .createIndex({
      // The note itself, not the header, footer and subscribe form around it that every page repeats.
      rootSelector: 'main > article',
      excludeSelectors: ['.toc', '.anchor', '[data-footnote-backref]', '[data-footnote-ref]'],
      forceLanguage: set.chrome.site.language.split('-')[0] ?? 'en',
    })
    .catch((error: unknown) => ({ index: undefined, errors: [(error as Error).message.split('\n')[0]] }));
  const { index } = started;
  if (!index)
    throw new UserError(
      `the search index cannot be built: Pagefind did not start (${started.errors.join('; ')})`,
      'export',
    );
  try {
    for (const note of set.published) {
      const url = noteUrl(note);
      const entry = set.pages.get(url);
      if (!entry) continue;
      const page = await materialize(entry);
      if (!page) continue;
      const added = await index.addHTMLFile({ url, content: page.body.toString('utf8') });
      if (added.errors.length > 0)
        throw new Error(`pagefind could not index ${url}: ${added.errors.join('; ')}`);
    }
    const built = await index.getFiles();
    if (built.errors.length > 0)
      throw new Error(`pagefind could not write its index: ${built.errors.join('; ')}`);
    for (const file of built.files) {
      const extension = file.path.slice(file.path.lastIndexOf('.') + 1);
      set.pages.set(`${indexFolder}/${file.path}`, {
        body: Buffer.from(file.content),
        type: fileTypes[extension] ?? 'application/octet-stream',
      });
    }
  } finally {
    await index.deleteIndex();
    await pagefind.close();
  }
}
