// Markdown → HTML for notes: GFM, sanitized raw HTML, heading anchors, Shiki highlighting, sized images.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import rehypeShikiFromHighlighter from '@shikijs/rehype/core';
import { transformerStyleToClass } from '@shikijs/transformers';
import type { Element, Root } from 'hast';
import { toString as hastToString } from 'hast-util-to-string';
import { imageSize } from 'image-size';
import type { Root as MdastRoot } from 'mdast';
import rehypeAutolinkHeadings from 'rehype-autolink-headings';
import rehypeRaw from 'rehype-raw';
import rehypeSanitize, { defaultSchema } from 'rehype-sanitize';
import rehypeStringify from 'rehype-stringify';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import { bundledLanguages, createHighlighter, type Highlighter } from 'shiki';
import { unified } from 'unified';
import { visit } from 'unist-util-visit';
import { VFile } from 'vfile';
import { UserError } from '../user-error.js';
import { codeThemeNames, loadCodeThemes } from './code-themes.js';
import { assignHeadingIds } from './heading-ids.js';
import { linkProtocolAddresses } from './protocol-autolinks.js';
import { filterRawHtml } from './raw-html-filter.js';
import type { RenderedNote, RenderInput, TocEntry } from './rendered-note.js';
import { dropUnsafeUrls } from './safe-urls.js';
import { reportSanitizing, snapshotElements } from './sanitize-report.js';
import { shapeTables } from './tables.js';

const wordsPerMinute = 230;

const imageExtensions = /\.(svg|png|jpe?g|gif|webp|avif)$/i;

const sanitizeSchema = {
  ...defaultSchema,
  // Ids come from our own slugger and footnotes; prefixing them would break in-page links.
  clobber: [],
  clobberPrefix: '',
  // Schemes are judged by dropUnsafeUrls, which reads them as a browser does (see safe-urls.ts).
  protocols: {},
  strip: ['script', 'style'],
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
  /** Mistakes that stop the note (all of them, so that one run reports every one). */
  errors: string[];
  words: number;
  beforeSanitizing?: ReturnType<typeof snapshotElements>;
}

/** "file:line" in the note file, from a line of its Markdown body. */
function where({ input }: RenderState, line: number | undefined): string {
  return line === undefined ? input.file : `${input.file}:${line + (input.firstLine ?? 1) - 1}`;
}

const warnFor = (state: RenderState) => (line: number | undefined, message: string) =>
  void state.warnings.push(`${where(state, line)}: ${message}`);

type Processor = { process(file: VFile): string; codeCss(): string[] };

let processorsPromise: Promise<{ highlighter: Highlighter; raw: Processor; plain: Processor }> | undefined;

/** Built once per thread: constructing unified and Shiki costs more than rendering a note. */
function getProcessors() {
  processorsPromise ??= loadCodeThemes()
    .then((themes) => createHighlighter({ themes, langs: [] }))
    .then((highlighter) => ({
      highlighter,
      raw: buildProcessor(highlighter, true),
      plain: buildProcessor(highlighter, false),
    }));
  return processorsPromise;
}

