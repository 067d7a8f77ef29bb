// Markdown → hast with markdown-it: the tree remark-rehype made before (same elements, properties and line
// breaks between blocks), at about a tenth of the parsing cost, so that the sanitiser, image, table, id and
// highlighting passes work on it unchanged. Elements carry the line they came from, for warnings.
import type { Element, ElementContent, Properties, Root, RootContent, Text } from 'hast';
import markdownIt, { type MarkdownIt, type Token } from 'markdown-it';
import markdownItFootnote from 'markdown-it-footnote';
import { normalizeUri } from 'micromark-util-sanitize-uri';
import { gfmAutolinks } from './gfm-autolinks.js';
import { gfmStrikethrough } from './gfm-strikethrough.js';

/** A raw HTML node, reparsed later by hast-util-raw (only for notes with raw HTML). */
export interface Raw {
  type: 'raw';
  value: string;
  position?: Element['position'];
}

type Node = ElementContent | Raw;

const parser = markdownIt({ html: true, linkify: false })
  .use(markdownItFootnote)
  .use(gfmStrikethrough)
  .use(gfmAutolinks)
  .use(taskListItems);
// GFM has no inline footnotes (`^[text]`): they stay text, as they did with remark.
parser.inline.ruler.disable('footnote_inline');
// URLs are encoded as micromark did, and judged later by dropUnsafeUrls (markdown-it would drop
// `javascript:` links whole, text and all, where the writer should see a link without an href and a warning).
parser.normalizeLink = (url) => normalizeUri(url);
parser.validateLink = () => true;

/** GFM task list items (`- [x] done`): the item's meta gets `checked`, its text loses the marker. */
function taskListItems(md: MarkdownIt): void {
  md.core.ruler.push('task_list_items', (state) => {
    const { tokens } = state;
    for (let index = 0; index + 2 < tokens.length; index++) {
      const item = tokens[index] as Token;
      const inline = tokens[index + 2] as Token;
      if (item.type !== 'list_item_open' || tokens[index + 1]?.type !== 'paragraph_open') continue;
      const first = inline.children?.[0];
      const marker = first?.type === 'text' ? taskMarker.exec(first.content) : null;
      // GFM wants words after the marker (`- [ ]` alone is a plain item).
      if (!first || !marker || (first.content === marker[0] && (inline.children?.length ?? 0) < 2)) continue;
      item.meta = { ...item.meta, checked: marker[1] !== ' ' };
      first.content = first.content.slice(marker[0].length);
      if (first.content === '') inline.children?.shift();
    }
  });
}
const taskMarker = /^\[([ xX])\](?:[ \t]+|$)/;

export function markdownToHast(body: string): Root {
  const env: Record<string, unknown> = {};
  const tokens = parser.parse(body, env);
  return new TreeBuilder(body, env).build(tokens);
}

const text = (value: string): Text => ({ type: 'text', value });
const element = (tagName: string, properties: Properties, children: Node[]): Element => ({
  type: 'element',
  tagName,
  properties,
  children: children as ElementContent[],
});

/** mdast-util-to-hast's `wrap`: a line break between blocks, and around them when `loose`. */
function wrap(nodes: Node[], loose: boolean): Node[] {
  const result: Node[] = loose ? [text('\n')] : [];
  nodes.forEach((node, index) => {
    if (index > 0) result.push(text('\n'));
    result.push(node);
  });
  if (loose && nodes.length > 0) result.push(text('\n'));
  return result;
}

const isParagraph = (node: Node | undefined): node is Element =>
  node?.type === 'element' && node.tagName === 'p';

interface FootnoteEnv {
  footnotes?: { list?: { label?: string; count: number }[] };
}

class TreeBuilder {
  private readonly lineStarts: number[] = [0];
  /**
   * Offsets identify elements for the sanitising report; those made from Markdown get numbers past the end of
   * the body, so that they never equal an offset that hast-util-raw gives an element of raw HTML.
   */
  private nextOffset: number;
  private readonly footnotes: { id: string; count: number }[];

  constructor(
    private readonly body: string,
    env: FootnoteEnv,
  ) {
    for (let at = body.indexOf('\n'); at >= 0; at = body.indexOf('\n', at + 1)) this.lineStarts.push(at + 1);
    this.nextOffset = body.length * 2 + 1;
    this.footnotes = (env.footnotes?.list ?? []).map((entry) => ({
      id: footnoteId(entry.label ?? ''),
      count: entry.count,
    }));
  }

