// CPU per note of the Markdown renderer on bench/cold-start.ts's 1,000 generated notes (some with an email
// address, a `www.` link or raw HTML, so that the fast paths for notes without them are not all that is
// measured). With REFERENCE set to another checkout of errorbudget
// (its own node_modules installed), that checkout's renderer takes turns with this one note by note in the
// same process, so that load on the machine hits both alike, and the ratio is printed.
// Usage: REFERENCE=/path/to/other/checkout RUNS=5 npx tsx bench/render-notes.ts
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RenderedNote, RenderInput } from '../src/content/rendered-note.js';
import { generatedNote } from '../test/support/generated-notes.js';
import { median, root } from './support.js';

type Render = (input: RenderInput) => Promise<RenderedNote>;

const runs = Number(process.env.RUNS ?? 5);
const noteCount = Number(process.env.NOTES ?? 1000);
const warmUp = 30;

/** The body of generated note `index` (its front matter is not the renderer's work). */
const body = (index: number) => generatedNote(index).replace(/^---\n[\s\S]*?\n---\n\n/, '');

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
console.log(`load after: ${execFileSync('uptime', { encoding: 'utf8' }).trim()}`);
