// Generates 1,000 realistic notes and times `errorbudget serve` from start until its first page answers,
// cold (empty data folder) and warm (render cache filled), and `errorbudget export`, next to `hugo`
// building the same notes with syntax highlighting, all in the same run.
// Usage: npm run build && npx tsx bench/cold-start.ts   (RUNS=3 NOTES=1000)
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, freePort, median, root, run, start, stop, waitFor200 } from './support.js';

const runs = Number(process.env.RUNS ?? 3);
const noteCount = Number(process.env.NOTES ?? 1000);
const topics = [
  'ai-workloads',
  'vmware-vsan',
  'audit-ready-operations',
  'backup-recovery',
  'payments-security',
  'capacity-procurement',
  'network-contention',
];
const words = (
  'replica snapshot quorum budget failover capacity cluster backup restore audit evidence ledger packet queue ' +
  'retention policy latency throughput storage network firewall token vault key rotation window drill threshold alert'
).split(' ');

/** A deterministic pseudo-random stream, so every run times the same notes. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const codeSamples = [
  [
    'bash',
    'restic -r s3:backup/ledger backup /srv/ledger --tag nightly\nrestic forget --keep-daily 35 --prune',
  ],
  ['yaml', 'policy:\n  name: ledger-gold\n  ftt: 2\n  raid: 6\n  iops_limit: 0\n  encryption: true'],
  [
    'sql',
    "SELECT account_id, sum(amount) AS total\nFROM ledger_entries\nWHERE posted_at >= now() - interval '1 day'\nGROUP BY account_id;",
  ],
  [
    'json',
    '{\n  "rpo_minutes": 5,\n  "rto_minutes": 60,\n  "copies": ["snapshot", "object-lock", "vault"]\n}',
  ],
  [
    'ts',
    'export function budgetLeft(slo: number, good: number, total: number): number {\n  return (1 - slo) * total - (total - good);\n}',
  ],
] as const;

function note(index: number): string {
  const next = random(index + 1);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T;
  const sentence = () =>
    `${Array.from({ length: 12 + Math.floor(next() * 14) }, () => pick(words)).join(' ')}.`;
  const paragraph = () => Array.from({ length: 3 + Math.floor(next() * 3) }, sentence).join(' ');
  const sections = 4 + Math.floor(next() * 4);
  const body: string[] = [paragraph()];
  for (let section = 1; section <= sections; section++) {
    body.push(`## Section ${section}: ${pick(words)} and ${pick(words)}`, paragraph(), paragraph());
    if (section === 2)
      body.push(
        '| Tier | RPO | RTO |\n| --- | --- | --- |\n| Ledger | 5 min | 1 h |\n| Reporting | 24 h | 8 h |',
      );
    if (section % 3 === 1) {
      const [lang, code] = pick(codeSamples);
      body.push(`\`\`\`${lang}\n${code}\n\`\`\``);
    }
  }
  body.push(`A claim with a source.[^1]\n\n[^1]: NIST SP 800-34 Rev. 1, section ${1 + (index % 7)}.`);
  const date = new Date(Date.UTC(2016, 0, 1, 9) + index * 3 * 86_400_000).toISOString();
  return `---\ntitle: "Note ${index}: ${pick(words)} at scale"\nsummary: "What we learned about ${pick(words)} in production."\ndate: ${date}\ntopics: [${pick(topics)}]\n---\n\n${body.join('\n\n')}\n`;
}

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
