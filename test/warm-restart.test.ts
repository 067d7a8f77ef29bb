// A server restarted on a warm render cache answers after reading the notes and the cache's front-matter
// index alone; the renderings come from the cache behind (or at once for a page asked for), and are the
// same as before the restart. A note edited while the server was down, or whose cache entry went bad, is
// rendered anew.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { hashSource, type NoteMeta } from '../src/content/parse-note.js';
import { RenderCache } from '../src/content/render-cache.js';
import type { RenderedNote } from '../src/content/rendered-note.js';
import { LiveSite } from '../src/site/live-site.js';
import { FakeClock } from './support/fake-clock.js';
import { writeGeneratedSite } from './support/generated-notes.js';

const noteCount = 40;
const clock = new FakeClock('2026-11-25T12:00:00Z');
const siteYml = join(import.meta.dirname, '..', 'content', 'site.yml');

async function started(contentDir: string, cacheDir: string): Promise<LiveSite> {
  const live = new LiveSite({
    contentDir,
    siteUrl: 'http://127.0.0.1',
    clock,
    log: pino({ level: 'silent' }),
    cache: new RenderCache(cacheDir),
    renderLater: true,
  });
  const snapshot = await live.load();
  expect(snapshot.errors).toEqual([]);
  return live;
}

/** The cache file once it holds whole JSON: the cache writes behind, after `rendered()` resolves. */
async function untilJson(file: string): Promise<unknown> {
  for (const end = Date.now() + 20_000; Date.now() < end; ) {
    const text = await readFile(file, 'utf8').catch(() => '');
    try {
      return JSON.parse(text);
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  throw new Error(`${file} was not written whole`);
}

describe('a restart on a warm render cache', () => {
  const running: LiveSite[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((live) => live.stop()));
  });

  it('reads the front matter from the index, the renderings behind, and renders only what changed', async () => {
    const contentDir = await mkdtemp(join(tmpdir(), 'eb-warm-content-'));
    const cacheDir = join(await mkdtemp(join(tmpdir(), 'eb-warm-data-')), 'notes');
    await writeGeneratedSite(contentDir, noteCount, siteYml);

    const first = await started(contentDir, cacheDir);
    running.push(first);
    first.renderBehind();
    await first.rendered();
    const before = new Map<string, RenderedNote | undefined>(
      first.snapshot.notes.map((note) => [note.slug, first.renderingOf(note)]),
    );
    // Stopped the moment the last note is rendered: the index is written whole before it ends.
    await first.stop();
    const index = JSON.parse(await readFile(join(cacheDir, 'front-matter.json'), 'utf8')) as object;
    expect(Object.keys(index)).toHaveLength(noteCount);

    // While it was down: one note edited, and two cache entries spoiled.
    const append = async (file: string, words: string) =>
      writeFile(join(contentDir, file), `${await readFile(join(contentDir, file), 'utf8')}\n${words}\n`);
    await append('notes/note-3.md', 'Edited while stopped.');
    const spoil = async (file: string) => {
      const key = new RenderCache(cacheDir).key(
        file,
        hashSource(await readFile(join(contentDir, file), 'utf8')),
      );
      await writeFile(join(cacheDir, `${key}.json`), '{"rendered": tru');
      return key;
    };
    const spoiledKey = await spoil('notes/note-5.md');
    const spoiledThenEditedKey = await spoil('notes/note-7.md');

    const second = await started(contentDir, cacheDir);
    running.push(second);
    // Answering needs the front matter alone: no rendering has been read or made yet.
    expect(second.snapshot.notes.map((note) => note.title)).toEqual(
      first.snapshot.notes.map((note) => note.title),
    );
    expect(second.snapshot.notes.filter((note) => second.renderingOf(note))).toEqual([]);
    expect(second.unrendered).toBe(noteCount);
    // Edited after the start read it: the page shows the file as it is, and the cache keeps no rendering
    // of the new text under the old version's key.
    await append('notes/note-7.md', 'Edited after the start.');

    const bySlug = (slug: string) => second.snapshot.notes.find((note) => note.slug === slug) as NoteMeta;
    // A page asked for before the background work gets the whole note, read from the cache.
    expect((await second.note(bySlug('note-39')))?.html).toBe(before.get('note-39')?.html);
    // The spoiled entry is rendered anew, and the same; the edited note shows its edit.
    expect((await second.note(bySlug('note-5')))?.html).toBe(before.get('note-5')?.html);
    expect((await second.note(bySlug('note-3')))?.html).toContain('Edited while stopped.');

    expect((await second.note(bySlug('note-7')))?.html).toContain('Edited after the start.');

    second.renderBehind();
    await second.rendered();
    for (const note of second.snapshot.notes) {
      if (note.slug === 'note-3' || note.slug === 'note-7') continue;
      expect(second.renderingOf(note), note.slug).toEqual(before.get(note.slug));
    }
    // The spoiled entry was written again, whole.
    const rewritten = (await untilJson(join(cacheDir, `${spoiledKey}.json`))) as {
      rendered: RenderedNote;
    };
    expect(rewritten.rendered.html).toBe(before.get('note-5')?.html);
    // By now the write of note-5 is done, and note-7's (asked for before it) would have been.
    expect(await readFile(join(cacheDir, `${spoiledThenEditedKey}.json`), 'utf8')).toBe('{"rendered": tru');
  }, 60_000);
});
