// Writes a signed checkpoint of the chain's head as the chain grows: when a process starts its workers,
// after every 100 new events or a minute with any new event, and when it stops. Events after the
// newest checkpoint are the only ones whose removal could go unnoticed, so the gap is kept short.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import { appendCheckpoint, type Head } from './checkpoints.js';
import type { LedgerKeys } from './ledger-keys.js';

export interface CheckpointWriterOptions {
  db: Kysely<Database>;
  keys: LedgerKeys;
  file: string;
  clock: Clock;
  log: Logger;
  everyEvents?: number;
  everyMs?: number;
  pollMs?: number;
}

export class CheckpointWriter {
  private written: Head | undefined;
  private writtenAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly o: CheckpointWriterOptions) {}

  start(): void {
    this.tick(true);
    this.timer = setInterval(() => this.tick(false), this.o.pollMs ?? 5000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.tick(true);
    await this.running;
  }

  /** Serialised, so that a slow database never has two checks writing the same head. */
  private tick(always: boolean): void {
    this.running = this.running.then(() =>
      this.checkpoint(always).catch((error: unknown) => {
        // A missed checkpoint is retried on the next tick; the ledger itself is not affected.
        this.o.log.warn({ err: error }, 'could not write a ledger checkpoint');
      }),
    );
  }

  private async checkpoint(always: boolean): Promise<void> {
    const head = await this.o.db
      .selectFrom('ledger_events')
      .select(['seq', 'hash'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!head || head.seq === this.written?.seq) return;
    const now = this.o.clock.now();
    const grown = head.seq - (this.written?.seq ?? 0);
    const due =
      always ||
      grown >= (this.o.everyEvents ?? 100) ||
      now.getTime() - this.writtenAt >= (this.o.everyMs ?? 60_000);
    if (!due) return;
    appendCheckpoint(this.o.file, this.o.keys, head, now);
    this.written = head;
    this.writtenAt = now.getTime();
  }
}
