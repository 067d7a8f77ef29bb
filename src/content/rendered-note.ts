// What rendering a note produces; kept apart from the renderer so that loading it does not load Shiki.

/** Bump when the renderer's output changes, so that cached renderings are redone. */
export const rendererVersion = '2026-11-26.markdown-it.2';

export interface TocEntry {
  depth: 2 | 3;
  id: string;
  text: string;
}

export interface RenderedNote {
  html: string;
  toc: TocEntry[];
  words: number;
  readingMinutes: number;
  /** CSS rules for the highlighting classes this note uses (Shiki colours, no inline styles: strict CSP). */
  codeCss: string[];
  /** Content files the HTML depends on besides the note itself (images), for cache invalidation. */
  assets: { path: string; size: number; mtimeMs: number }[];
  warnings: string[];
}

export interface RenderInput {
  contentDir: string;
  /** Path relative to contentDir. */
  file: string;
  body: string;
  /** The line of the file the body starts on (after the front matter), so messages name file lines. */
  firstLine?: number;
}
