// Loads the whole content folder into one snapshot: the site settings and every note, rendered.
// On a reload, a note (or site.yml) whose new version is broken keeps its last good version.
// `readContent` is the first half alone (front matter, caches), for a server that renders bodies later.
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import pLimit from 'p-limit';
import { isUserError } from '../user-error.js';
import { loadSite } from './load-site.js';
import { hashSource, type NoteMeta, type NoteSource, parseNote, splitFrontMatter } from './parse-note.js';
import type { RenderCache } from './render-cache.js';
import { renderMany } from './render-pool.js';
import type { RenderedNote, RenderInput } from './rendered-note.js';
import type { Site } from './schema.js';

/** A note as the site uses it: front matter and rendering, without its Markdown source. */
export type Note = NoteMeta & RenderedNote;

/** `N` is `NoteMeta` where bodies may not be rendered yet (a server warming up). */
export interface ContentSnapshot<N extends NoteMeta = Note> {
  site: Site;
  /** Every note, drafts and future ones included, newest first. */
  notes: N[];
  /** One line per problem; on a reload these name what kept its last good version. */
  errors: string[];
  warnings: string[];
  /** How many notes were rendered now, as opposed to taken from memory or the disk cache. */
  rendered: number;
}

export interface ReadOptions {
  contentDir: string;
  cache?: RenderCache | undefined;
  previous?: ContentSnapshot<NoteMeta> | undefined;
  /** The rendering of a note of `previous`, when it has one (by default: the note itself, if rendered). */
  renderingOf?: ((note: NoteMeta) => RenderedNote | undefined) | undefined;
  /** Leave the renderings the cache holds on disk, for notes whose front matter its index knows
   * (`cached`): a server reads them once it listens. */
  deferCached?: boolean | undefined;
}

export interface LoadOptions extends Omit<ReadOptions, 'previous' | 'renderingOf' | 'deferCached'> {
  previous?: ContentSnapshot | undefined;
  threads?: number;
}

/** The front matter of every note, and which bodies still need rendering. */
export interface ReadContent {
  site: Site;
  /** The front matter context the notes were read in, as the render cache records it. */
  siteKey: string;
  /** Notes whose rendering is known (memory or disk cache). */
  ready: Note[];
  /** With `deferCached`: notes whose rendering is in the disk cache, not read yet. */
  cached: NoteMeta[];
  /** Notes whose front matter is good and whose body is not rendered yet. */
  toRender: NoteSource[];
  /** Bodies of notes whose front matter is wrong: rendered only to name their other problems. */
  unusable: RenderInput[];
  errors: string[];
}

export const notesFolder = 'notes';

/** Files read at once: enough to keep the disk busy, far below any open-file limit. */
const ioConcurrency = 64;

export function isRendered(note: NoteMeta): note is Note {
  return typeof (note as Partial<Note>).html === 'string';
}

export function renderInputOf(contentDir: string, source: NoteSource): RenderInput {
  return { contentDir, file: source.file, body: source.body, firstLine: source.bodyLine };
}

export function metaOf({ body: _body, bodyLine: _bodyLine, ...meta }: NoteSource): NoteMeta {
  return meta;
}

/** The front matter alone of a note that may carry its rendering (which is a hundred times larger). */
export function frontMatterOf(note: NoteMeta): NoteMeta {
  const { file, slug, title, summary, date, updated, topics, draft, newsletter, readingMinutes, hash } = note;
  const meta = { file, slug, title, summary, date, updated, topics, draft, readingMinutes, hash };
  return newsletter === undefined ? meta : { ...meta, newsletter };
}

/** Fails only when site.yml is unusable and there is no previous version to fall back to. */
export async function readContent(options: ReadOptions): Promise<ReadContent> {
  const { contentDir, previous, cache } = options;
  const renderingOf = options.renderingOf ?? ((note: NoteMeta) => (isRendered(note) ? note : undefined));
  const errors: string[] = [];
  /** One line per problem, so that counts count problems; a note with several gives several. */
  const addProblems = (message: string) => errors.push(...message.split('\n'));
  const site = await loadSite(contentDir).catch((error: unknown) => {
    if (!previous || !isUserError(error)) throw error;
    addProblems(error.message);
    return previous.site;
  });
  const siteKey = frontMatterContext(site);
  const previousKey = previous ? frontMatterContext(previous.site) : '';
  const limit = pLimit(ioConcurrency);
  const inMemory = new Map(previous?.notes.map((note) => [`${note.file}\0${note.hash}`, note]));

  // A note whose source and site context are unchanged is taken whole from memory or the disk cache:
  // no YAML, no validation, no Markdown. Otherwise it is parsed, and rendered unless only its
  // front matter's context changed.
  // A first load has nothing else to do meanwhile, and reading synchronously costs a third of the CPU of
  // reading through promises; a reload reads without blocking the pages being served.
  const read = previous
    ? (file: string) => readFile(join(contentDir, file), 'utf8')
    : (file: string) => readFileSync(join(contentDir, file), 'utf8');
  const found = await Promise.all(
    (await listNoteFiles(contentDir)).map((file) =>
      limit(async () => {
        const text = await read(file);
        const hash = hashSource(text);
        const known = inMemory.get(`${file}\0${hash}`);
        const knownRendering = known && renderingOf(known);
        if (known && !knownRendering && previousKey === siteKey) {
          // Known, but its body was not rendered yet: only the body is needed again, not the YAML.
          const { body, bodyLine } = splitFrontMatter(text, file);
          return { source: { ...known, body, bodyLine } };
        }
        if (!known && options.deferCached && cache) {
          const entry = await cache.frontMatter(cache.key(file, hash));
          if (entry?.siteKey === siteKey) return { cached: entry.meta };
        }
        const entry =
          known && knownRendering
            ? { rendered: knownRendering, meta: known, siteKey: previousKey }
            : await cache?.get(cache.key(file, hash));
        if (entry && entry.siteKey === siteKey) return { note: { ...entry.rendered, ...entry.meta } };
        try {
          const source = parseNote(text, file, site, hash);
          return { source, rendered: entry?.rendered };
        } catch (error) {
          if (!isUserError(error)) throw error;
          addProblems(error.message);
          return { unusable: bodyOf(text, file) };
        }
      }),
    ),
  );

  const ready: Note[] = [];
  const cached: NoteMeta[] = [];
  const toRender: NoteSource[] = [];
  // A note whose front matter is wrong is still rendered, for its other problems: one run names them all.
  const unusable: RenderInput[] = [];
  for (const { note, cached: meta, source, rendered, unusable: body } of found) {
    if (body) unusable.push({ contentDir, ...body });
    if (meta) cached.push(meta);
    if (note) ready.push(note);
    else if (source && rendered) {
      ready.push({ ...rendered, ...metaOf(source) });
      await cache?.set(cache.key(source.file, source.hash), { rendered, meta: metaOf(source), siteKey });
    } else if (source) toRender.push(source);
  }
  return { site, siteKey, ready, cached, toRender, unusable, errors };
}

