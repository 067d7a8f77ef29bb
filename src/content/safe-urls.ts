// Which links and citations may stay, judged by the scheme a browser would see. The sanitiser takes
// everything before the first colon for a scheme, so `[link](foo\)\:)` (CommonMark example 500, a relative
// URL) lost its href; here only a real scheme counts, read the way the URL standard reads it.
import type { Element, Root } from 'hast';
import { visitElements } from './hast-walk.js';

export const allowedSchemes = new Set(['http', 'https', 'mailto', 'xmpp', 'irc', 'ircs']);
const urlProperties = ['href', 'cite', 'src', 'longDesc'] as const;

/** The scheme of a URL as the URL standard parses it, or undefined for a relative URL. */
export function schemeOf(url: string): string | undefined {
  // Browsers drop tabs and newlines anywhere and leading control characters and spaces: `java\tscript:`.
  let cleaned = url.replace(/[\t\n\r]/g, '');
  while (cleaned !== '' && cleaned.charCodeAt(0) <= 0x20) cleaned = cleaned.slice(1);
  return /^([a-z][a-z\d+.-]*):/i.exec(cleaned)?.[1]?.toLowerCase();
}

export function isSafeUrl(url: string): boolean {
  const scheme = schemeOf(url);
  return scheme === undefined || allowedSchemes.has(scheme);
}

/** Takes unsafe URLs off the elements; `dropped` hears of each element that lost any, and which. */
export function dropUnsafeUrls(tree: Root, dropped?: (node: Element, properties: string[]) => void): void {
  visitElements(tree, (node) => {
    const removed: string[] = [];
    for (const property of urlProperties) {
      const value = node.properties[property];
      if (value !== undefined && value !== null && !isSafeUrl(String(value))) {
        delete node.properties[property];
        removed.push(property);
      }
    }
    if (removed.length > 0) dropped?.(node, removed);
  });
}
