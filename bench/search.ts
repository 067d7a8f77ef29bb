// Search on 1,000 generated notes: requests/s and p99 of GET /search on `errorbudget serve`, next to a
// note page from the same process, driven by autocannon over a rotating set of queries; then, in this
// process, the heap the index takes (after GC, before and after building it) and the time one search
// costs without HTTP.
// Usage: npm run build && npx tsx bench/search.ts   (NOTES=1000 ROUNDS=3 SECONDS=6)
// autocannon (a dev dependency) rather than wrk: it takes a list of requests to cycle through.
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import autocannon from 'autocannon';
import { loadContent } from '../src/content/load-content.js';
import { RenderCache } from '../src/content/render-cache.js';
import { parseQuery } from '../src/site/search/query.js';
import { SearchIndex } from '../src/site/search/search-index.js';
import { generatedNote } from '../test/support/generated-notes.js';
import { cli, freePort, median, root, start, stop, waitFor200 } from './support.js';

const noteCount = Number(process.env.NOTES ?? 1000);
const rounds = Number(process.env.ROUNDS ?? 3);
const seconds = Number(process.env.SECONDS ?? 6);
const connections = 16;
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

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

async function load(url: string, paths: string[]): Promise<{ rps: number; p99: number }> {
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: paths.map((path) => ({ method: 'GET', path })),
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${result.non2xx} answers were not 2xx and ${result.errors} requests failed`);
  return { rps: result.requests.average, p99: result.latency.p99 };
}

const work = await mkdtemp(join(tmpdir(), 'eb-search-'));
let child: ReturnType<typeof start> | undefined;
try {
  const content = join(work, 'content');
  const data = join(work, 'data');
  await mkdir(join(content, 'notes'), { recursive: true });
  await cp(join(root, 'content', 'site.yml'), join(content, 'site.yml'));
  for (let index = 0; index < noteCount; index++)
    await writeFile(join(content, 'notes', `note-${index}.md`), generatedNote(index));

  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  child = start(
    process.execPath,
    [cli, 'serve', '--content', content, '--port', String(port), '--no-watch'],
    {
      DATA_DIR: data,
      LOG_LEVEL: 'warn',
      SEARCH_RATE_LIMIT: '1000000000',
    },
  );
  await waitFor200(`${origin}/`, performance.now(), 600_000);
  // The first search waits for the index to be built in the background after the start.
  const indexed = await waitFor200(`${origin}/search?q=restore`, performance.now(), 600_000);
  const paths = queries.map((query) => `/search?q=${encodeURIComponent(query)}`);
  const figures = {
    search: [] as { rps: number; p99: number }[],
    page: [] as { rps: number; p99: number }[],
  };
  for (let round = 0; round < rounds; round++) {
    figures.search.push(await load(origin, paths));
    figures.page.push(await load(origin, ['/notes/note-1']));
  }
  await stop(child);
  child = undefined;

  // The same index in this process, from the render cache `serve` filled: its heap, and one search's time.
  const snapshot = await loadContent({
    contentDir: content,
    cache: new RenderCache(join(data, 'cache', 'notes')),
  });
  const before = heapAfterGc();
  const index = new SearchIndex();
  const built = performance.now();
  const html = new Map(snapshot.notes.map((note) => [note.slug, note.html]));
  await index.update(
    snapshot.notes,
    (slug) => slug,
    (note) => html.get(note.slug),
  );
  const buildMs = performance.now() - built;
  const after = heapAfterGc();
  const parsed = queries.map(parseQuery);
  const times: number[] = [];
  const searches = 2000;
  const cpu = process.cpuUsage();
  for (let i = 0; i < searches; i++) {
    const began = performance.now();
    await index.search(parsed[i % parsed.length] as ReturnType<typeof parseQuery>, { limit: 10 });
    times.push(performance.now() - began);
  }
  const { user, system } = process.cpuUsage(cpu);
  times.sort((a, b) => a - b);

  const rps = median(figures.search.map((f) => f.rps));
  const pageRps = median(figures.page.map((f) => f.rps));
  console.log(
    `${noteCount} notes (${index.size} indexed), ${rounds} rounds of ${seconds} s, autocannon -c${connections}, ${queries.length} queries in turn, medians:`,
  );
  console.log(
    `  GET /search          ${Math.round(rps).toLocaleString('en')} req/s, p99 ${median(figures.search.map((f) => f.p99)).toFixed(1)} ms`,
  );
  console.log(
    `  GET /notes/note-1    ${Math.round(pageRps).toLocaleString('en')} req/s, p99 ${median(figures.page.map((f) => f.p99)).toFixed(1)} ms  (search is ${((rps / pageRps) * 100).toFixed(0)}% of a page from memory)`,
  );
  console.log(
    `  one search, no HTTP  p50 ${(times[Math.floor(times.length * 0.5)] ?? 0).toFixed(2)} ms, p99 ${(times[Math.floor(times.length * 0.99)] ?? 0).toFixed(2)} ms, ${((user + system) / 1000 / searches).toFixed(2)} ms of CPU on average (20 results with snippets)`,
  );
  console.log(
    `  index                ${((after - before) / 1024 / 1024).toFixed(1)} MB of heap after GC, built in ${(buildMs / 1000).toFixed(2)} s here; first search after start answered ${(indexed / 1000).toFixed(2)} s after the first page`,
  );
  console.log(
    `  (all rounds: ${JSON.stringify(figures, (_k, v) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v))})`,
  );
} finally {
  if (child) await stop(child);
  await rm(work, { recursive: true, force: true });
}
