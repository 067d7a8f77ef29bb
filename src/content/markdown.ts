// Markdown → HTML for notes: GFM, sanitized raw HTML, heading anchors, Shiki highlighting, sized images.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { transformerStyleToClass } from '@shikijs/transformers';
import type { Element, Root } from 'hast';
import { headingRank } from 'hast-util-heading-rank';
import { raw } from 'hast-util-raw';
import { defaultSchema, sanitize } from 'hast-util-sanitize';
import { toHtml } from 'hast-util-to-html';
import { toString as hastToString } from 'hast-util-to-string';
import { imageSize } from 'image-size';
import { bundledLanguages, createHighlighter, type Highlighter } from 'shiki';
import { isSpecialLang } from 'shiki/core';
import { VFile } from 'vfile';
import { UserError } from '../user-error.js';
import { codeThemeNames, loadCodeThemes } from './code-themes.js';
import { visitElements } from './hast-walk.js';
import { assignHeadingIds } from './heading-ids.js';
import { markdownToHast } from './markdown-tree.js';
import { filterRawHtml } from './raw-html-filter.js';
import type { RenderedNote, RenderInput, TocEntry } from './rendered-note.js';
import { dropUnsafeUrls } from './safe-urls.js';
import { reportSanitizing, snapshotElements, warnRemovedProperties } from './sanitize-report.js';
import { shapeTables } from './tables.js';

const wordsPerMinute = 230;

const imageExtensions = /\.(svg|png|jpe?g|gif|webp|avif)$/i;

