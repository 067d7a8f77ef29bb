// Heading ids for anchors and the table of contents, never equal to another id on the page: a heading
// called "Main" or "Footnote label" must not steal the skip link's or the footnotes' target.

import GithubSlugger from 'github-slugger';
import type { Root } from 'hast';
import { headingRank } from 'hast-util-heading-rank';
import { toString as hastToString } from 'hast-util-to-string';
import { visitElements } from './hast-walk.js';
import type { Warn } from './raw-html-filter.js';

/**
 * Ids the note page itself uses around the note (src/site/views: layout and its search box, note page,
 * newsletter block, subscribe form); test/heading-ids.test.ts fails when the page gains one that is missing here.
 */
export const pageIds = [
  'main',
  'site-search-q',
  'contents',
  'toc',
  'subscribe',
  'note-title',
  'note-email',
  'note-subscribe',
  'footnote-label',
] as const;

export function assignHeadingIds(tree: Root, warn: Warn): void {
  const slugger = new GithubSlugger();
  const reserved = new Set<string>(pageIds);
  for (const id of reserved) slugger.slug(id);
  // Ids already in the note (footnotes, raw HTML) are taken first; raw ones that clash with the page move.
  visitElements(tree, (node) => {
    const id = node.properties.id;
    if (typeof id !== 'string' || id === '') return;
    if (reserved.has(id) && id !== 'footnote-label') {
      node.properties.id = slugger.slug(id);
      warn(
        node.position?.start.line,
        `id "${id}" is used by the page itself; it is now "${node.properties.id}"`,
      );
      return;
    }
    if (id !== 'footnote-label') slugger.slug(id);
  });
  visitElements(tree, (node) => {
    if (headingRank(node) === undefined || node.properties.id !== undefined) return;
    node.properties.id = slugger.slug(hastToString(node));
  });
}
