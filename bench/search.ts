// Search on 1,000 generated notes. Over HTTP: `errorbudget serve` answering GET /search, cycling through
// ten queries, driven by wrk (its own process, one thread) at 1 and at 4 connections, next to a note page
// from memory at 1 connection: on two cores, more connections, or a client in this process (as autocannon
// was here), measure the queue in front of the server rather than the server. Then how soon after the
// start a search answers and how soon the index holds every note; and in this process, the heap the index
// takes (after GC, before and after building it) and one search's time and CPU without HTTP.
// Usage: npm run build && npx tsx bench/search.ts   (NOTES=1000 ROUNDS=3 SECONDS=6)
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadContent } from '../src/content/load-content.js';
import { RenderCache } from '../src/content/render-cache.js';
import { parseQuery } from '../src/site/search/query.js';
import { SearchIndex } from '../src/site/search/search-index.js';
import { resultsPerPage } from '../src/site/views/search-page.js';
import { generatedNote } from '../test/support/generated-notes.js';
import {
  cli,
  freePort,
  median,
  procSample,
  root,
  start,
  stop,
  type WrkResult,
  waitFor200,
  wrk,
} from './support.js';

const noteCount = Number(process.env.NOTES ?? 1000);
const rounds = Number(process.env.ROUNDS ?? 3);
const seconds = Number(process.env.SECONDS ?? 6);
/** Words of the generated notes' vocabulary, a prefix, a phrase, a title word and a technical token. */
const queries = [
  'restore',
  'quorum failover',
  'RPO',
  '"backup restore"',
  'snap',
  'NIST 800-34',
  'vault key rotation',
  'ledger at scale',
  'retention policy latency',
  'nothing-matches-this',
];
const stillIndexing = 'still indexing its archive';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

/** Searches until the page no longer says the index is being filled; the milliseconds since `since`. */
/** Waits until the server has used under 2% of a core over a whole second; returns when, since `since`. */
async function untilIdle(pid: number, since: number, timeoutMs = 600_000): Promise<number> {
  let last = (await procSample(pid))?.cpuSeconds ?? 0;
  while (performance.now() - since < timeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const now = (await procSample(pid))?.cpuSeconds ?? 0;
    if (now - last < 0.02) return performance.now() - since;
    last = now;
  }
  throw new Error(`the server did not settle within ${timeoutMs} ms`);
}

