import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadContent } from '../src/content/load-content.js';
import { RenderCache } from '../src/content/render-cache.js';
import { watchContent } from '../src/content/watch-content.js';
import type { LiveSite } from '../src/site/live-site.js';
import { FakeClock } from './support/fake-clock.js';
import { copyOfFixtureContent, createLiveSite } from './support/site-app.js';

const clock = new FakeClock('2026-11-25T12:00:00Z');
const lines: string[] = [];
const log = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });

const liveOn = (contentDir: string) => createLiveSite(clock, contentDir, { log });

const body = (live: LiveSite, path: string) => live.pages.get(path)?.body.toString() ?? '';

describe('editing content while serving', () => {
  let live: LiveSite | undefined;
  afterEach(() => live?.stop());

  it('re-renders a note that changed', async () => {
    const dir = await copyOfFixtureContent();
    live = await liveOn(dir);
    const file = join(dir, 'notes/capacity-planning.md');
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace(
        'Prices moved faster than budgets.',
        'Budgets finally caught up.',
      ),
    );
    await live.reload();
    expect(body(live, '/notes/capacity-planning')).toContain('Budgets finally caught up.');
  });

  it('keeps serving the last good version of a note whose edit is broken, and logs why', async () => {
    const dir = await copyOfFixtureContent();
    live = await liveOn(dir);
    const before = body(live, '/notes/capacity-planning');
    await writeFile(
      join(dir, 'notes/capacity-planning.md'),
      '---\ntitle: Broken\ntopics: [nope]\n---\nNew text\n',
    );
    const snapshot = await live.reload();
    expect(snapshot.errors.join('\n')).toMatch(/notes\/capacity-planning\.md:2: date is required/);
    expect(body(live, '/notes/capacity-planning')).toBe(before);
    expect(
      lines.some(
        (line) => line.includes('keeping the last good version') && line.includes('capacity-planning.md'),
      ),
    ).toBe(true);
  });

  it('keeps the last good site.yml when the edit breaks it', async () => {
    const dir = await copyOfFixtureContent();
    live = await liveOn(dir);
    await writeFile(join(dir, 'site.yml'), 'title: [unclosed\n');
    const snapshot = await live.reload();
    expect(snapshot.errors[0]).toMatch(/^site\.yml:\d+: invalid YAML/);
    expect(body(live, '/')).toContain('Spend the');
  });

  it('drops a deleted note and reports a duplicate slug', async () => {
    const dir = await copyOfFixtureContent();
    live = await liveOn(dir);
    await rm(join(dir, 'notes/capacity-planning.md'));
    const copy = await readFile(join(dir, 'notes/restore-drills.md'), 'utf8');
    await writeFile(join(dir, 'notes/zz-copy.md'), copy.replace('topics:', 'slug: restore-drills\ntopics:'));
    const snapshot = await live.reload();
    expect(live.pages.get('/notes/capacity-planning')).toBeUndefined();
    expect(snapshot.errors).toContain(
      'notes/zz-copy.md:1: duplicate slug "restore-drills", already used by notes/restore-drills.md',
    );
  });

  it('notices an edit on disk by itself', async () => {
    const dir = await copyOfFixtureContent();
    const site = await liveOn(dir);
    live = site;
    const watcher = watchContent(dir, () => site.reload());
    try {
      await watcher.ready;
      const file = join(dir, 'notes/restore-drills.md');
      await writeFile(
        file,
        (await readFile(file, 'utf8')).replace(
          'Time to first byte restored',
          'Seconds to first byte restored',
        ),
      );
      const deadline = Date.now() + 10_000;
      while (!body(site, '/notes/restore-drills').includes('Seconds to first byte') && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(body(site, '/notes/restore-drills')).toContain('Seconds to first byte restored');
    } finally {
      await watcher.close();
    }
  });
});

describe('the render cache', () => {
  it('renders nothing on a restart with unchanged notes, and only the changed note after an edit', async () => {
    const dir = await copyOfFixtureContent();
    const cache = new RenderCache(await mkdtemp(join(tmpdir(), 'eb-cache-')));
    expect((await loadContent({ contentDir: dir, cache })).rendered).toBe(4);
    const warm = await loadContent({ contentDir: dir, cache });
    expect(warm.rendered).toBe(0);
    expect(warm.notes.find((note) => note.slug === 'restore-drills')?.html).toContain('<table>');
    const file = join(dir, 'notes/next-week.md');
    await writeFile(file, `${await readFile(file, 'utf8')}\nOne more line.\n`);
    expect((await loadContent({ contentDir: dir, cache })).rendered).toBe(1);
  });

  it('renders again when an image the note uses changes', async () => {
    const dir = await copyOfFixtureContent();
    const cache = new RenderCache(await mkdtemp(join(tmpdir(), 'eb-cache-')));
    await loadContent({ contentDir: dir, cache });
    await writeFile(
      join(dir, 'images/diagram.svg'),
      '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="200"></svg>',
    );
    const after = await loadContent({ contentDir: dir, cache });
    expect(after.rendered).toBe(1);
    expect(after.notes.find((note) => note.slug === 'restore-drills')?.html).toContain(
      'width="640" height="200"',
    );
  });
});
