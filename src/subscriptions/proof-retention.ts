// Keeps readers' IP addresses and user agents only as long as site.yml's `privacy.retentionMonths`
// (12 by default): the proof of consent needs them for a while, not for ever. Runs in the background
// of every process that runs the workers, at start and then every hour; the ledger keeps each event's
// sealed proof, so `audit verify` still passes afterwards (see ledger/proof.ts).
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Db } from '../db/open-database.js';
import { expireUnsealedProofsBefore, sealProofsBefore } from '../ledger/expire-proofs.js';
import { deleteConfirmationsBefore, deleteRequestsBefore } from './store.js';

export interface RetentionOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  /** Read at each run, so an edit to site.yml applies without a restart. */
  months: () => number;
  everyMs?: number;
}

export interface Dropped {
  ledgerProofs: number;
  confirmations: number;
  requests: number;
}

/** The same day and time `months` calendar months before `now`. */
export function monthsBefore(now: Date, months: number): Date {
  const cutoff = new Date(now);
  cutoff.setUTCMonth(cutoff.getUTCMonth() - months);
  return cutoff;
}

export class ProofRetention {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: RetentionOptions) {}

  start(): void {
    if (this.timer) return;
    void this.runDue().catch(() => undefined);
    this.timer = setInterval(() => void this.runDue().catch(() => undefined), this.o.everyMs ?? 3600_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running.catch(() => undefined);
  }

  /** Drops what is older than the retention period now; runs one after another, never side by side. */
  runDue(): Promise<Dropped> {
    const next = this.running.then(() => this.drop());
    this.running = next.catch((error: unknown) => {
      // Nothing is lost by a failed run: the next one drops the same rows.
      this.o.log.warn({ error: (error as Error).message }, 'could not drop expired proofs of consent');
    });
    return next;
  }

  private async drop(): Promise<Dropped> {
    const months = this.o.months();
    const before = monthsBefore(this.o.clock.now(), months).toISOString();
    const db = this.o.db.kysely;
    const dropped = {
      ledgerProofs:
        (await sealProofsBefore(db, before)) +
        (await expireUnsealedProofsBefore(this.o.db, before, this.o.clock.now().toISOString())),
      confirmations: await deleteConfirmationsBefore(db, before),
      requests: await deleteRequestsBefore(db, before),
    };
    if (dropped.ledgerProofs + dropped.confirmations + dropped.requests > 0)
      this.o.log.info(
        dropped,
        `dropped IP addresses and user agents recorded before ${before} (${months === 1 ? '1 month' : `${months} months`})`,
      );
    return dropped;
  }
}
