// `serve` on a cold data folder answers once the front matter is read and renders note bodies behind:
// a note or a feed asked for in the first instant comes whole, the same bytes (and ETag) as once every
// note is rendered; drafts and scheduled notes stay hidden meanwhile; an edit is served as before.
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeGeneratedSite } from './support/generated-notes.js';
import { htmlProblems } from './support/html-validator.js';
import { type ServeProcess, startProcess, stopped } from './support/serve-process.js';
import { testSecret } from './support/subscription-app.js';

const noteCount = 200;
/** Rendering them all takes a few seconds on two idle cores, and ten times that on a shared, loaded machine. */
const warmWithinMs = 110_000;
/** note-0 is the oldest: the background rendering (newest first) reaches it last. */
const oldest = '/notes/note-0';
/** A word of the generated notes' vocabulary: every one of them has it. */
const search = '/search?q=restore';
/** The words of the draft and of the scheduled note. */
const draftSearch = `/search?q=${encodeURIComponent('draft words OR future words')}`;
const stillIndexing = /still indexing its archive: (\d+) notes? (?:was|were) not searched yet/;

/** What a search page says it found, and how many notes it says it has not searched yet. */
function counted(body: string): { matched: number; unindexed: number } {
  return {
    matched: Number(/(\d+) notes?(?: indexed so far)? match/.exec(body)?.[1] ?? 0),
    unindexed: Number(stillIndexing.exec(body)?.[1] ?? 0),
  };
}

interface Answer {
  status: number;
  etag: string | null;
  body: string;
}

async function get(base: string, path: string): Promise<Answer> {
  const response = await fetch(`${base}${path}`);
  return { status: response.status, etag: response.headers.get('etag'), body: await response.text() };
}

async function rendering(base: string): Promise<number> {
  return ((await (await fetch(`${base}/healthz`)).json()) as { rendering: number }).rendering;
}

