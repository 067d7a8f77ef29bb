// When each background loop of this process last completed a turn that reached the database. A loop
// that stops turning (stuck, or failing every time) makes the process not ready, which a supervisor
// or a load balancer can act on; the wall clock is not used, so a clock step cannot fake or hide it.
import { performance } from 'node:perf_hooks';

export class LoopMonitor {
  private readonly lastTurn = new Map<string, number>();

  constructor(
    /** A loop silent for longer than this is stale; several of its polls, so one slow turn is not. */
    private readonly staleAfterMs = 60_000,
  ) {}

  /** Starts counting at once: a loop that never turns goes stale like one that stopped. */
  watch(name: string): () => void {
    this.lastTurn.set(name, performance.now());
    return () => this.lastTurn.set(name, performance.now());
  }

  /** The stale loops, as one line each ("outbox: last turn 75 s ago"), or none. */
  problems(): string[] {
    const now = performance.now();
    const stale: string[] = [];
    for (const [name, at] of this.lastTurn) {
      const ageMs = now - at;
      if (ageMs > this.staleAfterMs) stale.push(`${name}: last turn ${Math.round(ageMs / 1000)} s ago`);
    }
    return stale;
  }
}