  build(tokens: Token[]): Root {
    const { children, footnotes } = this.blocks(tokens, 0, tokens.length);
    const root: Root = { type: 'root', children: wrap(children, false) as RootContent[] };
    if (footnotes.length > 0) root.children.push(text('\n'), this.footer(footnotes));
    return root;
  }

  private at(node: Element, line: number): Element {
    const point = { line, column: 1, offset: this.nextOffset++ };
    node.position = { start: point, end: point };
    return node;
  }

  /** Block tokens from `start` to `end`; footnote definitions (markdown-it puts them last) come back apart. */
  private blocks(tokens: Token[], start: number, end: number) {
    const children: Node[] = [];
    const footnotes: Node[][] = [];
    let index = start;
    while (index < end) {
      const token = tokens[index] as Token;
      const close = token.nesting === 1 ? closingOf(tokens, index) : index;
      if (token.type === 'footnote_block_open') {
        for (let at = index + 1; at < close; ) {
          const item = closingOf(tokens, at);
          footnotes.push(this.blocks(tokens, at + 1, item).children);
          at = item + 1;
        }
      } else {
        const node = this.block(tokens, index, close);
        if (node) children.push(node);
      }
      index = close + 1;
    }
    return { children, footnotes };
  }

  private block(tokens: Token[], open: number, close: number): Node | undefined {
    const token = tokens[open] as Token;
    const line = (token.map?.[0] ?? 0) + 1;
    const inner = () => this.blocks(tokens, open + 1, close).children;
    switch (token.type) {
      case 'paragraph_open':
        return this.at(element('p', {}, this.inline(tokens[open + 1], line)), line);
      case 'heading_open':
        return this.at(element(token.tag, {}, this.inline(tokens[open + 1], line)), line);
      case 'blockquote_open':
        return this.at(element('blockquote', {}, wrap(inner(), true)), line);
      case 'bullet_list_open':
      case 'ordered_list_open':
        return this.list(tokens, open, close, line);
      case 'hr':
        return this.at(element('hr', {}, []), line);
      case 'code_block':
      case 'fence':
        return this.code(token, line);
      case 'html_block':
        return this.raw(token.content.replace(/\n$/, ''), line, this.lineStarts[line - 1] ?? 0);
      case 'table_open':
        return this.table(tokens, open, close, line);
      case 'footnote_anchor':
        // Back references are written by footer(), the way remark-rehype wrote them.
        return undefined;
      default:
        throw new Error(`markdown-tree: no handler for the token ${token.type}`);
    }
  }

  private code(token: Token, line: number): Element {
    const [lang = '', ...meta] = token.type === 'fence' ? token.info.trim().split(/\s+/) : [];
    const code = this.at(
      // Ends with a line break even at the end of a file without one, as remark-rehype's did.
      element('code', lang ? { className: [`language-${lang}`] } : {}, [
        text(token.content === '' || token.content.endsWith('\n') ? token.content : `${token.content}\n`),
      ]),
      line,
    );
    // Read by the highlighter, as remark-rehype's code.data.meta was.
    if (meta.length > 0) code.data = { meta: meta.join(' ') } as Element['data'];
    return this.at(element('pre', {}, [code]), line);
  }

  private raw(value: string, line: number, offset: number): Raw {
    const column = offset - (this.lineStarts[line - 1] ?? 0) + 1;
    const point = { line, column, offset };
    return { type: 'raw', value, position: { start: point, end: point } };
  }

  private list(tokens: Token[], open: number, close: number, line: number): Element {
    const token = tokens[open] as Token;
    const level = token.level;
    // markdown-it hides the paragraphs of a tight list; with none to hide, both ways write the same.
    let loose = false;
    for (let at = open + 1; at < close; at++) {
      const inner = tokens[at] as Token;
      if (inner.type === 'paragraph_open' && inner.level === level + 2) {
        loose = !inner.hidden;
        break;
      }
    }
    const items: Element[] = [];
    for (let at = open + 1; at < close; ) {
      const end = closingOf(tokens, at);
      items.push(this.listItem(tokens, at, end, loose));
      at = end + 1;
    }
    const properties: Properties = {};
    const start = Number(token.attrGet('start') ?? 1);
    if (token.type === 'ordered_list_open' && start !== 1) properties.start = start;
    if (items.some((item) => (item.properties.className as string[] | undefined)?.includes('task-list-item')))
      properties.className = ['contains-task-list'];
    return this.at(element(token.tag, properties, wrap(items, true)), line);
  }

