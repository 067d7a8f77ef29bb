// Renders notes on every core; a handful are cheaper to render here than to start threads for.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { workerScript } from '../worker-script.js';
import type { RenderOutcome } from './render-worker.js';
import type { RenderInput } from './rendered-note.js';

/** Below this many notes, starting worker threads (each loads Shiki) costs more than it saves. */
const minimumForThreads = 24;

/** Render threads that live as long as their owner needs them (a server warming up, an export). */
export class RenderThreads {
  private pool: Piscina<RenderInput, RenderOutcome> | undefined;
  private local: Promise<(input: RenderInput) => Promise<RenderOutcome>> | undefined;
  private destroyed = false;

  constructor(readonly threads = availableParallelism()) {}

  /** Starts the threads at once, so that they load the renderer while the caller does other work. */
  start(): this {
    if (this.threads >= 2)
      this.pool ??= new Piscina<RenderInput, RenderOutcome>({
        ...workerScript(import.meta.url, 'render-worker'),
        maxThreads: this.threads,
        minThreads: this.threads,
        // Tasks wait in the caller's own queue (newest notes first, pages asked for before those).
        maxQueue: Number.POSITIVE_INFINITY,
      });
    return this;
  }

  render(input: RenderInput): Promise<RenderOutcome> {
    if (this.destroyed) return Promise.reject(new Error('the render threads are stopped'));
    if (this.threads >= 2) return this.start().pool?.run(input) ?? this.renderHere(input);
    return this.renderHere(input);
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
    const pool = this.pool;
    this.pool = undefined;
    await pool?.destroy();
  }

  private async renderHere(input: RenderInput): Promise<RenderOutcome> {
    // Loaded on demand: a start with every note cached never loads the renderer or Shiki.
    this.local ??= import('./render-worker.js').then((module) => module.default);
    return (await this.local)(input);
  }
}

export async function renderMany(
  inputs: RenderInput[],
  threads = availableParallelism(),
): Promise<RenderOutcome[]> {
  if (inputs.length === 0) return [];
  const pool = new RenderThreads(inputs.length < minimumForThreads ? 1 : threads);
  try {
    if (pool.threads < 2) {
      const outcomes: RenderOutcome[] = [];
      for (const input of inputs) outcomes.push(await pool.render(input));
      return outcomes;
    }
    return await Promise.all(inputs.map((input) => pool.render(input)));
  } finally {
    await pool.destroy();
  }
}
