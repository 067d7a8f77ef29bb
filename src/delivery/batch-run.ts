// One lane's work on one claimed batch: readers in id order, pipelined on one connection, the cursor
// moved by each reply in order (so it is always contiguous), and checkpoints that never fall more than
// `checkpointEvery` mails behind what was handed to the relay.
import type { Clock } from '../clock.js';
import type { Db } from '../db/open-database.js';
import type { IssueBatch } from '../db/schema.js';
import { classifyReply } from '../mail/reply-class.js';
import type { SendOutcome } from '../mail/smtp-client.js';
import type { DeliveryObserver } from './delivery-observer.js';
import {
  type CheckpointResult,
  checkpoint,
  type Reader,
  type ReaderException,
  readersAfter,
} from './issue-batches.js';
import type { IssueComposer } from './issue-composer.js';
import { readersPerBatch } from './issue-store.js';
import type { RateLimiter } from './rate-limiter.js';
import type { ReaderActions } from './reader-actions.js';
import { redactAddresses } from './redact.js';
import type { RelayConnection } from './relay.js';

export type BatchEnd =
  | { kind: 'done' | 'released' | 'cancelled' | 'lost' }
  /** The relay refuses us, not a reader: the batch is given back and the lanes back off. */
  | { kind: 'refused'; reply: string }
  /** The connection or the database failed: the batch is given back from its last recorded reader. */
  | { kind: 'broken'; error: unknown };

export interface BatchRunOptions {
  db: Db;
  clock: Clock;
  actions: ReaderActions;
  batch: IssueBatch;
  composer: IssueComposer;
  worker: string;
  checkpointEvery: number;
  leaseMs: number;
  rate: RateLimiter;
  isStopping(): boolean;
  observer: DeliveryObserver;
}

/** Refusals in a row that are not about the reader (4xx, policy) before the lane stops and backs off. */
const refusalsBeforeBackoff = 3;

export class BatchRun {
  private cursor: number;
  private sent: number;
  private failed: number;
  private deferred: number;
  private exceptions: ReaderException[] = [];
  private issued = 0;
  private handled = 0;
  private recorded = 0;
  private refusalsInARow = 0;
  private stop: CheckpointResult | 'refused' | undefined;
  private refusedReply = '';
  private broken: unknown;
  private checkpointing: Promise<void> | undefined;
  private checkpointAgain = false;
  private progress: (() => void)[] = [];
  private readonly date: Date;

  constructor(private readonly o: BatchRunOptions) {
    this.cursor = o.batch.acked_through;
    this.sent = o.batch.sent;
    this.failed = o.batch.failed;
    this.deferred = o.batch.deferred;
    // One Date per batch: a late batch does not say it was written hours ago.
    this.date = o.clock.now();
  }

  async send(connect: () => Promise<RelayConnection>, drop: () => void): Promise<BatchEnd> {
    const ticker = setInterval(() => this.checkpointSoon(), 1000);
    let finished = false;
    try {
      while (!this.halted()) {
        const readers = await readersAfter(
          this.o.db.kysely,
          { ...this.o.batch, acked_through: this.cursor },
          this.o.composer.issue.snapshot_at ?? '',
          readersPerBatch,
        );
        if (readers.length === 0) {
          finished = true;
          break;
        }
        let connection: RelayConnection;
        try {
          connection = await connect();
        } catch (error) {
          this.broken = error;
          break;
        }
        await this.sendReaders(connection, readers);
        if (this.broken) drop();
      }
      await this.checkpointing;
      return await this.finish(finished);
    } catch (error) {
      return { kind: 'broken', error };
    } finally {
      clearInterval(ticker);
    }
  }

  private halted(): boolean {
    return this.stop !== undefined || this.broken !== undefined || this.o.isStopping();
  }

