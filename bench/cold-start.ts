// Generates 1,000 realistic notes and times `errorbudget serve` from start until its first page answers,
// cold (empty data folder) and warm (render cache filled), and `errorbudget export`, next to `hugo`
// building the same notes with syntax highlighting, all in the same run.
// Usage: npm run build && npx tsx bench/cold-start.ts   (RUNS=3 NOTES=1000)
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatedNote as note } from './generated-notes.js';
import { cli, freePort, median, root, run, start, stop, waitFor200 } from './support.js';

const runs = Number(process.env.RUNS ?? 3);
const noteCount = Number(process.env.NOTES ?? 1000);

async function timeServe(contentDir: string, dataDir: string): Promise<number> {
  const port = await freePort();
  const began = performance.now();
  const child = start(
    process.execPath,
    [cli, 'serve', '--content', contentDir, '--port', String(port), '--no-watch'],
    {
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    },
  );
  try {
    return await waitFor200(`http://127.0.0.1:${port}/`, began);
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

const work = await mkdtemp(join(tmpdir(), 'eb-cold-'));
try {
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
    cold: [] as number[],
    warm: [] as number[],
    export: [] as number[],
    hugo: [] as number[],
  };
  for (let round = 0; round < runs; round++) {
    const dataDir = join(work, `data-${round}`);
    figures.cold.push(await timeServe(content, dataDir));
    figures.warm.push(await timeServe(content, dataDir));
    figures.export.push(
      await timeCommand(process.execPath, [cli, 'export', join(work, `out-${round}`), '--content', content], {
        DATA_DIR: dataDir,
      }),
    );
    figures.hugo.push(
      await timeCommand('hugo', [
        '--quiet',
        '--source',
        hugoSite,
        '--destination',
        join(work, `hugo-out-${round}`),
      ]),
    );
  }
  const hugo = median(figures.hugo);
  console.log(`${noteCount} notes, ${runs} runs, medians (2 cores):`);
  console.log(`  hugo build                         ${(hugo / 1000).toFixed(2)} s`);
  console.log(
    `  errorbudget serve, cold start      ${(median(figures.cold) / 1000).toFixed(2)} s  (${(median(figures.cold) / hugo).toFixed(2)}x hugo)`,
  );
  console.log(
    `  errorbudget serve, warm start      ${(median(figures.warm) / 1000).toFixed(2)} s  (${(median(figures.warm) / hugo).toFixed(2)}x hugo)`,
  );
  console.log(
    `  errorbudget export, warm cache     ${(median(figures.export) / 1000).toFixed(2)} s  (${(median(figures.export) / hugo).toFixed(2)}x hugo)`,
  );
  console.log(
    `  (start = process spawn until GET / answers 200; all runs: ${JSON.stringify(figures, (_k, v) => (typeof v === 'number' ? Math.round(v) : v))})`,
  );
} finally {
  await rm(work, { recursive: true, force: true });
}