  /** mdast-util-to-hast's listItem, task list checkbox included. */
  private listItem(tokens: Token[], open: number, close: number, loose: boolean): Element {
    const token = tokens[open] as Token;
    const results = this.blocks(tokens, open + 1, close).children;
    const properties: Properties = {};
    const checked = token.meta?.checked as boolean | undefined;
    if (checked !== undefined) {
      const head = results[0];
      const paragraph = isParagraph(head) ? head : element('p', {}, []);
      if (paragraph !== head) results.unshift(paragraph);
      if (paragraph.children.length > 0) paragraph.children.unshift(text(' '));
      paragraph.children.unshift(element('input', { type: 'checkbox', checked, disabled: true }, []));
      properties.className = ['task-list-item'];
    }
    const children: Node[] = [];
    results.forEach((child, index) => {
      if (loose || index !== 0 || !isParagraph(child)) children.push(text('\n'));
      if (isParagraph(child) && !loose) children.push(...child.children);
      else children.push(child);
    });
    const tail = results.at(-1);
    if (tail && (loose || !isParagraph(tail))) children.push(text('\n'));
    return this.at(element('li', properties, children), (token.map?.[0] ?? 0) + 1);
  }

  private table(tokens: Token[], open: number, close: number, line: number): Element {
    const sections: Element[] = [];
    const align: (string | undefined)[] = [];
    for (let at = open + 1; at < close; ) {
      const section = tokens[at] as Token;
      const sectionEnd = closingOf(tokens, at);
      const rows: Element[] = [];
      for (let row = at + 1; row < sectionEnd; ) {
        const rowEnd = closingOf(tokens, row);
        const cells: Element[] = [];
        for (let cell = row + 1; cell < rowEnd; cell += 3) {
          const cellToken = tokens[cell] as Token;
          const column = cells.length;
          if (section.type === 'thead_open')
            align[column] = /text-align:(\w+)/.exec(cellToken.attrGet('style')?.toString() ?? '')?.[1];
          const alignment = align[column];
          const cellLine = (cellToken.map?.[0] ?? tokens[row]?.map?.[0] ?? 0) + 1;
          cells.push(
            this.at(
              element(
                cellToken.tag,
                alignment ? { align: alignment } : {},
                this.inline(tokens[cell + 1], cellLine),
              ),
              cellLine,
            ),
          );
        }
        rows.push(this.at(element('tr', {}, wrap(cells, true)), (tokens[row]?.map?.[0] ?? 0) + 1));
        row = rowEnd + 1;
      }
      sections.push(this.at(element(section.tag, {}, wrap(rows, true)), (section.map?.[0] ?? line - 1) + 1));
      at = sectionEnd + 1;
    }
    return this.at(element('table', {}, wrap(sections, true)), line);
  }

  /** Inline tokens; `line` follows the line breaks so that links and images name their own line. */
  private inline(token: Token | undefined, firstLine: number): Node[] {
    const root: Node[] = [];
    const stack: Node[][] = [root];
    let line = firstLine;
    let searchFrom = this.lineStarts[firstLine - 1] ?? 0;
    const push = (node: Node) => stack.at(-1)?.push(node);
    const open = (node: Element) => {
      push(this.at(node, line));
      stack.push(node.children as Node[]);
    };
    for (const child of token?.children ?? []) {
      switch (child.type) {
        case 'text':
          push(text(child.content));
          break;
        case 'softbreak':
          push(text('\n'));
          line++;
          break;
        case 'hardbreak':
          push(this.at(element('br', {}, []), line));
          push(text('\n'));
          line++;
          break;
        case 'code_inline':
          push(this.at(element('code', {}, [text(child.content)]), line));
          break;
        case 'html_inline': {
          const found = this.body.indexOf(child.content, searchFrom);
          if (found >= 0) searchFrom = found + child.content.length;
          push(this.raw(child.content, line, found >= 0 ? found : (this.lineStarts[line - 1] ?? 0)));
          line += child.content.split('\n').length - 1;
          break;
        }
        case 'em_open':
        case 'strong_open':
          open(element(child.tag, {}, []));
          break;
        case 's_open':
          open(element('del', {}, []));
          break;
        case 'link_open': {
          const properties: Properties = { href: child.attrGet('href')?.toString() ?? '' };
          const title = child.attrGet('title')?.toString();
          if (title) properties.title = title;
          open(element('a', properties, []));
          break;
        }
        case 'em_close':
        case 'strong_close':
        case 's_close':
        case 'link_close':
          stack.pop();
          break;
        case 'image': {
          const properties: Properties = {
            src: child.attrGet('src')?.toString() ?? '',
            alt: plainText(child.children),
          };
          const title = child.attrGet('title')?.toString();
          if (title) properties.title = title;
          push(this.at(element('img', properties, []), line));
          break;
        }
        case 'footnote_ref':
          push(this.footnoteReference(child, line));
          break;
        default:
          throw new Error(`markdown-tree: no handler for the inline token ${child.type}`);
      }
    }
    return root;
  }