export const sanitizeSchema = {
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

/** What one render collects on its way through the passes. */
interface RenderState {
  input: RenderInput;
  toc: TocEntry[];
  assets: RenderedNote['assets'];
  warnings: string[];
  /** Mistakes that stop the note (all of them, so that one run reports every one). */
  errors: string[];
}

/** "file:line" in the note file, from a line of its Markdown body. */
function where({ input }: RenderState, line: number | undefined): string {
  return line === undefined ? input.file : `${input.file}:${line + (input.firstLine ?? 1) - 1}`;
}

const warnFor = (state: RenderState) => (line: number | undefined, message: string) =>
  void state.warnings.push(`${where(state, line)}: ${message}`);

let highlighterPromise: Promise<Highlighter> | undefined;
/** Grammars compiled so far in this thread: each is warmed once, before its first real block. */
const warmed = new Set<string>();

/** Built once per thread: starting Shiki costs more than rendering a note. */
function getHighlighter() {
  highlighterPromise ??= loadCodeThemes().then((themes) => createHighlighter({ themes, langs: [] }));
  return highlighterPromise;
}

/** Notes are the writer's own text: a limit that holds off a runaway line, not one a busy machine hits. */
const tokenizeTimeLimitMs = 10_000;

const toClass = transformerStyleToClass({ classPrefix: 'c-' });

const fencePattern = /^ {0,3}(?:```|~~~)[ \t]*([\w#+.-]+)/gm;
/** Only notes that may hold raw HTML pay for reparsing the tree with parse5 (hast-util-raw). */
const rawHtmlPattern = /<[a-z!?/]/i;

export async function renderMarkdown(input: RenderInput): Promise<RenderedNote> {
  const highlighter = await getHighlighter();
  const state: RenderState = { input, toc: [], assets: [], warnings: [], errors: [] };
  for (const fence of input.body.matchAll(fencePattern)) {
    const lang = fence[1] ?? '';
    const id = lang.toLowerCase();
    if (id in bundledLanguages) await loadGrammar(highlighter, id as keyof typeof bundledLanguages);
    else if (!['text', 'txt', 'plain', 'plaintext'].includes(id)) {
      const line = input.body.slice(0, fence.index).split('\n').length;
      warnFor(state)(line, `unknown code language "${lang}", shown as plain text`);
    }
  }
  // Synchronous from here on: the class registry of toClass is shared, so renders must not interleave.
  toClass.clearRegistry();
  const warn = warnFor(state);
  let tree = markdownToHast(input.body);
  if (rawHtmlPattern.test(input.body)) {
    filterRawHtml(tree, warn);
    // With a file, elements keep the lines they came from: the sanitiser's warnings name them.
    tree = raw(tree, { file: new VFile({ value: input.body }) }) as Root;
    const beforeSanitizing = snapshotElements(tree);
    dropUnsafeUrls(tree);
    tree = sanitize(tree, sanitizeSchema) as Root;
    reportSanitizing(beforeSanitizing, tree, warn);
  } else {
    // Without raw HTML every element is one markdown-tree.ts makes, all of which the schema allows
    // (markdown-tree.test.ts checks it): only a link's or an image's URL can be unsafe.
    dropUnsafeUrls(tree, (node, properties) =>
      warnRemovedProperties(warn, node.position?.start.line, node.tagName, properties),
    );
  }
  resolveImages(tree, state);
  shapeTables(tree);
  linkImages(tree);
  assignHeadingIds(tree, warn);
  const words = countWords(hastToString(tree));
  collectToc(tree, state.toc);
  addHeadingAnchors(tree);
  highlightCode(tree, highlighter);
  const html = toHtml(tree);
  if (state.errors.length > 0) throw new UserError(state.errors.join('\n'));
  state.warnings.sort((a, b) => lineOf(a) - lineOf(b));
  return {
    html,
    toc: state.toc,
    words,
    readingMinutes: Math.max(1, Math.round(words / wordsPerMinute)),
    codeCss: toClass
      .getCSS()
      .split(/(?<=\})/)
      .map((rule) => rule.trim())
      .filter(Boolean),
    assets: state.assets,
    warnings: state.warnings,
  };
}

/**
 * Loads a grammar and tokenises one line with it, so that its first real block does not pay for compiling
 * the grammar's rules (a slow first compile on a loaded machine can hit Shiki's per-line time limit).
 */
async function loadGrammar(highlighter: Highlighter, lang: keyof typeof bundledLanguages): Promise<void> {
  if (warmed.has(lang)) return;
  await highlighter.loadLanguage(lang);
  // The theme's name is ours, not one of Shiki's bundled names its types list.
  highlighter.codeToTokensBase('x = 1', {
    lang,
    theme: codeThemeNames.light as 'none',
    tokenizeTimeLimit: tokenizeTimeLimitMs,
  });
  warmed.add(lang);
}

/** A `#` link at the end of every heading, to its own id (the footnotes' heading is for screen readers). */
function addHeadingAnchors(tree: Root): void {
  visitElements(tree, (node) => {
    const { id } = node.properties;
    if (headingRank(node) === undefined || typeof id !== 'string' || id === 'footnote-label') return;
    node.children.push({
      type: 'element',
      tagName: 'a',
      properties: { className: ['anchor'], ariaHidden: 'true', tabIndex: -1, href: `#${id}` },
      children: [{ type: 'text', value: '#' }],
    });
  });
}

/**
 * Fenced code with a language, highlighted for the light and the dark theme in one call; a language Shiki
 * does not know is shown as plain text. Code without a language stays as it is.
 */
function highlightCode(tree: Root, highlighter: Highlighter): void {
  const loaded = new Set(highlighter.getLoadedLanguages());
  visitElements(tree, (node, index, parent) => {
    if (node.tagName !== 'pre' || !parent || index === undefined) return;
    const code = node.children[0];
    if (code?.type !== 'element' || code.tagName !== 'code') return;
    const classes = code.properties.className;
    const languageClass = Array.isArray(classes)
      ? classes.find((name) => typeof name === 'string' && name.startsWith('language-'))
      : undefined;
    if (typeof languageClass !== 'string') return;
    const wanted = languageClass.slice('language-'.length);
    const lang = loaded.has(wanted) || isSpecialLang(wanted) ? wanted : 'text';
    const meta = (code.data as { meta?: string } | undefined)?.meta ?? '';
    const fragment = highlighter.codeToHast(hastToString(code).replace(/\n$/, ''), {
      lang,
      themes: codeThemeNames,
      defaultColor: false,
      transformers: [toClass],
      meta: { __raw: meta },
      // Shiki stops colouring a line after 500 ms by default; on a loaded machine a grammar's first use can
      // take that long, and the same note would then render differently from one run to the next.
      tokenizeTimeLimit: tokenizeTimeLimitMs,
    });
    parent.children[index] = fragment as unknown as Element;
    return 'skip';
  });
}

/** Warnings come from several passes; the writer reads them top to bottom. */
const lineOf = (message: string) => Number(/^[^:]*:(\d+):/.exec(message)?.[1] ?? 0);

/** A figure shrunk to the column links to its file, so that a reader can see it at full size. */
function linkImages(tree: Root): void {
  visitElements(tree, (node, index, parent) => {
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
  visitElements(tree, (node) => {
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
  visitElements(tree, (node) => {
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
