// Delivers the outbox in the background of whichever process runs it: claims due rows, sends them, and
// records the outcome. Nothing is held only in memory, so stopping at any moment loses nothing.
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Db } from '../db/open-database.js';
import { type OutgoingMail, PermanentDeliveryError, type Transport } from '../mail/transport.js';
import { claim, markFailed, markSent } from './outbox.js';

export interface DeliveryWorkerOptions {
  db: Db;
  transport: Transport;
  clock: Clock;
  log: Logger;
  from: string;
  batchSize?: number;
  pollMs?: number;
  leaseMs?: number;
}

export class DeliveryWorker {
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: DeliveryWorkerOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Called after a mail is queued, so it leaves now rather than at the next poll. */
  wake(): void {
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  /** Sends every due mail once; returns how many were attempted. */
  async deliverDue(): Promise<number> {
    const { db, clock, batchSize = 20, leaseMs = 5 * 60_000 } = this.options;
    const rows = await claim(db.kysely, db.engine, clock.now(), batchSize, leaseMs);
    await Promise.all(
      rows.map(async (row) => {
        const mail: OutgoingMail = {
          from: this.options.from,
          to: row.recipient,
          subject: row.subject,
          html: row.html,
          text: row.text,
          headers: JSON.parse(row.headers) as Record<string, string>,
          messageId: row.message_id,
          date: new Date(row.created_at),
        };
        try {
          await this.options.transport.send(mail);
          await markSent(db.kysely, row.id, clock.now());
        } catch (error) {
          const permanent = error instanceof PermanentDeliveryError;
          const message = error instanceof Error ? error.message : String(error);
          const outcome = await markFailed(db.kysely, db.engine, row, message, permanent, clock.now());
          this.options.log.warn(
            { outboxId: row.id, kind: row.kind, attempts: row.attempts, outcome, error: message },
            outcome === 'failed'
              ? 'mail could not be delivered; giving up'
              : 'mail delivery failed; will retry',
          );
        }
      }),
    );
    return rows.length;
  }

  private async run(): Promise<void> {
    const { pollMs = 1000 } = this.options;
    while (this.running) {
      let sent = 0;
      try {
        sent = await this.deliverDue();
      } catch (error) {
        // The database may be briefly unavailable; the rows are safe where they are.
        this.options.log.error({ err: error }, 'delivery worker could not read the outbox');
      }
      if (sent > 0 || !this.running) continue;
      await new Promise<void>((resolve) => {
        this.wakeUp = resolve;
        this.timer = setTimeout(resolve, pollMs);
      });
      clearTimeout(this.timer);
      this.wakeUp = undefined;
    }
  }
}
