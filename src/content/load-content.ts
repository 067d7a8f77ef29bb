// Loads the whole content folder into one snapshot: the site settings and every note, rendered.
// On a reload, a note (or site.yml) whose new version is broken keeps its last good version.
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

export interface ContentSnapshot {
  site: Site;
  /** Every note, drafts and future ones included, newest first. */
  notes: Note[];
  /** One line per problem; on a reload these name what kept its last good version. */
  errors: string[];
  warnings: string[];
  /** How many notes were rendered now, as opposed to taken from memory or the disk cache. */
  rendered: number;
}

export interface LoadOptions {
  contentDir: string;
  cache?: RenderCache | undefined;
  previous?: ContentSnapshot | undefined;
  threads?: number;
}

export const notesFolder = 'notes';

/** Files read at once: enough to keep the disk busy, far below any open-file limit. */
const ioConcurrency = 64;

/** Fails only when site.yml is unusable and there is no previous version to fall back to. */
export async function loadContent(options: LoadOptions): Promise<ContentSnapshot> {
  const { contentDir, previous, cache } = options;
  const errors: string[] = [];
  /** One line per problem, so that counts count problems; a note with several gives several. */
  const addProblems = (message: string) => errors.push(...message.split('\n'));
  const site = await loadSite(contentDir).catch((error: unknown) => {
    if (!previous || !isUserError(error)) throw error;
    addProblems(error.message);
    return previous.site;
  });
  const siteKey = frontMatterContext(site);
  const limit = pLimit(ioConcurrency);
  const inMemory = new Map(previous?.notes.map((note) => [`${note.file}\0${note.hash}`, note]));

  // A note whose source and site context are unchanged is taken whole from memory or the disk cache:
  // no YAML, no validation, no Markdown. Otherwise it is parsed, and rendered unless only its
  // front matter's context changed.
  const found = await Promise.all(
    (await listNoteFiles(contentDir)).map((file) =>
      limit(async () => {
        const text = await readFile(join(contentDir, file), 'utf8');
        const hash = hashSource(text);
        const known = inMemory.get(`${file}\0${hash}`);
        const entry = known
          ? { rendered: known, meta: known, siteKey: previous ? frontMatterContext(previous.site) : '' }
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

  const notes: Note[] = [];
  const toRender: NoteSource[] = [];
  // A note whose front matter is wrong is still rendered, for its other problems: one run names them all.
  const unusable: RenderInput[] = [];
  for (const { note, source, rendered, unusable: body } of found) {
    if (body) unusable.push({ contentDir, ...body });
    if (note) notes.push(note);
    else if (source && rendered) {
      notes.push({ ...rendered, ...metaOf(source) });
      await cache?.set(cache.key(source.file, source.hash), { rendered, meta: metaOf(source), siteKey });
    } else if (source) toRender.push(source);
  }
  const outcomes = await renderMany(
    [
      ...toRender.map((source) => ({
        contentDir,
        file: source.file,
        body: source.body,
        firstLine: source.bodyLine,
      })),
      ...unusable,
    ],
    options.threads,
  );
  for (const outcome of outcomes.slice(toRender.length)) if (!outcome.ok) addProblems(outcome.message);
  await Promise.all(
    toRender.map(async (source, index) => {
      const outcome = outcomes[index];
      if (!outcome) return;
      if (!outcome.ok) return void addProblems(outcome.message);
      notes.push({ ...outcome.rendered, ...metaOf(source) });
      const entry = { rendered: outcome.rendered, meta: metaOf(source), siteKey };
      await limit(() => cache?.set(cache.key(source.file, source.hash), entry));
    }),
  );

  const kept = keepLastGood(notes, previous, errors);
  kept.sort((a, b) => b.date.getTime() - a.date.getTime() || a.slug.localeCompare(b.slug));
  return {
    site,
    notes: kept,
    errors,
    warnings: kept.flatMap((note) => note.warnings),
    rendered: toRender.length,
  };
}

function metaOf({ body: _body, bodyLine: _bodyLine, ...meta }: NoteSource): NoteMeta {
  return meta;
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
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md') && !entry.name.startsWith('.'))
    .map((entry) => relative(contentDir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

function keepLastGood(notes: Note[], previous: ContentSnapshot | undefined, errors: string[]): Note[] {
  const good = new Map(notes.map((note) => [note.file, note]));
  // A file that exists but failed keeps the version that last worked, so a typo never takes a note offline.
  const failedFiles = new Set(errors.map((line) => line.split(':')[0]));
  for (const note of previous?.notes ?? []) {
    if (!good.has(note.file) && failedFiles.has(note.file)) good.set(note.file, note);
  }
  const bySlug = new Map<string, Note>();
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
