// SEND_RATE: a pace shared by every lane of a process, so a relay's hourly or per-second quota is kept
// whatever the number of connections. Per-destination throttling belongs to the relay (an MTA does it).
import { setTimeout as sleep } from 'node:timers/promises';

export class RateLimiter {
  private next = 0;

  /** perSecond 0: no limit. */
  constructor(private readonly perSecond: number) {}

  async take(): Promise<void> {
    if (this.perSecond <= 0) return;
    const now = performance.now();
    const at = Math.max(now, this.next);
    this.next = at + 1000 / this.perSecond;
    if (at > now) await sleep(at - now);
  }
}
