// Renders many notes at once on every core; a handful are cheaper to render here than to start threads for.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { workerScript } from '../worker-script.js';
import type { RenderOutcome } from './render-worker.js';
import type { RenderInput } from './rendered-note.js';

/** Below this many notes, starting worker threads (each loads Shiki) costs more than it saves. */
const minimumForThreads = 24;

export async function renderMany(
  inputs: RenderInput[],
  threads = availableParallelism(),
): Promise<RenderOutcome[]> {
  if (inputs.length < minimumForThreads || threads < 2) {
    if (inputs.length === 0) return [];
    // Loaded on demand: a start with every note cached never loads markdown-it or Shiki.
    const { default: renderOutcome } = await import('./render-worker.js');
    const outcomes: RenderOutcome[] = [];
    for (const input of inputs) outcomes.push(await renderOutcome(input));
    return outcomes;
  }
  const pool = new Piscina<RenderInput, RenderOutcome>({
    ...workerScript(import.meta.url, 'render-worker'),
    maxThreads: threads,
    minThreads: threads,
  });
  try {
    return await Promise.all(inputs.map((input) => pool.run(input)));
  } finally {
    await pool.destroy();
  }
}
