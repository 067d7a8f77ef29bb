// Markdown → HTML for notes: GFM, sanitized raw HTML, heading anchors, Shiki highlighting, sized images.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import rehypeShikiFromHighlighter from '@shikijs/rehype/core';
import { transformerStyleToClass } from '@shikijs/transformers';
import type { Element, Root } from 'hast';
import { toString as hastToString } from 'hast-util-to-string';
import { imageSize } from 'image-size';
import rehypeAutolinkHeadings from 'rehype-autolink-headings';
import rehypeRaw from 'rehype-raw';
import rehypeSanitize, { defaultSchema } from 'rehype-sanitize';
import rehypeSlug from 'rehype-slug';
import rehypeStringify from 'rehype-stringify';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import { bundledLanguages, createHighlighter, type Highlighter } from 'shiki';
import { unified } from 'unified';
import { visit } from 'unist-util-visit';
import { VFile } from 'vfile';
import { UserError } from '../user-error.js';
import type { RenderedNote, RenderInput, TocEntry } from './rendered-note.js';

const codeThemes = { light: 'github-light', dark: 'github-dark' } as const;
const wordsPerMinute = 230;

const imageExtensions = /\.(svg|png|jpe?g|gif|webp|avif)$/i;

const sanitizeSchema = {
  ...defaultSchema,
  // Ids come from our own slugger and footnotes; prefixing them would break in-page links.
  clobber: [],
  clobberPrefix: '',
  attributes: {
    ...defaultSchema.attributes,
    img: [...(defaultSchema.attributes?.img ?? []), 'width', 'height', 'loading'],
  },
};

/** What one render collects on its way through the shared processors. */
interface RenderState {
  input: RenderInput;
  toc: TocEntry[];
  assets: RenderedNote['assets'];
  warnings: string[];
  words: number;
}

type Processor = { process(file: VFile): string; codeCss(): string[] };

let processorsPromise: Promise<{ highlighter: Highlighter; raw: Processor; plain: Processor }> | undefined;

/** Built once per thread: constructing unified and Shiki costs more than rendering a note. */
function getProcessors() {
  processorsPromise ??= createHighlighter({ themes: Object.values(codeThemes), langs: [] }).then(
    (highlighter) => ({
      highlighter,
      raw: buildProcessor(highlighter, true),
      plain: buildProcessor(highlighter, false),
    }),
  );
  return processorsPromise;
}

function buildProcessor(highlighter: Highlighter, allowRawHtml: boolean): Processor {
  const toClass = transformerStyleToClass({ classPrefix: 'c-' });
  const state = (file: VFile) => file.data.render as RenderState;
  const processor = unified()
    .use(remarkParse)
    .use(remarkGfm)
    .use(remarkRehype, { allowDangerousHtml: allowRawHtml, clobberPrefix: '' })
    // Re-parsing the whole tree with parse5 is the costliest step, so only notes with raw HTML pay for it.
    .use(allowRawHtml ? rehypeRaw : () => undefined)
    .use(rehypeSanitize, sanitizeSchema)
    .use(() => (tree: Root, file: VFile) => resolveImages(tree, state(file)))
    .use(() => wrapTables)
    .use(() => linkImages)
    .use(rehypeSlug)
    .use(() => (tree: Root, file: VFile) => {
      state(file).words = countWords(hastToString(tree));
      collectToc(tree, state(file).toc);
    })
    .use(rehypeAutolinkHeadings, {
      behavior: 'append',
      test: (element) => element.properties.id !== 'footnote-label',
      properties: { className: ['anchor'], ariaHidden: 'true', tabIndex: -1 },
      content: { type: 'text', value: '#' },
    })
    .use(rehypeShikiFromHighlighter, highlighter, {
      themes: codeThemes,
      defaultColor: false,
      fallbackLanguage: 'text',
      transformers: [toClass],
    })
    .use(rehypeStringify);
  return {
    // Synchronous on purpose: the class registry below is shared, so renders must not interleave.
    process(file) {
      toClass.clearRegistry();
      return String(processor.processSync(file));
    },
    codeCss: () =>
      toClass
        .getCSS()
        .split(/(?<=\})/)
        .map((rule) => rule.trim())
        .filter(Boolean),
  };
}