  private async sendReaders(connection: RelayConnection, readers: Reader[]): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const reader of readers) {
      await this.roomInWindow();
      if (this.halted()) break;
      const mail = await this.o.composer.compose(reader, this.date);
      await this.o.rate.take();
      this.issued += 1;
      pending.push(
        connection.send(mail.envelope, mail.message, mail.messageId).then(
          (outcome) => this.handle(reader, outcome),
          (error: unknown) => {
            this.broken ??= error;
            this.wakeWindow();
          },
        ),
      );
    }
    await Promise.all(pending);
    // Mails handed over but without a reply are unknown: they are sent again from the cursor.
    this.issued = this.handled;
  }

  private handle(reader: Reader, outcome: SendOutcome): void {
    this.handled += 1;
    this.cursor = reader.id;
    if (outcome.accepted) {
      this.sent += 1;
      this.refusalsInARow = 0;
      this.o.observer.delivered('issue', 'sent', 'accepted');
    } else {
      const replyClass = classifyReply(outcome.stage, outcome.reply.code, outcome.reply.enhanced);
      this.o.observer.delivered('issue', replyClass === 'hard-bounce' ? 'failed' : 'retry', replyClass);
      const reply = redactAddresses(`${outcome.reply.code} ${outcome.reply.text}`);
      const exception = { subscriberId: reader.id, code: outcome.reply.code, reply };
      if (replyClass === 'hard-bounce') {
        this.failed += 1;
        this.refusalsInARow = 0;
        this.exceptions.push({
          ...exception,
          state: 'failed',
          bounce: {
            source: 'smtp',
            class: 'hard',
            status: outcome.reply.enhanced,
            diagnostic: reply,
            issueId: this.o.batch.issue_id,
          },
        });
      } else {
        this.deferred += 1;
        this.exceptions.push({ ...exception, state: 'retry' });
        this.refusalsInARow += 1;
        // A refused sender refuses every reader: stop at once rather than defer the whole list.
        const aboutUs = replyClass === 'sender' && outcome.stage === 'mail';
        if (aboutUs || this.refusalsInARow >= refusalsBeforeBackoff) {
          this.stop ??= 'refused';
          this.refusedReply = reply;
        }
      }
    }
    if (this.handled - this.recorded >= Math.max(1, this.o.checkpointEvery / 2)) this.checkpointSoon();
  }

  private async roomInWindow(): Promise<void> {
    while (!this.halted() && this.issued - this.recorded >= this.o.checkpointEvery) {
      if (this.handled > this.recorded) this.checkpointSoon();
      await new Promise<void>((resolve) => this.progress.push(resolve));
    }
  }

  private wakeWindow(): void {
    const waiting = this.progress;
    this.progress = [];
    for (const resolve of waiting) resolve();
  }

  /** One checkpoint at a time; a request during one runs right after it. */
  private checkpointSoon(): void {
    if (this.checkpointing) {
      this.checkpointAgain = true;
      return;
    }
    const handled = this.handled;
    this.checkpointing = this.record()
      .then((result) => {
        this.recorded = handled;
        if (result !== 'continue') this.stop ??= result;
      })
      .catch((error: unknown) => {
        this.broken ??= error;
      })
      .finally(() => {
        this.checkpointing = undefined;
        this.wakeWindow();
        if (this.checkpointAgain) {
          this.checkpointAgain = false;
          this.checkpointSoon();
        }
      });
  }

  private record(finish?: 'done' | 'queued' | 'cancelled'): Promise<CheckpointResult> {
    const exceptions = this.exceptions;
    this.exceptions = [];
    return checkpoint(
      this.o.db.kysely,
      this.o.actions,
      {
        batch: this.o.batch,
        worker: this.o.worker,
        ackedThrough: this.cursor,
        sent: this.sent,
        failed: this.failed,
        deferred: this.deferred,
        exceptions,
        leaseMs: this.o.leaseMs,
        ...(finish ? { finish } : {}),
      },
      this.o.clock.now(),
    );
  }

  private async finish(finished: boolean): Promise<BatchEnd> {
    if (this.stop === 'lost') return { kind: 'lost' };
    const cancelled = this.stop === 'cancelled';
    const result = await this.record(finished && !this.stop ? 'done' : cancelled ? 'cancelled' : 'queued');
    if (result === 'lost') return { kind: 'lost' };
    if (this.broken !== undefined) return { kind: 'broken', error: this.broken };
    if (this.stop === 'refused') return { kind: 'refused', reply: this.refusedReply };
    if (cancelled) return { kind: 'cancelled' };
    return { kind: finished && !this.stop ? 'done' : 'released' };
  }
}