async function untilIndexed(url: string, since: number): Promise<number> {
  for (;;) {
    const body = await (await fetch(url)).text();
    if (!body.includes(stillIndexing)) return performance.now() - since;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const work = await mkdtemp(join(tmpdir(), 'eb-search-'));
let child: ReturnType<typeof start> | undefined;
const loadBefore = load();
try {
  const content = join(work, 'content');
  const data = join(work, 'data');
  await mkdir(join(content, 'notes'), { recursive: true });
  await cp(join(root, 'content', 'site.yml'), join(content, 'site.yml'));
  for (let index = 0; index < noteCount; index++)
    await writeFile(join(content, 'notes', `note-${index}.md`), generatedNote(index));

  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const started = performance.now();
  child = start(
    process.execPath,
    // No worker: on a fresh data folder it mails nothing but still works through every note, in the same
    // process, and that would be measured with the searches.
    [cli, 'serve', '--content', content, '--port', String(port), '--no-watch', '--no-worker'],
    { DATA_DIR: data, LOG_LEVEL: 'warn', SEARCH_RATE_LIMIT: '1000000000' },
  );
  const firstPage = await waitFor200(`${origin}/`, started, 600_000);
  const firstSearch = await waitFor200(`${origin}/search?q=restore`, started, 600_000);
  const indexed = await untilIndexed(`${origin}/search?q=restore`, started);

  const paths = queries.map((query) => `/search?q=${encodeURIComponent(query)}`);
  const script = join(work, 'queries.lua');
  await writeFile(
    script,
    `local paths = { ${paths.map((path) => JSON.stringify(path)).join(', ')} }\nlocal i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format("GET", paths[i])\nend\n`,
  );
  type Run = WrkResult & { cpuMs: number };
  const figures = { c1: [] as Run[], c4: [] as Run[], page: [] as Run[] };
  const server = child.pid as number;
  /** wrk, and the server's CPU (all its threads, from /proc) per request answered: the figure the load on
   * a shared machine moves least. */
  const measured = async (url: string, connections: number, lua?: string): Promise<Run> => {
    const before = (await procSample(server))?.cpuSeconds ?? 0;
    const result = await wrk(url, seconds, connections, [], lua);
    const after = (await procSample(server))?.cpuSeconds ?? 0;
    return { ...result, cpuMs: ((after - before) * 1000) / Math.max(result.requests, 1) };
  };
  // Once every note is indexed, serve still draws share cards and compresses pages behind (tens of
  // seconds of CPU on 1,000 notes): searches measured meanwhile share the cores with that work.
  const settled = await untilIdle(server, started);
  await wrk(origin, 2, 1, [], script); // warm-up: JIT, TCP buffers
  for (let round = 0; round < rounds; round++) {
    figures.c1.push(await measured(origin, 1, script));
    figures.c4.push(await measured(origin, 4, script));
    figures.page.push(await measured(`${origin}/notes/note-1`, 1));
  }
  await stop(child);
  child = undefined;
  const loadAfterHttp = load();

  // The same index in this process, from the render cache `serve` filled: its heap, and one search's time.
  const snapshot = await loadContent({
    contentDir: content,
    cache: new RenderCache(join(data, 'cache', 'notes')),
  });
  const html = new Map(snapshot.notes.map((note) => [note.slug, note.html]));
  const before = heapAfterGc();
  const index = new SearchIndex();
  const built = performance.now();
  await index.update(
    snapshot.notes,
    (slug) => slug,
    (note) => html.get(note.slug),
  );
  const buildMs = performance.now() - built;
  const after = heapAfterGc();
  const parsed = queries.map(parseQuery);
  const page = { limit: resultsPerPage };
  for (let i = 0; i < 200; i++) await index.search(parsed[i % parsed.length] as (typeof parsed)[0], page);
  const times: number[] = [];
  const searches = 2000;
  let snippets = 0;
  const cpu = process.cpuUsage();
  for (let i = 0; i < searches; i++) {
    const began = performance.now();
    const outcome = await index.search(parsed[i % parsed.length] as (typeof parsed)[0], page);
    times.push(performance.now() - began);
    snippets += outcome.hits.length;
  }
  const { user, system } = process.cpuUsage(cpu);
  times.sort((a, b) => a - b);

  const line = (name: string, results: Run[]) =>
    `  ${name.padEnd(26)} ${Math.round(median(results.map((r) => r.requestsPerSecond))).toLocaleString('en')} req/s, p99 ${median(results.map((r) => r.p99Ms)).toFixed(2)} ms, server CPU ${median(results.map((r) => r.cpuMs)).toFixed(2)} ms a request`;
  console.log(
    `${noteCount} notes (${index.size} indexed), wrk -t1 in its own process, ${rounds} rounds of ${seconds} s, ${queries.length} queries in turn, medians:`,
  );
  console.log(line('GET /search, 1 connection', figures.c1));
  console.log(line('GET /search, 4 connections', figures.c4));
  console.log(line('GET /notes/note-1, 1 conn.', figures.page));
  console.log(
    `  one search, no HTTP        p50 ${(times[Math.floor(times.length * 0.5)] ?? 0).toFixed(2)} ms, p99 ${(times[Math.floor(times.length * 0.99)] ?? 0).toFixed(2)} ms, ${((user + system) / 1000 / searches).toFixed(2)} ms of CPU on average (a page of ${resultsPerPage}: ${(snippets / searches).toFixed(1)} snippets made a search)`,
  );
  console.log(
    `  index                      ${((after - before) / 1024 / 1024).toFixed(1)} MB of heap after GC, built in ${(buildMs / 1000).toFixed(2)} s here`,
  );
  console.log(
    `  after a cold start         first page ${(firstPage / 1000).toFixed(2)} s, first search answered ${(firstSearch / 1000).toFixed(2)} s, every note indexed ${(indexed / 1000).toFixed(2)} s, idle (cards drawn, pages compressed) ${(settled / 1000).toFixed(2)} s`,
  );
  console.log(
    `  load average               ${loadBefore} before, ${loadAfterHttp} after HTTP, ${load()} at the end`,
  );
  console.log(
    `  (all rounds: ${JSON.stringify(figures, (_k, v) => (typeof v === 'number' ? Math.round(v * 100) / 100 : v))})`,
  );
} finally {
  if (child) await stop(child);
  await rm(work, { recursive: true, force: true });
}