const fencePattern = /^ {0,3}(?:```|~~~)[ \t]*([\w#+.-]+)/gm;
const rawHtmlPattern = /<[a-z!?/]/i;

export async function renderMarkdown(input: RenderInput): Promise<RenderedNote> {
  const { highlighter, raw, plain } = await getProcessors();
  const state: RenderState = { input, toc: [], assets: [], warnings: [], words: 0 };
  for (const [, lang] of input.body.matchAll(fencePattern)) {
    const id = lang?.toLowerCase() ?? '';
    if (id in bundledLanguages) await highlighter.loadLanguage(id as keyof typeof bundledLanguages);
    else if (!['text', 'txt', 'plain', 'plaintext'].includes(id))
      state.warnings.push(`${input.file}: unknown code language "${lang}", shown as plain text`);
  }
  const processor = rawHtmlPattern.test(input.body) ? raw : plain;
  const html = processor.process(new VFile({ value: input.body, data: { render: state } }));
  return {
    html,
    toc: state.toc,
    words: state.words,
    readingMinutes: Math.max(1, Math.round(state.words / wordsPerMinute)),
    codeCss: processor.codeCss(),
    assets: state.assets,
    warnings: state.warnings,
  };
}

/**
 * Wide tables scroll inside their own box on a phone instead of widening the page. The box is a region
 * in the tab order, so that a keyboard can scroll it too (WCAG 2.1.1), named after the table's column
 * headings so that each region's name is its own.
 */
function wrapTables(tree: Root): void {
  const names = new Map<string, number>();
  visit(tree, 'element', (node: Element, index, parent) => {
    if (node.tagName !== 'table' || !parent || index === undefined) return;
    let name = `Table: ${tableHeadings(node) || 'untitled'}`;
    const seen = (names.get(name) ?? 0) + 1;
    names.set(name, seen);
    if (seen > 1) name = `${name} (${seen})`;
    parent.children[index] = {
      type: 'element',
      tagName: 'div',
      properties: { className: ['table-scroll'], role: 'region', ariaLabel: name, tabIndex: 0 },
      children: [node],
    };
    return 'skip';
  });
}

/**
 * Collects the column headings for the region's name. Also turns GFM's column alignment from the `align`
 * attribute, obsolete in HTML and beaten by any stylesheet's text-align, into a class.
 */
function tableHeadings(table: Element): string {
  const headings: string[] = [];
  visit(table, 'element', (node: Element) => {
    if (node.tagName !== 'th' && node.tagName !== 'td') return;
    const { align } = node.properties;
    if (typeof align === 'string') {
      node.properties.className = [`align-${align}`];
      delete node.properties.align;
    }
    if (node.tagName === 'th') headings.push(hastToString(node).trim());
  });
  const text = headings.filter(Boolean).join(', ');
  return text.length > 80 ? `${text.slice(0, 79).trimEnd()}…` : text;
}

/** A figure shrunk to the column links to its file, so that a reader can see it at full size. */
function linkImages(tree: Root): void {
  visit(tree, 'element', (node: Element, index, parent) => {
    if (node.tagName === 'a') return 'skip';
    if (node.tagName !== 'img' || !parent || index === undefined) return;
    parent.children[index] = {
      type: 'element',
      tagName: 'a',
      properties: { href: node.properties.src, className: ['image-link'] },
      children: [node],
    };
    return 'skip';
  });
}

function countWords(text: string): number {
  return text.split(/\s+/).filter((word) => /[\p{L}\p{N}]/u.test(word)).length;
}

function collectToc(tree: Root, toc: TocEntry[]): void {
  visit(tree, 'element', (node: Element) => {
    if ((node.tagName !== 'h2' && node.tagName !== 'h3') || typeof node.properties.id !== 'string') return;
    if (node.properties.id === 'footnote-label') return;
    toc.push({
      depth: node.tagName === 'h2' ? 2 : 3,
      id: node.properties.id,
      text: hastToString(node).trim(),
    });
  });
}

/**
 * Images must be files inside the content folder: a page never asks another host for anything. Each gets
 * its intrinsic width and height so that the layout does not shift while it loads.
 */
function resolveImages(tree: Root, { input, assets, warnings }: RenderState): void {
  visit(tree, 'element', (node: Element) => {
    if (node.tagName !== 'img') return;
    const src = String(node.properties.src ?? '');
    const where = input.file;
    if (/^[a-z][a-z0-9+.-]*:|^\/\//i.test(src))
      throw new UserError(`image "${src}" is on another host; put the file in the content folder`, where);
    if (!imageExtensions.test(src))
      throw new UserError(`image "${src}" is not an svg, png, jpg, gif, webp or avif file`, where);
    const contentDir = resolve(input.contentDir);
    const path = src.startsWith('/')
      ? resolve(contentDir, `.${src}`)
      : resolve(dirname(resolve(contentDir, input.file)), src);
    if (!path.startsWith(contentDir + sep))
      throw new UserError(`image "${src}" is outside the content folder`, where);
    if (!existsSync(path))
      throw new UserError(`image "${src}" does not exist (looked for ${relative(contentDir, path)})`, where);
    const stat = statSync(path);
    const size = imageSize(readFileSync(path));
    assets.push({ path, size: stat.size, mtimeMs: stat.mtimeMs });
    node.properties.src = `/${relative(contentDir, path).split(sep).join('/')}`;
    if (size.width && size.height) {
      node.properties.width = size.width;
      node.properties.height = size.height;
    }
    node.properties.loading = 'lazy';
    node.properties.decoding = 'async';
    if (!node.properties.alt) warnings.push(`${where}: image "${src}" has no alt text`);
  });
}
