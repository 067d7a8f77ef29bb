// Sends issues: `lanes` connections to the relay, each working through one claimed batch at a time, in
// reader order, pipelined. The cursor moves on each reply; a checkpoint records it every few replies or
// every second, and no lane runs more than `checkpointEvery` mails ahead of what is recorded, so a crash
// can repeat at most lanes × checkpointEvery mails and never skips one. Pause and cancel are seen at the
// next checkpoint; a stop (SIGTERM) finishes the mails in flight, records them and gives the batch back.
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Db } from '../db/open-database.js';
import type { Issue, IssueBatch } from '../db/schema.js';
import { classifyReply } from '../mail/reply-class.js';
import { SmtpError } from '../mail/smtp-client.js';
import { BatchRun } from './batch-run.js';
import { deliveryDeadline } from './delivery-objectives.js';
import { type DeliveryObserver, unobservedDeliveries } from './delivery-observer.js';
import { claimBatch, finishIssueIfComplete } from './issue-batches.js';
import type { IssueComposer } from './issue-composer.js';
import { claimRetries, sendRetries } from './issue-retries.js';
import { readersPerBatch } from './issue-store.js';
import { RateLimiter } from './rate-limiter.js';
import type { ReaderActions } from './reader-actions.js';
import { redactAddresses } from './redact.js';
import type { Relay, RelayConnection } from './relay.js';

export interface IssueSenderOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  relay: Relay;
  actions: ReaderActions;
  composerFor(issue: Issue): IssueComposer;
  /** Names this process in leases. */
  workerId: string;
  lanes: number;
  /** Most mails a lane sends beyond what is recorded: the duplicates a crash can cause, per lane. */
  checkpointEvery?: number;
  leaseMs?: number;
  pollMs?: number;
  /** Mails per second for the whole process; 0 for no limit. */
  sendRate?: number;
  observer?: DeliveryObserver;
}

export const issueLeaseMs = 30_000;

interface PreparedIssue {
  composer: IssueComposer;
  deadline: Date;
}

/** What one turn of a lane did: sent (or settled) mail, hit trouble and backed off, or found nothing. */
type Work = 'sent' | 'trouble' | 'idle';
/** After the relay refuses the sender or drops us, lanes wait 2 s, 4 s … up to 5 min before trying again. */
const maxBackoffMs = 5 * 60_000;

export class IssueSender {
  private running = false;
  private stopping = false;
  private lanes: Promise<void>[] = [];
  private readonly composers = new Map<number, Promise<PreparedIssue>>();
  private readonly rate: RateLimiter;
  private backoffMs = 0;
  private pausedUntil = 0;
  private wakeUps = new Set<() => void>();

  constructor(private readonly o: IssueSenderOptions) {
    this.rate = new RateLimiter(o.sendRate ?? 0);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    this.lanes = Array.from({ length: this.o.lanes }, () => this.lane(false));
  }

  /** Work is waiting (an issue was created or resumed): idle lanes look now. */
  wake(): void {
    for (const wakeUp of this.wakeUps) wakeUp();
  }

  /** Finishes the mails in flight, records them, gives the batches back, and closes the connections. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await Promise.all(this.lanes);
    this.running = false;
  }

  /** Sends until no batch and no due retry is left (the CLI's `send --now`, and tests). */
  async sendAll(): Promise<void> {
    this.stopping = false;
    await Promise.all(Array.from({ length: this.o.lanes }, () => this.lane(true)));
  }

  /**
   * The issue's composer and deadline, made once per issue: its MIME and inlined HTML do not change. The
   * lanes ask at the same moment when an issue starts, so they share one build rather than make one each.
   */
  private prepared(issueId: number): Promise<PreparedIssue> {
    let prepared = this.composers.get(issueId);
    if (!prepared) {
      prepared = this.o.db.kysely
        .selectFrom('issues')
        .selectAll()
        .where('id', '=', issueId)
        .executeTakeFirstOrThrow()
        .then((issue) => ({ composer: this.o.composerFor(issue), deadline: deliveryDeadline(issue) }));
      // A failed read is not kept: the next batch asks again.
      prepared.catch(() => this.composers.delete(issueId));
      if (this.composers.size > 20) this.composers.clear();
      this.composers.set(issueId, prepared);
    }
    return prepared;
  }

  private async composer(issueId: number): Promise<IssueComposer> {
    return (await this.prepared(issueId)).composer;
  }

  private async lane(untilIdle: boolean): Promise<void> {
    let connection: RelayConnection | undefined;
    const connect = async () => {
      connection ??= await this.o.relay.open();
      return connection;
    };
    const drop = () => {
      connection?.destroy();
      connection = undefined;
    };
    try {
      while (!this.stopping) {
        await this.waitOutBackoff();
        if (this.stopping) break;
        let work: Work;
        try {
          work = await this.workOnce(connect, drop);
        } catch (error) {
          drop();
          this.backOff(error);
          continue;
        }
        // Only mail that went out resets the backoff: a relay refusing us keeps doubling it.
        if (work === 'sent') this.backoffMs = 0;
        if (work !== 'idle') continue;
        // A batch another process holds (alive, or dead until its lease runs out) is still to be sent.
        if (untilIdle && !(await this.hasOpenBatches())) break;
        await this.idle();
      }
    } finally {
      await connection?.quit().catch(() => undefined);
      connection?.destroy();
    }
  }

