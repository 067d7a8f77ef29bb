// Notes rendered (or read from the render cache) in the background, newest first, while the site already
// answers; a note someone asks for is rendered at once, ahead of the queue, and its waiters share that
// one rendering.
import type { RenderOutcome } from './render-worker.js';

interface Job {
  run: () => Promise<RenderOutcome>;
  outcome: Promise<RenderOutcome>;
  settle(outcome: RenderOutcome): void;
  fail(error: unknown): void;
  started: boolean;
}

export class RenderQueue {
  private readonly jobs = new Map<string, Job>();
  private order: string[] = [];
  private running = 0;
  private going = false;
  private idleWaiters: (() => void)[] = [];

  /**
   * `inFlight`: background renderings under way at once; kept at the render thread count, so that a note
   * asked for waits for at most one rendering per thread. `done` hears of each rendering, in any order.
   */
  constructor(
    private readonly inFlight: number,
    private readonly done: (key: string, outcome: RenderOutcome) => void,
  ) {}

  get pending(): number {
    return this.jobs.size;
  }

  has(key: string): boolean {
    return this.jobs.has(key);
  }

  /** Queues a note behind those already queued; the same key twice is one rendering. */
  add(key: string, run: () => Promise<RenderOutcome>): Promise<RenderOutcome> {
    const known = this.jobs.get(key);
    if (known) return known.outcome;
    let settle: (outcome: RenderOutcome) => void = () => undefined;
    let fail: (error: unknown) => void = () => undefined;
    const outcome = new Promise<RenderOutcome>((resolve, reject) => {
      settle = resolve;
      fail = reject;
    });
    this.jobs.set(key, { run, outcome, settle, fail, started: false });
    this.order.push(key);
    this.pump();
    return outcome;
  }

  /** The rendering of a queued note, started now if it has not been; undefined if it is not queued. */
  now(key: string): Promise<RenderOutcome> | undefined {
    const job = this.jobs.get(key);
    if (!job) return undefined;
    if (!job.started) this.launch(key, job, false);
    return job.outcome;
  }

  /** Starts the background work (a server calls it once it listens). */
  go(): void {
    this.going = true;
    this.pump();
  }

  /** Starts nothing more (a stopping process). */
  stop(): void {
    this.going = false;
    this.order = [];
  }

  /** Resolves when nothing is queued or rendering. */
  idle(): Promise<void> {
    if (this.jobs.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    if (!this.going) return;
    while (this.running < this.inFlight && this.order.length > 0) {
      const key = this.order.shift() as string;
      const job = this.jobs.get(key);
      if (job && !job.started) this.launch(key, job, true);
    }
  }

  private launch(key: string, job: Job, background: boolean): void {
    job.started = true;
    if (background) this.running++;
    job.run().then(
      (outcome) => {
        this.finish(key, background);
        this.done(key, outcome);
        job.settle(outcome);
      },
      (error: unknown) => {
        this.finish(key, background);
        job.fail(error);
      },
    );
  }

  private finish(key: string, background: boolean): void {
    this.jobs.delete(key);
    if (background) this.running--;
    this.pump();
    if (this.jobs.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