/** Reads and renders every note (on every core), and keeps what it rendered in the cache. */
export async function loadContent(options: LoadOptions): Promise<ContentSnapshot> {
  const { contentDir, cache } = options;
  const read = await readContent(options);
  const { toRender, errors } = read;
  const addProblems = (message: string) => errors.push(...message.split('\n'));
  const notes = [...read.ready];
  const outcomes = await renderMany(
    [...toRender.map((source) => renderInputOf(contentDir, source)), ...read.unusable],
    options.threads,
  );
  for (const outcome of outcomes.slice(toRender.length)) if (!outcome.ok) addProblems(outcome.message);
  const limit = pLimit(ioConcurrency);
  await Promise.all(
    toRender.map(async (source, index) => {
      const outcome = outcomes[index];
      if (!outcome) return;
      if (!outcome.ok) return void addProblems(outcome.message);
      notes.push({ ...outcome.rendered, ...metaOf(source) });
      const entry = { rendered: outcome.rendered, meta: metaOf(source), siteKey: read.siteKey };
      await limit(() => cache?.set(cache.key(source.file, source.hash), entry));
    }),
  );
  return settle(read.site, notes, options.previous, errors, toRender.length);
}

/** The snapshot of what was read: last good versions kept for broken files, duplicates refused, newest first. */
export function settle<N extends NoteMeta>(
  site: Site,
  notes: N[],
  previous: ContentSnapshot<N> | undefined,
  errors: string[],
  rendered: number,
): ContentSnapshot<N> {
  const kept = keepLastGood(notes, previous, errors);
  kept.sort((a, b) => b.date.getTime() - a.date.getTime() || a.slug.localeCompare(b.slug));
  return {
    site,
    notes: kept,
    errors,
    warnings: kept.flatMap((note) => (isRendered(note) ? note.warnings : [])),
    rendered,
  };
}

function bodyOf(text: string, file: string): { file: string; body: string; firstLine: number } | undefined {
  try {
    const { body, bodyLine } = splitFrontMatter(text, file);
    return { file, body, firstLine: bodyLine };
  } catch {
    return undefined;
  }
}

/** What reading front matter depends on besides the file: known topics, time zone, publish slot. */
function frontMatterContext(site: Site): string {
  return hashSource(
    JSON.stringify([site.topics.map((topic) => topic.slug), site.timezone, site.publish.time]),
  );
}

async function listNoteFiles(contentDir: string): Promise<string[]> {
  const dir = join(contentDir, notesFolder);
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  // Most notes sit in the folder itself: their path needs no `relative` (which costs, ten thousand times).
  const prefix = `${notesFolder}/`;
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md') && !entry.name.startsWith('.'))
    .map((entry) =>
      entry.parentPath === dir
        ? prefix + entry.name
        : relative(contentDir, join(entry.parentPath, entry.name)).split(sep).join('/'),
    )
    .sort();
}

function keepLastGood<N extends NoteMeta>(
  notes: N[],
  previous: ContentSnapshot<N> | undefined,
  errors: string[],
): N[] {
  const good = new Map(notes.map((note) => [note.file, note]));
  // A file that exists but failed keeps the version that last worked, so a typo never takes a note offline.
  const failedFiles = new Set(errors.map((line) => line.split(':')[0]));
  for (const note of previous?.notes ?? []) {
    if (!good.has(note.file) && failedFiles.has(note.file)) good.set(note.file, note);
  }
  const bySlug = new Map<string, N>();
  for (const note of [...good.values()].sort((a, b) => a.file.localeCompare(b.file))) {
    const other = bySlug.get(note.slug);
    if (other) {
      errors.push(`${note.file}:1: duplicate slug "${note.slug}", already used by ${other.file}`);
      continue;
    }
    bySlug.set(note.slug, note);
  }
  return [...bySlug.values()];
}