  /** One batch, or one round of due retries. */
  private async workOnce(connect: () => Promise<RelayConnection>, drop: () => void): Promise<Work> {
    const { db, clock, workerId } = this.o;
    const leaseMs = this.o.leaseMs ?? issueLeaseMs;
    const batch = await claimBatch(db.kysely, db.engine, workerId, clock.now(), leaseMs);
    if (batch) return this.sendBatch(batch, connect, drop);
    const retries = await claimRetries(db.kysely, clock.now(), leaseMs, readersPerBatch);
    if (retries.length === 0) return 'idle';
    const issues = new Set(retries.map((r) => r.issueId));
    await sendRetries({
      db,
      clock,
      actions: this.o.actions,
      retries,
      composer: (id) => this.composer(id),
      connection: await connect(),
      rate: this.rate,
      observer: this.o.observer ?? unobservedDeliveries,
    });
    for (const id of issues) await finishIssueIfComplete(db.kysely, id, clock.now());
    return 'sent';
  }

  private async sendBatch(
    batch: IssueBatch,
    connect: () => Promise<RelayConnection>,
    drop: () => void,
  ): Promise<Work> {
    const { db, clock, log } = this.o;
    const { composer, deadline } = await this.prepared(batch.issue_id);
    const run = new BatchRun({
      db,
      clock,
      actions: this.o.actions,
      batch,
      composer,
      worker: this.o.workerId,
      checkpointEvery: this.o.checkpointEvery ?? 20,
      leaseMs: this.o.leaseMs ?? issueLeaseMs,
      rate: this.rate,
      isStopping: () => this.stopping,
      observer: this.o.observer ?? unobservedDeliveries,
      deadline,
    });
    const end = await run.send(connect, drop);
    if (end.kind === 'done') {
      // The relay takes our mail again: an earlier refusal no longer describes the issue.
      await db.kysely
        .updateTable('issues')
        .set({ last_error: null })
        .where('id', '=', batch.issue_id)
        .where('last_error', 'is not', null)
        .execute();
      await finishIssueIfComplete(db.kysely, batch.issue_id, clock.now());
    }
    const refusal =
      end.kind === 'refused' ? end.reply : end.kind === 'broken' ? senderRefusal(end.error) : undefined;
    if (refusal) {
      log.error(
        { issue: composer.issue.note_slug, reply: refusal },
        'the relay refuses our mail (the sender, not a reader): check SMTP_URL credentials, MAIL_FROM and the relay; the issue waits and no reader is suppressed',
      );
      await db.kysely
        .updateTable('issues')
        .set({ last_error: refusal })
        .where('id', '=', batch.issue_id)
        .execute();
      this.backOff(undefined);
      return 'trouble';
    }
    if (end.kind === 'broken') {
      this.backOff(end.error);
      return 'trouble';
    }
    return 'sent';
  }

  private async hasOpenBatches(): Promise<boolean> {
    const open = await this.o.db.kysely
      .selectFrom('issue_batches')
      .select('id')
      .where(
        'issue_id',
        'in',
        this.o.db.kysely.selectFrom('issues').select('id').where('state', '=', 'sending'),
      )
      .where('state', 'in', ['queued', 'leased'])
      .limit(1)
      .executeTakeFirst();
    return open !== undefined;
  }

  private backOff(error: unknown): void {
    // Lanes failing together (the relay or the database went away for a moment) are one failure: each
    // doubling the pause made a two-second outage stop the sending for the full five minutes.
    if (Date.now() < this.pausedUntil) return;
    this.backoffMs = Math.min(Math.max(this.backoffMs * 2, 2000), maxBackoffMs);
    this.pausedUntil = Date.now() + this.backoffMs;
    if (error)
      this.o.log.warn(
        { err: error instanceof Error ? error.message : String(error), retryInMs: this.backoffMs },
        'issue delivery: the relay or the database failed; retrying',
      );
  }

  private async waitOutBackoff(): Promise<void> {
    const wait = this.pausedUntil - Date.now();
    if (wait > 0) await this.sleep(wait);
  }

  private idle(): Promise<void> {
    return this.sleep(this.o.pollMs ?? 1000);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUps.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUps.add(done);
    });
  }
}

/** A connection the relay refused for good (a wrong password, a refused greeting) is the sender's problem. */
function senderRefusal(error: unknown): string | undefined {
  if (!(error instanceof SmtpError)) return undefined;
  // No reply, but we would not go on: e.g. credentials given and the relay offers no STARTTLS. (A timeout
  // or a reset at those stages carries an error code: only a failed connection.)
  if (!error.reply)
    return ['starttls', 'auth'].includes(error.stage) && error.code === undefined
      ? redactAddresses(error.message)
      : undefined;
  const { code, enhanced, text } = error.reply;
  if (classifyReply(error.stage, code, enhanced) !== 'sender') return undefined;
  return redactAddresses(`${error.stage}: ${code} ${text}`);
}