function buildProcessor(highlighter: Highlighter, allowRawHtml: boolean): Processor {
  const toClass = transformerStyleToClass({ classPrefix: 'c-' });
  const state = (file: VFile) => file.data.render as RenderState;
  const processor = unified()
    .use(remarkParse)
    .use(remarkGfm)
    .use(() => linkProtocolAddresses)
    .use(() => (tree: MdastRoot, file: VFile) => filterRawHtml(tree, warnFor(state(file))))
    .use(remarkRehype, { allowDangerousHtml: allowRawHtml, clobberPrefix: '' })
    // Re-parsing the whole tree with parse5 is the costliest step, so only notes with raw HTML pay for it.
    .use(allowRawHtml ? rehypeRaw : () => undefined)
    .use(() => (tree: Root, file: VFile) => {
      state(file).beforeSanitizing = snapshotElements(tree);
    })
    .use(() => dropUnsafeUrls)
    .use(rehypeSanitize, sanitizeSchema)
    .use(() => (tree: Root, file: VFile) => {
      const { beforeSanitizing } = state(file);
      if (beforeSanitizing) reportSanitizing(beforeSanitizing, tree, warnFor(state(file)));
    })
    .use(() => (tree: Root, file: VFile) => resolveImages(tree, state(file)))
    .use(() => shapeTables)
    .use(() => linkImages)
    .use(() => (tree: Root, file: VFile) => assignHeadingIds(tree, warnFor(state(file))))
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
      themes: codeThemeNames,
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
  const state: RenderState = { input, toc: [], assets: [], warnings: [], errors: [], words: 0 };
  for (const fence of input.body.matchAll(fencePattern)) {
    const lang = fence[1] ?? '';
    const id = lang.toLowerCase();
    if (id in bundledLanguages) await highlighter.loadLanguage(id as keyof typeof bundledLanguages);
    else if (!['text', 'txt', 'plain', 'plaintext'].includes(id)) {
      const line = input.body.slice(0, fence.index).split('\n').length;
      warnFor(state)(line, `unknown code language "${lang}", shown as plain text`);
    }
  }
  const processor = rawHtmlPattern.test(input.body) ? raw : plain;
  const html = processor.process(new VFile({ value: input.body, data: { render: state } }));
  if (state.errors.length > 0) throw new UserError(state.errors.join('\n'));
  state.warnings.sort((a, b) => lineOf(a) - lineOf(b));
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

/** Warnings come from several passes; the writer reads them top to bottom. */
const lineOf = (message: string) => Number(/^[^:]*:(\d+):/.exec(message)?.[1] ?? 0);

/** A figure shrunk to the column links to its file, so that a reader can see it at full size. */
function linkImages(tree: Root): void {
  visit(tree, 'element', (node: Element, index, parent) => {
    if (node.tagName === 'a') return 'skip';
    if ((node.tagName !== 'img' && node.tagName !== 'picture') || !parent || index === undefined) return;
    // A <picture> is linked whole (a link inside it is not allowed), to the file of its <img>.
    const img =
      node.tagName === 'img'
        ? node
        : node.children.find((child) => child.type === 'element' && child.tagName === 'img');
    if (img?.type !== 'element') return 'skip';
    parent.children[index] = {
      type: 'element',
      tagName: 'a',
      properties: { href: img.properties.src, className: ['image-link'] },
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
function resolveImages(tree: Root, state: RenderState): void {
  const contentDir = resolve(state.input.contentDir);
  const publicPath = (path: string) => `/${relative(contentDir, path).split(sep).join('/')}`;
  visit(tree, 'element', (node: Element) => {
    const at = where(state, node.position?.start.line);
    // <picture><source srcset> loads an image as surely as <img src> does.
    const srcSet = node.properties.srcSet;
    if (node.tagName === 'source' && srcSet !== undefined && srcSet !== null) {
      const candidates = Array.isArray(srcSet) ? srcSet.map(String) : String(srcSet).split(',');
      const local = candidates.flatMap((candidate) => {
        const [src = '', ...descriptor] = candidate.trim().split(/\s+/);
        const path = localImage(src, at, state);
        return path ? [[publicPath(path), ...descriptor].join(' ')] : [];
      });
      node.properties.srcSet = local.join(', ');
      return;
    }
    if (node.tagName !== 'img') return;
    const src = String(node.properties.src ?? '');
    const path = localImage(src, at, state);
    if (!path) return;
    const size = imageSize(readFileSync(path));
    node.properties.src = publicPath(path);
    if (size.width && size.height) {
      node.properties.width = size.width;
      node.properties.height = size.height;
    }
    node.properties.loading = 'lazy';
    node.properties.decoding = 'async';
    if (!node.properties.alt) state.warnings.push(`${at}: image "${src}" has no alt text`);
  });
}

/** The file of an image inside the content folder, recorded as an asset; otherwise a problem, and undefined. */
function localImage(src: string, at: string, state: RenderState): string | undefined {
  const problem = (message: string) => void state.errors.push(`${at}: image "${src}" ${message}`);
  if (/^[a-z][a-z0-9+.-]*:|^\/\//i.test(src))
    return problem('is on another host; put the file in the content folder');
  if (!imageExtensions.test(src)) return problem('is not an svg, png, jpg, gif, webp or avif file');
  const contentDir = resolve(state.input.contentDir);
  const path = src.startsWith('/')
    ? resolve(contentDir, `.${src}`)
    : resolve(dirname(resolve(contentDir, state.input.file)), src);
  if (!path.startsWith(contentDir + sep)) return problem('is outside the content folder');
  if (!existsSync(path)) return problem(`does not exist (looked for ${relative(contentDir, path)})`);
  const stat = statSync(path);
  state.assets.push({ path, size: stat.size, mtimeMs: stat.mtimeMs });
  return path;
}
