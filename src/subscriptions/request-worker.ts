// Decides recorded subscribe requests in the background of whichever process runs it. It polls rather
// than being woken by each request, so the extra work a new address causes is not tied in time to the
// answer that recorded it. Rows are leased, so several processes can run it; a crash leaves them to
// be taken again once the lease runs out.
import type { Logger } from 'pino';
import { redactAddresses } from '../delivery/redact.js';
import type { SubscriptionContext } from './context.js';
import { decideRequest } from './request.js';
import { claimRequests, takeRequest } from './store.js';
import type { SubscriptionObserver } from './subscription-observer.js';

export interface RequestWorkerOptions {
  log: Logger;
  pollMs?: number;
  /** Tells the delivery worker a mail is waiting. */
  onQueued?: () => void;
  observer?: SubscriptionObserver;
}

const batchSize = 50;
const leaseMs = 30_000;
/** A request that fails this often is a bug, not bad luck: it is dropped (and logged) rather than retried forever. */
const maxAttempts = 5;

export class RequestWorker {
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  /** Passes run one after another, so `runDue` and the loop never decide side by side in one process. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly c: SubscriptionContext,
    private readonly o: RequestWorkerOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  /**
   * Requests recorded before a stop (SIGTERM) are decided now, not left until the next start; by a
   * process that ran the worker only: `serve --no-worker` leaves them to the worker processes.
   */
  async stop(): Promise<void> {
    const wasRunning = this.running;
    this.running = false;
    clearTimeout(this.timer);
    await this.chain;
    if (wasRunning) await this.runDue().catch(() => 0);
  }

  /** Decides every request recorded so far; returns how many were decided. */
  async runDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const decided = await this.pass();
      total += decided;
      if (decided === 0) return total;
    }
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      void this.runDue().finally(() => this.schedule());
    }, this.o.pollMs ?? 200);
  }

  private pass(): Promise<number> {
    const next = this.chain.then(() => this.decideBatch());
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async decideBatch(): Promise<number> {
    const { db, clock } = this.c;
    let rows: Awaited<ReturnType<typeof claimRequests>>;
    try {
      rows = await claimRequests(db.kysely, db.engine, clock.now(), batchSize, leaseMs);
    } catch (error) {
      this.o.log.error(
        { error: redactAddresses((error as Error).message) },
        'cannot read subscribe requests',
      );
      return 0;
    }
    let queued = false;
    for (const row of rows) {
      try {
        const mailed = await decideRequest(this.c, row);
        this.o.observer?.subscription('decide', mailed ? 'confirmation-queued' : 'no-mail');
        queued = mailed || queued;
      } catch (error) {
        // Only the keyed hash is logged: an address in a log outlives its erasure.
        const fields = { emailHmac: row.email_hmac, attempts: row.attempts };
        const message = redactAddresses((error as Error).message);
        if (row.attempts >= maxAttempts) {
          await takeRequest(db.kysely, row.id).catch(() => false);
          this.o.log.error({ ...fields, error: message }, 'a subscribe request kept failing and was dropped');
        } else this.o.log.warn({ ...fields, error: message }, 'a subscribe request failed; will retry');
      }
    }
    if (queued) this.o.onQueued?.();
    return rows.length;
  }
}
