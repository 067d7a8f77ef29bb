// Raw HTML before it is parsed: stylesheets and scripts are dropped whole, and GFM's tagfilter turns the
// other tags that would take over the page (iframe, textarea, title…) into text, so no words are lost.
import type { Root } from 'hast';
import { visit } from 'unist-util-visit';
import type { Raw } from './markdown-tree.js';

/** https://github.github.com/gfm/#disallowed-raw-html-extension- */
const filteredTags = 'title|textarea|style|xmp|iframe|noembed|noframes|script|plaintext';
const filteredTag = new RegExp(`<(/?)(${filteredTags})(?=[\\s/>]|$)`, 'gi');
/** Their contents are code for a browser, not words for a reader: showing them as text helps nobody. */
const wholeElement = /<(style|script)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;
const openingTag = /^<(style|script)\b[^>]*>$/i;

export type Warn = (line: number | undefined, message: string) => void;

export function filterRawHtml(tree: Root, warn: Warn): void {
  visit(tree, (node) => {
    if ('children' in node)
      dropInlineElements(node.children as ((typeof node.children)[number] | Raw)[], warn);
  });
  visit(tree, 'raw', (node: Raw) => {
    if (node.value.startsWith('<!--')) return;
    const firstLine = node.position?.start.line;
    const lineAt = (index: number) =>
      firstLine === undefined
        ? undefined
        : firstLine + (node.value.slice(0, index).match(/\n/g)?.length ?? 0);
    node.value = node.value
      .replace(wholeElement, (_, tag: string, index: number) => {
        warn(lineAt(index), `removed a <${tag.toLowerCase()}> element: ${reason(tag)}`);
        return '';
      })
      .replace(filteredTag, (_, slash: string, tag: string, index: number) => {
        if (!slash)
          warn(lineAt(index), `<${tag.toLowerCase()}> is not allowed in a note, so it is shown as text`);
        return `&lt;${slash}${tag}`;
      });
  });
}

/** `<style>…</style>` inside a paragraph arrives as an opening tag, text and a closing tag. */
function dropInlineElements(
  children: { type: string; value?: string; position?: Raw['position'] }[],
  warn: Warn,
): void {
  for (let index = 0; index < children.length; index++) {
    const node = children[index];
    if (node?.type !== 'raw') continue;
    const tag = openingTag.exec(node.value ?? '')?.[1];
    if (!tag) continue;
    const closing = new RegExp(`^</${tag}\\s*>$`, 'i');
    const end = children.findIndex(
      (other, at) => at > index && other.type === 'raw' && closing.test(other.value ?? ''),
    );
    if (end < 0) continue;
    warn(node.position?.start.line, `removed a <${tag.toLowerCase()}> element: ${reason(tag)}`);
    children.splice(index, end - index + 1);
    index--;
  }
}

function reason(tag: string): string {
  return tag.toLowerCase() === 'style'
    ? 'a note cannot restyle the page'
    : 'a note cannot run scripts (the page allows none)';
}