  private footnoteReference(token: Token, line: number): Element {
    const { id: index, subId } = token.meta as { id: number; subId: number };
    const id = this.footnotes[index]?.id ?? '';
    const link = element(
      'a',
      {
        href: `#fn-${id}`,
        id: `fnref-${id}${subId > 0 ? `-${subId + 1}` : ''}`,
        dataFootnoteRef: true,
        ariaDescribedBy: ['footnote-label'],
      },
      [text(String(index + 1))],
    );
    return this.at(element('sup', {}, [this.at(link, line)]), line);
  }

  /** remark-rehype's footnote section: each note with links back to every place that cites it. */
  private footer(contents: Node[][]): Element {
    const items = contents.map((content, index) => {
      const { id, count } = this.footnotes[index] ?? { id: '', count: 0 };
      const backReferences: Node[] = [];
      for (let again = 1; again <= count; again++) {
        if (backReferences.length > 0) backReferences.push(text(' '));
        backReferences.push(
          element(
            'a',
            {
              href: `#fnref-${id}${again > 1 ? `-${again}` : ''}`,
              dataFootnoteBackref: '',
              ariaLabel: `Back to reference ${index + 1}${again > 1 ? `-${again}` : ''}`,
              className: ['data-footnote-backref'],
            },
            again > 1 ? [text('↩'), element('sup', {}, [text(String(again))])] : [text('↩')],
          ),
        );
      }
      const tail = content.at(-1);
      if (isParagraph(tail)) {
        const last = tail.children.at(-1);
        if (last?.type === 'text') last.value += ' ';
        else tail.children.push(text(' '));
        tail.children.push(...(backReferences as ElementContent[]));
      } else content.push(...backReferences);
      return element('li', { id: `fn-${id}` }, wrap(content, true));
    });
    return element('section', { dataFootnotes: true, className: ['footnotes'] }, [
      element('h2', { className: ['sr-only'], id: 'footnote-label' }, [text('Footnotes')]),
      text('\n'),
      element('ol', {}, wrap(items, true)),
      text('\n'),
    ]);
  }
}

/** The index of the token that closes the one at `open` (itself for a token that opens nothing). */
function closingOf(tokens: Token[], open: number): number {
  const token = tokens[open] as Token;
  if (token.nesting !== 1) return open;
  let depth = 0;
  for (let at = open; at < tokens.length; at++) {
    depth += (tokens[at] as Token).nesting;
    if (depth === 0) return at;
  }
  return tokens.length - 1;
}

/** An image's alt text: the words of its description without their markup, as mdast's `alt`. */
function plainText(tokens: Token[] | null): string {
  return (tokens ?? [])
    .map((token) => {
      if (token.type === 'image') return plainText(token.children);
      if (token.type === 'softbreak' || token.type === 'hardbreak') return '\n';
      return token.type === 'text' || token.type === 'code_inline' ? token.content : '';
    })
    .join('');
}

/** The id part of a footnote, as micromark normalises a label and remark-rehype writes it. */
function footnoteId(label: string): string {
  const identifier = label
    .replace(/[\t\n\r ]+/g, ' ')
    .replace(/^ | $/g, '')
    .toLowerCase()
    .toUpperCase();
  return normalizeUri(identifier.toLowerCase());
}
