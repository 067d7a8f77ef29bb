// CPU per note of the Markdown renderer on bench/cold-start.ts's 1,000 generated notes, and on the same notes
// with an e-mail address, a `www.` link and raw HTML added to every tenth one (so that the fast paths for
// notes without them are not all that is measured). With REFERENCE set to another checkout of errorbudget
// (its own node_modules installed), that checkout's renderer takes turns with this one note by note in the
// same process, so that load on the machine hits both alike, and the ratio is printed.
// Usage: REFERENCE=/path/to/other/checkout RUNS=5 npx tsx bench/render-notes.ts
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RenderedNote, RenderInput } from '../src/content/rendered-note.js';
import { median, root } from './support.js';

type Render = (input: RenderInput) => Promise<RenderedNote>;

const runs = Number(process.env.RUNS ?? 5);
const noteCount = Number(process.env.NOTES ?? 1000);
const warmUp = 30;

// The generator of bench/cold-start.ts (copied: importing that script would start its benchmark).
const words = (
  'replica snapshot quorum budget failover capacity cluster backup restore audit evidence ledger packet queue ' +
  'retention policy latency throughput storage network firewall token vault key rotation window drill threshold alert'
).split(' ');

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

/** The body of cold-start.ts's note `index` (its front matter is not the renderer's work). */
function body(index: number): string {
  const next = random(index + 1);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T;
  const sentence = () =>
    `${Array.from({ length: 12 + Math.floor(next() * 14) }, () => pick(words)).join(' ')}.`;
  const paragraph = () => Array.from({ length: 3 + Math.floor(next() * 3) }, sentence).join(' ');
  const sections = 4 + Math.floor(next() * 4);
  const parts: string[] = [paragraph()];
  for (let section = 1; section <= sections; section++) {
    parts.push(`## Section ${section}: ${pick(words)} and ${pick(words)}`, paragraph(), paragraph());
    if (section === 2)
      parts.push(
        '| Tier | RPO | RTO |\n| --- | --- | --- |\n| Ledger | 5 min | 1 h |\n| Reporting | 24 h | 8 h |',
      );
    if (section % 3 === 1) {
      const [lang, code] = pick(codeSamples);
      parts.push(`\`\`\`${lang}\n${code}\n\`\`\``);
    }
  }
  parts.push(`A claim with a source.[^1]\n\n[^1]: NIST SP 800-34 Rev. 1, section ${1 + (index % 7)}.`);
  return `${parts.join('\n\n')}\n`;
}

const mixed = (index: number) =>
  index % 10 === 0
    ? `${body(index)}\nWrite to oncall-${index}@example.com or see www.example.com/runbook/${index}.\n\n<details><summary>Raw <kbd>HTML</kbd></summary>\n\nHidden <b>detail</b>.\n\n</details>\n`
    : body(index);

async function rendererOf(checkout: string): Promise<Render> {
  const module = (await import(pathToFileURL(join(checkout, 'src/content/markdown.ts')).href)) as {
    renderMarkdown: Render;
  };
  return module.renderMarkdown;
}

/** CPU milliseconds (user + system) of one render. */
async function cpuOf(render: Render, input: RenderInput): Promise<number> {
  const before = process.cpuUsage();
  await render(input);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

async function measure(set: string, bodies: string[], renderers: [string, Render][]): Promise<void> {
  const contentDir = join(root, 'test/fixtures/content');
  const inputs = bodies.map((text, index) => ({ contentDir, file: `notes/n${index}.md`, body: text }));
  for (const input of inputs.slice(0, warmUp)) for (const [, render] of renderers) await render(input);
  const perRun = new Map<string, number[]>(renderers.map(([name]) => [name, []]));
  for (let round = 0; round < runs; round++) {
    const totals = new Map<string, number>(renderers.map(([name]) => [name, 0]));
    for (const [index, input] of inputs.slice(warmUp).entries()) {
      // Turns alternate so that neither renderer always runs right after the other.
      const order = (index + round) % 2 === 0 ? renderers : [...renderers].reverse();
      for (const [name, render] of order)
        totals.set(name, (totals.get(name) ?? 0) + (await cpuOf(render, input)));
    }
    for (const [name, total] of totals) perRun.get(name)?.push(total / (inputs.length - warmUp));
  }
  const medians = renderers.map(([name]) => [name, median(perRun.get(name) ?? [])] as const);
  for (const [name, value] of medians)
    console.log(
      `${set.padEnd(34)} ${name.padEnd(9)} ${value.toFixed(2)} ms/note CPU (median of ${runs} runs: ${(perRun.get(name) ?? []).map((v) => v.toFixed(2)).join(', ')})`,
    );
  const [reference, current] = [
    medians.find(([n]) => n === 'reference'),
    medians.find(([n]) => n === 'this'),
  ];
  if (reference && current)
    console.log(`${set.padEnd(34)} this ÷ reference: ${(current[1] / reference[1]).toFixed(2)}`);
}

const renderers: [string, Render][] = [['this', await rendererOf(root)]];
if (process.env.REFERENCE) renderers.unshift(['reference', await rendererOf(process.env.REFERENCE)]);
console.log(`load before: ${execFileSync('uptime', { encoding: 'utf8' }).trim()}`);
const indexes = Array.from({ length: noteCount }, (_, index) => index);
await measure(`${noteCount} generated notes`, indexes.map(body), renderers);
await measure('same, every 10th with @, www., HTML', indexes.map(mixed), renderers);
console.log(`load after: ${execFileSync('uptime', { encoding: 'utf8' }).trim()}`);
