// Delivers the outbox (transactional mail) in the background of whichever process runs it: keeps up to
// `concurrency` mails in flight, takes the next due row as soon as one finishes (a slow relay reply holds
// up only its own mail), renews the lease of every mail in flight, and records each outcome. Nothing is
// held only in memory, so stopping at any moment loses nothing.
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Db } from '../db/open-database.js';
import type { OutboxMessage } from '../db/schema.js';
import { enhancedStatusOf } from '../mail/reply-class.js';
import { deliveryErrorOf, type Transport } from '../mail/transport.js';
import { type DeliveryObserver, unobservedDeliveries } from './delivery-observer.js';
import { claim, giveUpExpiredMail, markFailed, markSent, renewLeases } from './outbox.js';
import type { ReaderActions } from './reader-actions.js';
import { redactAddresses } from './redact.js';
import type { VerpCodec } from './verp.js';

export interface OutboxWorkerOptions {
  db: Db;
  transport: Transport;
  clock: Clock;
  log: Logger;
  from: string;
  verp: VerpCodec;
  actions: ReaderActions;
  /** Mails in flight at once; matches the relay connections (SMTP_POOL). */
  concurrency: number;
  pollMs?: number;
  /** Short, and renewed while a mail is in flight: a dead worker's mail waits this long, no longer. */
  leaseMs?: number;
  observer?: DeliveryObserver;
  /** Each turn of the loop that could read the outbox: the worker is alive (for /readyz). */
  onLoop?: () => void;
}

export const outboxLeaseMs = 30_000;

export class OutboxWorker {
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private readonly inFlight = new Map<number, Promise<void>>();
  private renewTimer: NodeJS.Timeout | undefined;
  private expiredCheckAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: OutboxWorkerOptions) {}

  private get observer(): DeliveryObserver {
    return this.options.observer ?? unobservedDeliveries;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const leaseMs = this.options.leaseMs ?? outboxLeaseMs;
    this.renewTimer = setInterval(() => void this.renew(), leaseMs / 3);
    this.renewTimer.unref();
    this.loop = this.run();
  }

  /** Called after a mail is queued, so it leaves now rather than at the next poll. */
  wake(): void {
    this.wakeUp?.();
  }

  /** Takes no new mail, and waits for the mails in flight to be sent and recorded. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    await Promise.all(this.inFlight.values());
    clearInterval(this.renewTimer);
  }

  /** Starts every due mail there is room for and waits for them; returns how many were attempted. */
  async deliverDue(): Promise<number> {
    const started = await this.startDue();
    await Promise.all(started);
    return started.length;
  }

  /** Mails due now; they are sent with priority over issues, by connections of their own. */
  private async startDue(): Promise<Promise<void>[]> {
    const { db, clock, concurrency } = this.options;
    await this.giveUpExpired();
    const room = concurrency - this.inFlight.size;
    if (room <= 0) return [];
    const leaseMs = this.options.leaseMs ?? outboxLeaseMs;
    const rows = await claim(db.kysely, db.engine, clock.now(), room, leaseMs);
    return rows.map((row) => {
      const sending = this.deliver(row).finally(() => {
        this.inFlight.delete(row.id);
        this.wake();
      });
      this.inFlight.set(row.id, sending);
      return sending;
    });
  }

  private async deliver(row: OutboxMessage): Promise<void> {
    const { db, clock, log, verp, transport } = this.options;
    try {
      await transport.send({
        from: this.options.from,
        to: row.recipient,
        subject: row.subject,
        html: row.html,
        text: row.text,
        headers: JSON.parse(row.headers) as Record<string, string>,
        messageId: row.message_id,
        date: new Date(row.created_at),
        returnPath: verp.returnPath({ kind: 'outbox', outboxId: row.id, subscriberId: row.subscriber_id }),
      });
      await markSent(db.kysely, row.id, clock.now());
      this.observer.delivered('outbox', 'sent', 'accepted');
    } catch (error) {
      const failure = deliveryErrorOf(error);
      const reply = redactAddresses(failure.message);
      const refusal = { reply, replyClass: failure.replyClass, status: enhancedStatusOf(reply) };
      const outcome = await markFailed(db.kysely, this.options.actions, row, refusal, clock.now());
      this.observer.delivered('outbox', outcome, failure.replyClass);
      const fields = { outboxId: row.id, kind: row.kind, attempts: row.attempts, outcome, reply };
      if (failure.replyClass === 'sender')
        log.error(
          fields,
          'the relay refuses our mail: check SMTP_URL (credentials) and MAIL_FROM; the mail is kept and retried, no reader is suppressed',
        );
      else if (failure.replyClass === 'hard-bounce')
        log.warn(fields, 'the relay refused the address for good; the reader is suppressed');
      else log.warn(fields, 'mail delivery failed; will retry');
    }
  }

  /** Once a minute: mail still waiting a day after it was queued is failed (see giveUpExpiredMail). */
  private async giveUpExpired(): Promise<void> {
    const now = this.options.clock.now();
    if (now.getTime() - this.expiredCheckAt < 60_000) return;
    this.expiredCheckAt = now.getTime();
    const given = await giveUpExpiredMail(this.options.db.kysely, now);
    if (given > 0)
      this.options.log.warn({ mails: given }, 'mails queued more than a day ago were given up, not sent');
  }

  private async renew(): Promise<void> {
    const { db, clock } = this.options;
    const until = new Date(clock.now().getTime() + (this.options.leaseMs ?? outboxLeaseMs));
    try {
      await renewLeases(db.kysely, [...this.inFlight.keys()], until);
    } catch (error) {
      this.options.log.error({ err: error }, 'could not renew the lease of mails in flight');
    }
  }

  private async run(): Promise<void> {
    const { pollMs = 1000 } = this.options;
    while (this.running) {
      let started = 0;
      try {
        started = (await this.startDue()).length;
        this.options.onLoop?.();
      } catch (error) {
        // The database may be briefly unavailable; the rows are safe where they are.
        this.options.log.error({ err: error }, 'delivery worker could not read the outbox');
      }
      if (started > 0 || !this.running) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = undefined;
    }
  }
}
