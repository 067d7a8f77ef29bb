// Tells the writer what cleaning the HTML took away: every element the sanitiser removed and every
// attribute it dropped, with the line it came from, so that no word disappears without a warning.
import type { Element, Root } from 'hast';
import { find, html } from 'property-information';
import { visitElements } from './hast-walk.js';
import type { Warn } from './raw-html-filter.js';

interface Seen {
  tagName: string;
  line: number | undefined;
  properties: Element['properties'];
}

/** Elements keyed by where they start: the sanitiser keeps positions, so before and after line up. */
export function snapshotElements(tree: Root): Map<string, Seen> {
  const seen = new Map<string, Seen>();
  visitElements(tree, (node) => {
    const start = node.position?.start;
    if (!start || start.offset === undefined) return;
    seen.set(`${node.tagName}@${start.offset}`, {
      tagName: node.tagName,
      line: start.line,
      properties: { ...node.properties },
    });
  });
  return seen;
}

export function reportSanitizing(before: Map<string, Seen>, tree: Root, warn: Warn): void {
  const after = snapshotElements(tree);
  for (const [key, was] of before) {
    const now = after.get(key);
    if (!now) {
      warn(was.line, `removed the <${was.tagName}> tag, which a note cannot use (its text stays)`);
      continue;
    }
    const lost = Object.keys(was.properties).filter(
      (name) => JSON.stringify(was.properties[name]) !== JSON.stringify(now.properties[name]),
    );
    if (lost.length > 0) warnRemovedProperties(warn, was.line, was.tagName, lost);
  }
}

/** The warning for properties taken off an element, named as the writer wrote them (`srcset`, not `srcSet`). */
export function warnRemovedProperties(
  warn: Warn,
  line: number | undefined,
  tagName: string,
  names: string[],
) {
  const attributes = names.map((name) => find(html, name).attribute).join(', ');
  warn(line, `removed ${attributes} from <${tagName}>, which a note cannot use`);
}
