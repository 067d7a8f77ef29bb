import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../src/server/build-app.js';
import type { LiveSite } from '../src/site/live-site.js';
import { FakeClock } from './support/fake-clock.js';
import { htmlProblems } from './support/html-validator.js';
import { copyOfFixtureContent, createLiveSite } from './support/site-app.js';

// Rendering the six shipped notes takes a few seconds on a loaded machine.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

const shippedNotes = fileURLToPath(new URL('../content/notes', import.meta.url));
const shippedImages = fileURLToPath(new URL('../content/images', import.meta.url));

/** The slugs of the results, in order, as a reader sees them on the page. */
function resultSlugs(html: string): string[] {
  const list = /<ol class="search-results"[^>]*>([\s\S]*?)<\/ol>/.exec(html)?.[1] ?? '';
  return [...list.matchAll(/<h2><a href="\/notes\/([a-z0-9-]+)"/g)].map((m) => m[1] as string);
}

// The six shipped notes and the fixtures (a draft, a scheduled note, restore drills, capacity planning),
// in one content folder, plus two notes written here so that ranking has a known right answer.
let content: string;
let clock: FakeClock;
let live: LiveSite;
let app: FastifyInstance;
const logged: string[] = [];

beforeAll(async () => {
  content = await copyOfFixtureContent();
  await cp(shippedNotes, join(content, 'notes'), { recursive: true });
  await cp(shippedImages, join(content, 'images'), { recursive: true });
  await writeFile(
    join(content, 'notes/quorum-in-stretched-clusters.md'),
    '---\ntitle: Quorum in stretched clusters\nsummary: Witness placement for two sites.\ndate: 2026-09-04T09:00:00Z\ntopics: [vmware-vsan]\n---\n\nA witness decides which site keeps running.\n',
  );
  await writeFile(
    join(content, 'notes/change-windows.md'),
    '---\ntitle: Change windows that hold\nsummary: Scheduling risky work.\ndate: 2026-09-11T09:00:00Z\ntopics: [audit-ready-operations]\n---\n\nA change that touches quorum needs a quorum check before and after, and quorum again at the end.\n',
  );
  // More notes with one word than a page shows, to page through.
  for (let index = 1; index <= 12; index++)
    await writeFile(
      join(content, `notes/zebrafish-${index}.md`),
      `---\ntitle: Zebrafish log ${index}\nsummary: Entry ${index}.\ndate: 2026-08-${String(index).padStart(2, '0')}T09:00:00Z\ntopics: [ai-workloads]\n---\n\nA zebrafish count, entry ${index}.\n`,
    );
  clock = new FakeClock('2026-11-26T12:00:00Z');
  // Everything the app logs, at the most verbose level, to check that no query text reaches a log.
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logged.push(String(chunk));
      done();
    },
  });
  const log = pino({ level: 'trace' }, sink);
  live = await createLiveSite(clock, content, { log });
  app = await buildApp({ live, log, clock, searchRateLimit: 10_000 });
});
afterAll(async () => {
  live?.stop();
  await app?.close();
  await rm(content, { recursive: true, force: true });
});

const search = (q: string) => app.inject(`/search?q=${encodeURIComponent(q)}`);

