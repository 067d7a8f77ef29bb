// Readers whose issue mail was refused for the moment (4xx, a policy reply) have an exception row and get
// the mail again later, one by one, with the outbox's backoff, until a day has passed; a hard bounce on a
// retry suppresses them like one during the send.
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Db } from '../db/open-database.js';
import type { Database, ExceptionState } from '../db/schema.js';
import { classifyReply } from '../mail/reply-class.js';
import type { DeliveryObserver } from './delivery-observer.js';
import type { Reader } from './issue-batches.js';
import type { IssueComposer } from './issue-composer.js';
import { giveUpAfterMs, retryDelayMs } from './outbox.js';
import type { RateLimiter } from './rate-limiter.js';
import type { ReaderActions } from './reader-actions.js';
import { recordBounce } from './record-bounce.js';
import { redactAddresses } from './redact.js';
import type { RelayConnection } from './relay.js';

export interface RetryRound {
  db: Db;
  clock: Clock;
  actions: ReaderActions;
  retries: DueRetry[];
  composer(issueId: number): Promise<IssueComposer>;
  connection: RelayConnection;
  rate: RateLimiter;
  observer: DeliveryObserver;
}

export async function sendRetries(round: RetryRound): Promise<void> {
  const { db, clock } = round;
  for (const retry of round.retries) {
    const composer = await round.composer(retry.issueId);
    const mail = await composer.compose(retry.reader, clock.now());
    await round.rate.take();
    const outcome = await round.connection.send(mail.envelope, mail.message, mail.messageId);
    if (outcome.accepted) {
      await settleRetry(db.kysely, retry, 'sent', outcome.reply.code, '', clock.now());
      round.observer.delivered('issue', 'sent', 'accepted');
      continue;
    }
    const { code, enhanced, text } = outcome.reply;
    const reply = redactAddresses(`${code} ${text}`);
    const replyClass = classifyReply(outcome.stage, code, enhanced);
    round.observer.delivered('issue', replyClass === 'hard-bounce' ? 'failed' : 'retry', replyClass);
    if (replyClass !== 'hard-bounce') {
      await settleRetry(db.kysely, retry, 'retry', code, reply, clock.now());
      continue;
    }
    await settleRetry(db.kysely, retry, 'failed', code, reply, clock.now());
    await db.kysely
      .transaction()
      .execute((trx) =>
        recordBounce(
          trx,
          round.actions,
          retry.reader.id,
          { source: 'smtp', class: 'hard', status: enhanced, diagnostic: reply, issueId: retry.issueId },
          clock.now(),
        ),
      );
  }
}

export interface DueRetry {
  issueId: number;
  attempts: number;
  createdAt: string;
  reader: Reader;
}

/** Readers of sending issues whose temporary refusal is due for another try, leased to this worker. */
export async function claimRetries(
  db: Kysely<Database>,
  now: Date,
  leaseMs: number,
  limit: number,
): Promise<DueRetry[]> {
  const at = now.toISOString();
  const due = await db
    .selectFrom('issue_exceptions')
    .innerJoin('subscribers', 'subscribers.id', 'issue_exceptions.subscriber_id')
    .innerJoin('issues', 'issues.id', 'issue_exceptions.issue_id')
    .select([
      'issue_exceptions.issue_id',
      'issue_exceptions.attempts',
      'issue_exceptions.created_at',
      'issue_exceptions.lease_until',
      'subscribers.id',
      'subscribers.key',
      'subscribers.email',
      'subscribers.status',
    ])
    .where('issues.state', '=', 'sending')
    .where('issue_exceptions.state', '=', 'retry')
    .where('issue_exceptions.next_attempt_at', '<=', at)
    .where((eb) =>
      eb.or([eb('issue_exceptions.lease_until', 'is', null), eb('issue_exceptions.lease_until', '<', at)]),
    )
    .orderBy('issue_exceptions.next_attempt_at')
    .limit(limit)
    .execute();
  const claimed: DueRetry[] = [];
  for (const row of due) {
    // Taken only if nobody else took it since it was read: the lease is the lock.
    const taken = await db
      .updateTable('issue_exceptions')
      .set({ lease_until: new Date(now.getTime() + leaseMs).toISOString() })
      .where('issue_id', '=', row.issue_id)
      .where('subscriber_id', '=', row.id)
      .where('state', '=', 'retry')
      .where((eb) =>
        row.lease_until === null ? eb('lease_until', 'is', null) : eb('lease_until', '=', row.lease_until),
      )
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) === 0) continue;
    const reader = { id: row.id, key: row.key, email: row.email };
    if (row.status !== 'active') {
      await settleRetry(
        db,
        { issueId: row.issue_id, reader },
        'failed',
        null,
        'reader left before the retry',
        now,
      );
      continue;
    }
    claimed.push({ issueId: row.issue_id, attempts: row.attempts, createdAt: row.created_at, reader });
  }
  return claimed;
}

/** The outcome of one retry: delivered, refused for good, or due again later (until a day has passed). */
export async function settleRetry(
  db: Kysely<Database>,
  retry: Pick<DueRetry, 'issueId' | 'reader'> & Partial<Pick<DueRetry, 'attempts' | 'createdAt'>>,
  state: ExceptionState,
  code: number | null,
  reply: string,
  now: Date,
): Promise<ExceptionState> {
  const attempts = (retry.attempts ?? 1) + 1;
  const expired = now.getTime() - Date.parse(retry.createdAt ?? now.toISOString()) > giveUpAfterMs;
  const final = state === 'retry' && expired ? 'failed' : state;
  await db
    .updateTable('issue_exceptions')
    .set({
      state: final,
      attempts,
      code,
      reply,
      lease_until: null,
      next_attempt_at: new Date(now.getTime() + retryDelayMs(attempts)).toISOString(),
      updated_at: now.toISOString(),
    })
    .where('issue_id', '=', retry.issueId)
    .where('subscriber_id', '=', retry.reader.id)
    .execute();
  return final;
}
