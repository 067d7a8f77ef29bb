// Generates realistic notes (1,000 and 10,000 by default) and times, next to `hugo` building the same
// notes with syntax highlighting, all in the same run: `errorbudget serve` from spawn until `GET /`
// answers 200, cold (empty data folder) and warm (render cache filled); on the cold start, until every
// note is rendered behind (its /healthz says `rendering: 0`); and `errorbudget export`, cold and warm, with
// its peak memory.
// Usage: npm run build && npx tsx bench/cold-start.ts   (RUNS=3 NOTES=1000,10000)
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatedNote as note } from '../test/support/generated-notes.js';
import { cli, freePort, median, root, run, runMeasured, start, stop, waitFor200 } from './support.js';

const runs = Number(process.env.RUNS ?? 3);
const noteCounts = (process.env.NOTES ?? '1000,10000').split(',').map(Number);
/** Spawns `serve`; returns when `GET /` answers 200 and, with `untilRendered`, when no note is left to render. */
async function timeServe(
  contentDir: string,
  dataDir: string,
  untilRendered: boolean,
): Promise<{ first: number; rendered: number }> {
  const port = await freePort();
  const began = performance.now();
  const child = start(
    process.execPath,
    [cli, 'serve', '--content', contentDir, '--port', String(port), '--no-watch'],
    { DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
  );
  try {
    const first = await waitFor200(`http://127.0.0.1:${port}/`, began);
    let rendered = first;
    while (untilRendered) {
      // On a loaded machine a request can outlive the server's 20 s request timeout (a reset): ask again.
      const health = await fetch(`http://127.0.0.1:${port}/healthz`)
        .then((response) => response.json() as Promise<{ rendering: number }>)
        .catch(() => undefined);
      rendered = performance.now() - began;
      if (health?.rendering === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return { first, rendered };
  } finally {
    await stop(child);
  }
}

async function timeCommand(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<number> {
  const began = performance.now();
  await run(command, args, { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  return performance.now() - began;
}

async function benchmark(work: string, noteCount: number): Promise<void> {
  const content = join(work, 'content');
  const hugoSite = join(work, 'hugo');
  await mkdir(join(content, 'notes'), { recursive: true });
  await cp(join(root, 'content', 'site.yml'), join(content, 'site.yml'));
  await mkdir(join(hugoSite, 'content', 'notes'), { recursive: true });
  await mkdir(join(hugoSite, 'layouts', '_default'), { recursive: true });
  for (let index = 0; index < noteCount; index++) {
    const text = note(index);
    await writeFile(join(content, 'notes', `note-${index}.md`), text);
    await writeFile(
      join(hugoSite, 'content', 'notes', `note-${index}.md`),
      text.replace(/^topics: .*$/m, ''),
    );
  }
  await writeFile(
    join(hugoSite, 'config.toml'),
    'baseURL = "http://127.0.0.1/"\ntitle = "the error budget"\ndisableKinds = ["taxonomy", "term"]\n[markup.highlight]\n  noClasses = false\n',
  );
  const shell = (main: string) =>
    `<!doctype html><html><head><title>{{ .Title }}</title></head><body><main>${main}</main></body></html>`;
  await writeFile(
    join(hugoSite, 'layouts', '_default', 'single.html'),
    shell('<h1>{{ .Title }}</h1>{{ .TableOfContents }}{{ .Content }}'),
  );
  await writeFile(
    join(hugoSite, 'layouts', '_default', 'list.html'),
    shell('{{ range .Pages }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}'),
  );
  await writeFile(
    join(hugoSite, 'layouts', 'index.html'),
    shell('{{ range first 6 .Site.RegularPages }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}'),
  );

  const figures = {
    hugo: [] as number[],
    cold: [] as number[],
    rendered: [] as number[],
    warm: [] as number[],
    exportCold: [] as number[],
    exportWarm: [] as number[],
  };
  const peakMb = { exportCold: [] as number[], exportWarm: [] as number[] };
  // Under GNU time, for the export's peak memory (every thread: rendering, share cards) beside its time.
  const exportRun = async (round: number, dataDir: string, peaks: number[]) => {
    const measured = await runMeasured(
      process.execPath,
      [cli, 'export', join(work, `out-${round}`), '--content', content],
      { env: { ...process.env, DATA_DIR: dataDir }, timeFile: join(work, 'export-time') },
    );
    if (measured.code !== 0) throw new Error(`export failed (${measured.code}): ${measured.stderr}`);
    peaks.push(measured.maxRssKb / 1024);
    return measured.wallSeconds * 1000;
  };
  for (let round = 0; round < runs; round++) {
    const dataDir = join(work, `data-${round}`);
    const exportData = join(work, `export-data-${round}`);
    // Hugo goes first and last in turn, so that neither side always meets the same moment of load.
    const hugo = () =>
      timeCommand('hugo', [
        '--quiet',
        '--source',
        hugoSite,
        '--destination',
        join(work, `hugo-out-${round}`),
      ]);
    if (round % 2 === 0) figures.hugo.push(await hugo());
    const cold = await timeServe(content, dataDir, true);
    figures.cold.push(cold.first);
    figures.rendered.push(cold.rendered);
    // The warm start needs the render cache the cold start writes behind: give it a moment to finish.
    await new Promise((resolve) => setTimeout(resolve, 500));
    figures.warm.push((await timeServe(content, dataDir, false)).first);
    figures.exportCold.push(await exportRun(round, exportData, peakMb.exportCold));
    figures.exportWarm.push(await exportRun(round, exportData, peakMb.exportWarm));
    if (round % 2 === 1) figures.hugo.push(await hugo());
    await rm(dataDir, { recursive: true, force: true });
    await rm(exportData, { recursive: true, force: true });
  }
  const hugo = median(figures.hugo);
  const line = (label: string, values: number[]) =>
    console.log(
      `  ${label.padEnd(44)} ${(median(values) / 1000).toFixed(2)} s  (${(median(values) / hugo).toFixed(2)}x hugo)`,
    );
  console.log(`${noteCount} notes, ${runs} runs, medians (2 cores):`);
  console.log(`  ${'hugo build'.padEnd(44)} ${(hugo / 1000).toFixed(2)} s`);
  line('errorbudget serve, cold: GET / answers 200', figures.cold);
  line('errorbudget serve, cold: every note rendered', figures.rendered);
  line('errorbudget serve, warm: GET / answers 200', figures.warm);
  line('errorbudget export, cold cache', figures.exportCold);
  line('errorbudget export, warm cache', figures.exportWarm);
  console.log(
    `  export peak RSS (every thread): cold ${median(peakMb.exportCold).toFixed(0)} MB, warm ${median(peakMb.exportWarm).toFixed(0)} MB`,
  );
  console.log(
    `  (times from process spawn; all runs in ms: ${JSON.stringify(figures, (_k, v) => (typeof v === 'number' ? Math.round(v) : v))})`,
  );
}

// The machine is shared: the load average says how far to trust the figures.
console.log(`load before: ${execFileSync('uptime', { encoding: 'utf8' }).trim()}`);
for (const noteCount of noteCounts) {
  const work = await mkdtemp(join(tmpdir(), 'eb-cold-'));
  try {
    await benchmark(work, noteCount);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
console.log(`load after: ${execFileSync('uptime', { encoding: 'utf8' }).trim()}`);