describe('GET /search', () => {
  const cases: { query: string; why: string; exactly?: string[]; first?: string; includes?: string[] }[] = [
    {
      query: 'FF3-1',
      why: 'a technical token, exactly',
      exactly: ['security-first-infrastructure-for-payments'],
    },
    { query: 'RAID-5', why: 'a hyphenated token, exactly', exactly: ['vsan-for-mixed-workloads'] },
    {
      query: '3-2-1-1-0',
      why: 'a rule of numbers',
      exactly: ['five-backup-architecture-patterns-for-fintech'],
    },
    {
      query: '800-38G',
      why: 'a standard, not its neighbour 800-34 in restore-drills',
      exactly: ['security-first-infrastructure-for-payments'],
    },
    {
      query: 'PCI DSS 3.5.1.2',
      why: 'a requirement, not the 3.5.1 it extends',
      exactly: ['five-backup-architecture-patterns-for-fintech', 'vsan-for-mixed-workloads'],
    },
    {
      query: 'RPO',
      why: 'the note that is about it first',
      first: 'five-backup-architecture-patterns-for-fintech',
      includes: ['restore-drills', 'bandwidth-contention-at-peak'],
    },
    { query: 'raid 5', why: 'the parts of RAID-5', first: 'vsan-for-mixed-workloads' },
    {
      query: 'restor',
      why: 'a prefix',
      includes: ['restore-drills', 'five-backup-architecture-patterns-for-fintech'],
    },
    { query: 'drilling', why: 'a stem ("drills", "drill")', exactly: ['restore-drills'] },
    { query: '"restore drills"', why: 'a phrase', exactly: ['restore-drills'] },
    {
      query: '"format-preserving encryption"',
      why: 'a phrase with a hyphen',
      exactly: ['security-first-infrastructure-for-payments'],
    },
    {
      query: 'quorum',
      why: 'a title above a body that says it three times',
      first: 'quorum-in-stretched-clusters',
    },
    { query: 'witness placement', why: 'the summary', exactly: ['quorum-in-stretched-clusters'] },
    { query: 'what we measure', why: 'a heading', first: 'restore-drills' },
  ];
  for (const { query, why, exactly, first, includes } of cases)
    it(`finds ${why}: ${query}`, async () => {
      const response = await search(query);
      expect(response.statusCode).toBe(200);
      const slugs = resultSlugs(response.body);
      if (exactly) expect(slugs).toEqual(exactly);
      if (first) expect(slugs[0]).toBe(first);
      for (const slug of includes ?? []) expect(slugs).toContain(slug);
      expect(slugs).not.toContain('unfinished');
      expect(slugs).not.toContain('next-week');
    });

  it('shows each result with its date, topics and the matched words marked', async () => {
    const { body } = await search('FF3-1');
    const item = /<ol class="search-results">([\s\S]*?)<\/ol>/.exec(body)?.[1] ?? '';
    expect(item).toContain('<time datetime="2026-10-23T08:00:00.000Z">23 October 2026</time>');
    expect(item).toContain('<a href="/topics/payments-security">Payments security</a>');
    expect(item).toContain('<mark>FF3-1</mark>');
    expect(item).toMatch(
      /<p class="snippet">… [^<]*drops FF3 and its revision <mark>FF3-1<\/mark> altogether/,
    );
    expect(body).toContain('1 note matches “FF3-1”.');
  });

  it('marks the words of the title that match', async () => {
    const { body } = await search('restore drills');
    expect(body).toContain(
      '<a href="/notes/restore-drills"><mark>Restore</mark> <mark>drills</mark>: the only',
    );
  });

  it('shows ten results a page, with a link to the next page and back', async () => {
    const first = (await search('zebrafish')).body;
    expect(first).toContain('12 notes match “zebrafish”. Results 1–10, the most relevant first.');
    expect(resultSlugs(first)).toHaveLength(10);
    expect(first).toContain('<a class="next" href="/search?q=zebrafish&amp;page=2" rel="next">');
    expect(first).not.toContain('rel="prev"');
    const second = (await app.inject('/search?q=zebrafish&page=2')).body;
    expect(second).toContain('<ol class="search-results" start="11">');
    expect(second).toContain('<a class="prev" href="/search?q=zebrafish" rel="prev">');
    expect(second).not.toContain('rel="next"');
    expect(await htmlProblems(second)).toEqual([]);
    const all = [...resultSlugs(first), ...resultSlugs(second)];
    expect(new Set(all).size).toBe(12);
    expect(all.every((slug) => slug.startsWith('zebrafish-'))).toBe(true);
  });

  it('says when a page is past the last result, and links to the first', async () => {
    const { statusCode, body } = await app.inject('/search?q=zebrafish&page=3');
    expect(statusCode).toBe(200);
    expect(body).toContain('12 notes match “zebrafish”. This page is past the last of them.');
    expect(body).toContain('<a class="prev" href="/search?q=zebrafish" rel="prev">');
    expect(resultSlugs(body)).toEqual([]);
    expect(await htmlProblems(body)).toEqual([]);
  });

  for (const page of ['0', '-1', 'abc', '2.5', '99999999', '1e3', '%00'])
    it(`answers page=${page} with the first page`, async () => {
      const response = await app.inject(`/search?q=zebrafish&page=${page}`);
      expect(response.statusCode).toBe(200);
      expect(resultSlugs(response.body)).toHaveLength(10);
      expect(response.body).toContain('Results 1–10');
    });

  it('says when no note has every word, and shows those that have some', async () => {
    const { body } = await search('quorum zyzzyva');
    expect(body).toContain('in part: none has all of its words');
    expect(resultSlugs(body)).toContain('quorum-in-stretched-clusters');
  });

  it('is noindex, never stored by a cache, and valid HTML with nothing from another host', async () => {
    const response = await search('RPO');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['x-robots-tag']).toBe('noindex');
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    expect(response.body).toContain('<meta name="robots" content="noindex"/>');
    expect(await htmlProblems(response.body)).toEqual([]);
    const addresses = [...response.body.matchAll(/\s(?:src|href|action)="([^"]*)"/g)].map(
      (m) => m[1] as string,
    );
    const elsewhere = addresses.filter(
      (url) => /^(https?:)?\/\//.test(url) && !url.startsWith('https://errorbudget.test/'),
    );
    expect(elsewhere).toEqual([]);
    expect(response.body).not.toMatch(/<script/);
  });

  const hostile: [string, string][] = [
    ['an empty query', '/search?q='],
    ['no query at all', '/search'],
    ['spaces only', '/search?q=%20%20%20'],
    ['a script tag', `/search?q=${encodeURIComponent('<script>alert(1)</script>')}`],
    ['quotes', `/search?q=${encodeURIComponent('"\'"')}`],
    ['an unbalanced quote', `/search?q=${encodeURIComponent('"restore drills')}`],
    ['unbalanced parentheses', `/search?q=${encodeURIComponent('((RPO) OR (')}`],
    ['unicode', `/search?q=${encodeURIComponent('ünïcødé 中文 🙂 \u202e')}`],
    ['punctuation only', `/search?q=${encodeURIComponent('!!! ??? ... --- ***')}`],
    ['a repeated parameter', '/search?q=RPO&q=<b>'],
    ['an array parameter', '/search?q[]=RPO'],
    ['a broken escape', '/search?q=%E0%A4%A'],
    ['a null byte', '/search?q=RPO%00%01'],
    ['10 KB of words', `/search?q=${encodeURIComponent('restore backup '.repeat(700).slice(0, 10_240))}`],
    ['10 KB of characters', `/search?q=${'a'.repeat(10_240)}`],
    ['10 KB of hostile characters', `/search?q=${encodeURIComponent('<"\'>&()'.repeat(480))}`],
  ];
  for (const [what, url] of hostile)
    it(`answers ${what} with a clean page`, async () => {
      const response = await app.inject(url);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.body).toContain('<h1>Search</h1>');
      expect(response.body).not.toContain('<script>alert');
      expect(response.body).not.toContain('<b>');
      expect(await htmlProblems(response.body)).toEqual([]);
    });

  it('answers a 10 KB query string over real HTTP with a clean page', async () => {
    const origin = await app.listen({ host: '127.0.0.1', port: 0 });
    const words = 'restore+backup+'.repeat(700).slice(0, 10_240);
    const hostile = encodeURIComponent('<"\'>&()'.repeat(680));
    for (const q of [words, hostile]) {
      expect(q.length).toBeGreaterThanOrEqual(10_000);
      const response = await fetch(`${origin}/search?q=${q}`);
      expect(response.status).toBe(200);
      const body = await response.text();
      expect(body).toContain('<h1>Search</h1>');
      expect(await htmlProblems(body)).toEqual([]);
    }
  });

  it('searches only the first 200 characters of a long query, and says so', async () => {
    const { body } = await search(`RPO ${'x'.repeat(500)}`);
    expect(body).toContain('Only the first 200 characters and 12 words were searched.');
  });

  it('writes no query text to the logs, on success or when refused', async () => {
    const limited = await buildApp({ live, log: pino({ level: 'silent' }), clock, searchRateLimit: 2 });
    try {
      const answers = [];
      for (let i = 0; i < 3; i++)
        answers.push((await limited.inject('/search?q=secretquerytext')).statusCode);
      expect(answers).toEqual([200, 200, 429]);
    } finally {
      await limited.close();
    }
    await search('anothersecretquery');
    await app.inject('/search?q=anothersecretquery%');
    expect(logged.join('')).not.toMatch(/secretquery/i);
  });

  it('refuses too many searches from one address with a clean page', async () => {
    const limited = await buildApp({ live, log: pino({ level: 'silent' }), clock, searchRateLimit: 1 });
    try {
      expect((await limited.inject('/search?q=RPO')).statusCode).toBe(200);
      const refused = await limited.inject('/search?q=RPO');
      expect(refused.statusCode).toBe(429);
      expect(refused.body).toContain('Too many searches from your address');
      expect(await htmlProblems(refused.body)).toEqual([]);
    } finally {
      await limited.close();
    }
  });
});

