// Readers whose mail was refused for the moment (4xx, a policy reply) get it again later, one by one,
// with the outbox's backoff; a hard bounce on a retry suppresses them like one during the send.
import type { Clock } from '../clock.js';
import type { Db } from '../db/open-database.js';
import { classifyReply } from '../mail/reply-class.js';
import type { DueRetry } from './issue-batches.js';
import { settleRetry } from './issue-batches.js';
import type { IssueComposer } from './issue-composer.js';
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
      continue;
    }
    const { code, enhanced, text } = outcome.reply;
    const reply = redactAddresses(`${code} ${text}`);
    if (classifyReply(outcome.stage, code, enhanced) !== 'hard-bounce') {
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