async function until<T>(
  what: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = warmWithinMs,
): Promise<T> {
  for (const end = Date.now() + timeoutMs; ; ) {
    const value = await what();
    if (done(value) || Date.now() > end) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('serve answers before every note is rendered', () => {
  let content: string;
  let dataDir: string;
  let serve: ServeProcess;
  /** What the first instant got, before the background rendering went far. */
  const early = new Map<string, Answer>();
  let renderingAtFirstRequest = 0;
  /** The first search answered once some notes were indexed and others not yet. */
  let partway: Answer | undefined;

  beforeAll(async () => {
    content = await mkdtemp(join(tmpdir(), 'eb-warming-'));
    await writeGeneratedSite(content, noteCount, join(import.meta.dirname, '..', 'content', 'site.yml'));
    await writeFile(
      join(content, 'notes', 'hidden-draft.md'),
      '---\ntitle: "A hidden draft"\nsummary: "Not yet."\ndate: 2020-01-01T09:00:00Z\ntopics: [ai-workloads]\ndraft: true\n---\n\nDraft words.\n',
    );
    await writeFile(
      join(content, 'notes', 'far-future.md'),
      '---\ntitle: "A far future note"\nsummary: "Later."\ndate: 2099-01-01T09:00:00Z\ntopics: [ai-workloads]\n---\n\nFuture words.\n',
    );
    dataDir = await mkdtemp(join(tmpdir(), 'eb-warming-data-'));
    // Watching, as a writer runs it; no worker, so that nothing but readers asks for renderings.
    serve = await startProcess(
      ['serve', '--port', '0', '--no-worker', '--content', content],
      { DATA_DIR: dataDir, SECRET: testSecret },
      /serving .+? at (http:\/\/[\d.]+:\d+)/,
    );
    renderingAtFirstRequest = await rendering(serve.url);
    // All at once, as a crawler or a feed reader arriving at the start would.
    const paths = [oldest, '/feed.json', '/feed.xml', '/', '/notes', '/sitemap.xml', search, draftSearch];
    const answers = await Promise.all(paths.map((path) => get(serve.url, path)));
    for (const [index, path] of paths.entries()) early.set(path, answers[index] as Answer);
    // Searching again and again while the notes render, as an impatient reader would.
    for (const end = Date.now() + warmWithinMs; Date.now() < end; ) {
      const answer = await get(serve.url, search);
      const { matched, unindexed } = counted(answer.body);
      if (matched > 0 && unindexed > 0) partway ??= answer;
      if (unindexed === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }, 120_000);

  afterAll(async () => {
    if (serve) await stopped(serve.child, 'SIGTERM');
  });

  it('listens before the notes are rendered', () => {
    expect(renderingAtFirstRequest).toBeGreaterThan(noteCount / 2);
  });

  it(
    'answers a note not rendered yet with its complete page, the same bytes as once warm',
    async () => {
      const first = early.get(oldest);
      expect(first?.status).toBe(200);
      expect(first?.body).toContain('data-footnotes');
      expect(first?.body).toContain('</html>');
      expect(
        await until(
          () => rendering(serve.url),
          (left) => left === 0,
        ),
      ).toBe(0);
      const warm = await get(serve.url, oldest);
      expect(warm.body).toBe(first?.body);
      expect(warm.etag).toBe(first?.etag);
    },
    warmWithinMs + 10_000,
  );

  it('gives the feeds asked for at once the full content of every note they list', async () => {
    const feed = JSON.parse(early.get('/feed.json')?.body ?? '{}') as {
      items: { url: string; content_html: string }[];
    };
    expect(feed.items).toHaveLength(20);
    for (const item of feed.items) {
      const page = await get(serve.url, new URL(item.url).pathname);
      // The note's whole body: its code, its table and its footnotes, which come last.
      expect(item.content_html, item.url).toContain('<pre class="shiki');
      expect(item.content_html, item.url).toContain('<table>');
      expect(item.content_html, item.url).toContain('data-footnotes');
      expect(page.body, item.url).toContain('NIST SP 800-34');
    }
    expect(
      await until(
        () => rendering(serve.url),
        (left) => left === 0,
      ),
    ).toBe(0);
    for (const path of ['/feed.json', '/feed.xml', '/', '/notes', '/sitemap.xml']) {
      const warm = await get(serve.url, path);
      expect(warm.body, path).toBe(early.get(path)?.body);
      expect(warm.etag, path).toBe(early.get(path)?.etag);
    }
  });

  it('answers a search at once, and while warming, with a complete page that says what it has not searched yet', async () => {
    const first = early.get(search);
    expect(first?.body).toMatch(/notes? indexed so far match(?:es)? “restore”\./);
    expect(counted(first?.body ?? '').unindexed).toBeGreaterThan(0);
    expect(partway).toBeDefined();
    for (const answer of [first, partway]) {
      expect(answer?.status).toBe(200);
      const body = answer?.body ?? '';
      expect(body).toContain('</html>');
      expect(await htmlProblems(body)).toEqual([]);
      const { matched, unindexed } = counted(body);
      // Every note is either found or counted as not searched yet: none is missing without a word.
      expect(matched + unindexed).toBe(noteCount);
      // Each result shown is whole: its link, its title and its words around the match.
      const list = /<ol class="search-results">([\s\S]*?)<\/ol>/.exec(body)?.[1] ?? '';
      const results = [...list.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => m[1] as string);
      expect(results.length).toBe(Math.min(matched, 10));
      for (const result of results) {
        expect(result).toMatch(/<h2><a href="\/notes\/note-\d+">Note \d+: /);
        expect(result).toContain('<mark>restore</mark>');
      }
    }
  });

  it('searches every note once they are rendered, and no longer says it is indexing', async () => {
    const warm = await until(
      () => get(serve.url, search),
      (answer) => !stillIndexing.test(answer.body),
    );
    expect(warm.body).not.toMatch(stillIndexing);
    expect(warm.body).toContain(`${noteCount} notes match “restore”. Results 1–10`);
    const drafts = await get(serve.url, draftSearch);
    expect(drafts.body).not.toContain('hidden-draft');
    expect(drafts.body).not.toContain('far-future');
  });

  it('keeps drafts and scheduled notes out while warming and after', async () => {
    for (const [path, answer] of early) {
      expect(answer.body, path).not.toContain('hidden-draft');
      expect(answer.body, path).not.toContain('far-future');
    }
    expect((await get(serve.url, '/notes/hidden-draft')).status).toBe(404);
    expect((await get(serve.url, '/notes/far-future')).status).toBe(404);
  });

  it('writes every rendering to the cache behind, for the next start', async () => {
    expect(
      await until(
        () => rendering(serve.url),
        (left) => left === 0,
      ),
    ).toBe(0);
    const cached = await until(
      async () => await readdir(join(dataDir, 'cache', 'notes')),
      (names) => names.filter((name) => name.endsWith('.json')).length === noteCount + 3,
    );
    // One entry per note, and the index of their front matter that lets the next start answer at once.
    expect(cached.filter((name) => /^[0-9a-f]{64}\.json$/.test(name))).toHaveLength(noteCount + 2);
    const index = JSON.parse(await readFile(join(dataDir, 'cache', 'notes', 'front-matter.json'), 'utf8'));
    expect(Object.keys(index)).toHaveLength(noteCount + 2);
  });

  it('serves an edited note once it is saved', async () => {
    const file = join(content, 'notes', `note-${noteCount - 1}.md`);
    await writeFile(file, `${await readFile(file, 'utf8')}\nEdited while serving.\n`);
    const page = await until(
      () => get(serve.url, `/notes/note-${noteCount - 1}`),
      (answer) => answer.body.includes('Edited while serving.'),
    );
    expect(page.body).toContain('Edited while serving.');
    expect(page.body).toContain('data-footnotes');
  });
});