describe('what the index holds', () => {
  it('never holds drafts or scheduled notes', async () => {
    for (const query of [
      '"unfinished draft"',
      '"Not ready"',
      '"scheduled for next week"',
      '"goes live on its own"',
    ])
      expect(resultSlugs((await search(query)).body)).toEqual([]);
  });

  it('finds a scheduled note once its time has come, without a restart', async () => {
    clock.set('2026-11-27T09:00:00Z');
    try {
      expect(resultSlugs((await search('"goes live on its own"')).body)).toEqual(['next-week']);
    } finally {
      clock.set('2026-11-26T12:00:00Z');
      await live.refresh();
    }
    expect(resultSlugs((await search('"goes live on its own"')).body)).toEqual([]);
  });

  it('follows edits: a new word, a removed note, a note turned into a draft', async () => {
    const file = join(content, 'notes/change-windows.md');
    const original = await readFile(file, 'utf8');
    try {
      await writeFile(file, original.replace('at the end.', 'at the end, with a xylophone.'));
      await live.reload();
      expect(resultSlugs((await search('xylophone')).body)).toEqual(['change-windows']);
      await writeFile(file, original.replace('topics:', 'draft: true\ntopics:'));
      await live.reload();
      expect(resultSlugs((await search('"change windows"')).body)).toEqual([]);
      await rm(file);
      await live.reload();
      expect(resultSlugs((await search('"change windows"')).body)).toEqual([]);
    } finally {
      await writeFile(file, original);
      await live.reload();
    }
    expect(resultSlugs((await search('"change windows"')).body)).toEqual(['change-windows']);
  });
});

describe('the search box', () => {
  it('is in the header of every page, as a labelled GET form to /search', async () => {
    for (const url of [
      '/',
      '/notes',
      '/topics',
      '/notes/restore-drills',
      '/privacy',
      '/no-such-page',
      '/search?q=RPO',
    ]) {
      const { body } = await app.inject(url);
      expect(body, url).toMatch(
        /<header class="site-header">[\s\S]*<search class="site-search"><form action="\/search" method="get"><label class="sr-only" for="site-search-q">Search the notes<\/label><input id="site-search-q" type="search" name="q"/,
      );
    }
  });
});
