// The durable outbox: every mail is a row written in the same transaction as the change that caused it,
// then claimed with a lease by whichever worker gets there first. A crash leaves rows queued or leased;
// either way another worker (or this one, restarted) delivers them.
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Engine } from '../db/open-database.js';
import type { Database, OutboxMessage } from '../db/schema.js';
import type { MailMessage } from '../mail/mail-message.js';
import type { ReplyClass } from '../mail/reply-class.js';
import type { ReaderActions } from './reader-actions.js';
import { recordBounce } from './record-bounce.js';

export interface Enqueue {
  kind: string;
  subscriberId: number | null;
  message: MailMessage;
  /** The domain for the Message-ID: fixed at enqueue so a retried send is recognisably the same mail. */
  domain: string;
  now: Date;
  /** When the mail was asked for, if before now: a subscribe request is decided a moment after it came. */
  requestedAt?: Date;
}

export async function enqueue(trx: Transaction<Database> | Kysely<Database>, mail: Enqueue): Promise<string> {
  const at = mail.now.toISOString();
  const messageId = `<${randomUUID()}@${mail.domain}>`;
  await trx
    .insertInto('outbox')
    .values({
      kind: mail.kind,
      subscriber_id: mail.subscriberId,
      recipient: mail.message.to,
      subject: mail.message.subject,
      html: mail.message.html,
      text: mail.message.text,
      headers: JSON.stringify(mail.message.headers),
      message_id: messageId,
      status: 'queued',
      attempts: 0,
      created_at: at,
      requested_at: (mail.requestedAt ?? mail.now).toISOString(),
      next_attempt_at: at,
    })
    .execute();
  return messageId;
}

/** Takes up to `limit` due rows (queued and due, or leased by a worker that died) for this worker. */
export async function claim(
  db: Kysely<Database>,
  engine: Engine,
  now: Date,
  limit: number,
  leaseMs: number,
): Promise<OutboxMessage[]> {
  const at = now.toISOString();
  const due = db
    .selectFrom('outbox')
    .select('id')
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'queued'), eb('next_attempt_at', '<=', at)]),
        eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', at)]),
      ]),
    )
    .where('created_at', '>=', giveUpBefore(now))
    .orderBy('id')
    .limit(limit)
    .$if(engine === 'postgres', (qb) => qb.forUpdate().skipLocked());
  const rows = await db
    .updateTable('outbox')
    .set((eb) => ({
      status: 'sending',
      lease_until: new Date(now.getTime() + leaseMs).toISOString(),
      attempts: eb('attempts', '+', 1),
    }))
    .where('id', 'in', due)
    .returningAll()
    .execute();
  return rows.sort((a, b) => a.id - b.id);
}

export async function markSent(db: Kysely<Database>, id: number, now: Date): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ status: 'sent', sent_at: now.toISOString(), lease_until: null, last_error: null })
    .where('id', '=', id)
    .execute();
}

/** A worker still sending these keeps them: another worker takes a row only once its lease ran out. */
export async function renewLeases(db: Kysely<Database>, ids: number[], until: Date): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('outbox')
    .set({ lease_until: until.toISOString() })
    .where('id', 'in', ids)
    .where('status', '=', 'sending')
    .execute();
}

/** Transient failures wait 2 s, 4 s, 8 s … up to 30 min between tries, and give up after a day. */
export function retryDelayMs(attempts: number): number {
  return Math.min(2000 * 2 ** Math.max(attempts - 1, 0), 30 * 60_000);
}

export const giveUpAfterMs = 24 * 3600_000;

const giveUpBefore = (now: Date) => new Date(now.getTime() - giveUpAfterMs).toISOString();

/**
 * Mail queued more than a day ago and still waiting is failed, never sent: after a restore from a
 * backup, or a worker stopped for days, it is old news, and it may already have gone out once.
 */
export async function giveUpExpiredMail(db: Kysely<Database>, now: Date): Promise<number> {
  const result = await db
    .updateTable('outbox')
    .set({
      status: 'failed',
      lease_until: null,
      last_error: 'gave up: still waiting a day after it was queued (a restore, or no worker ran)',
    })
    .where('created_at', '<', giveUpBefore(now))
    .where((eb) =>
      eb.or([
        eb('status', '=', 'queued'),
        eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', now.toISOString())]),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export interface Refusal {
  /** The relay's reply or the network error, addresses redacted. */
  reply: string;
  replyClass: ReplyClass;
  status: string | undefined;
}

/**
 * A reader's hard bounce fails the mail and suppresses them; anything else (a 4xx, a network error, the
 * relay refusing us) keeps the mail for another try, and never counts against the reader.
 */
export async function markFailed(
  db: Kysely<Database>,
  actions: ReaderActions,
  row: OutboxMessage,
  refusal: Refusal,
  now: Date,
): Promise<'retry' | 'failed'> {
  const bounced = refusal.replyClass === 'hard-bounce';
  const expired = now.getTime() - Date.parse(row.created_at) > giveUpAfterMs;
  const outcome = bounced || expired ? 'failed' : 'retry';
  await db.transaction().execute(async (trx) => {
    if (bounced)
      await recordBounce(
        trx,
        actions,
        row.subscriber_id,
        {
          source: 'smtp',
          class: 'hard',
          status: refusal.status,
          diagnostic: refusal.reply,
          outboxId: row.id,
        },
        now,
      );
    await trx
      .updateTable('outbox')
      .set({
        status: outcome === 'failed' ? 'failed' : 'queued',
        lease_until: null,
        last_error: refusal.reply,
        last_reply_class: refusal.replyClass,
        next_attempt_at: new Date(now.getTime() + retryDelayMs(row.attempts)).toISOString(),
      })
      .where('id', '=', row.id)
      .execute();
  });
  return outcome;
}

/**
 * After a restore, mail that was waiting when the backup was taken is failed, not sent: the relay
 * normally takes it within seconds, so it has almost certainly gone out once already.
 */
export async function failMailWaitingAtBackup(db: Kysely<Database>, backupAt: string): Promise<number> {
  const result = await db
    .updateTable('outbox')
    .set({
      status: 'failed',
      lease_until: null,
      last_error: `was waiting when the backup of ${backupAt} was taken, so probably sent since: not sent again after the restore`,
    })
    .where('status', 'in', ['queued', 'sending'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Mail not yet sent to someone who just left must not go out. */
export async function cancelQueuedMail(trx: Transaction<Database>, subscriberId: number): Promise<void> {
  await trx
    .updateTable('outbox')
    .set({ status: 'failed', last_error: 'recipient unsubscribed before delivery' })
    .where('subscriber_id', '=', subscriberId)
    .where('status', '=', 'queued')
    .execute();
}

/** Erasure: every mail to or about the person goes, including their address as a recipient. */
export async function forgetMail(trx: Transaction<Database>, subscriberId: number, email: string) {
  await trx.deleteFrom('outbox').where('subscriber_id', '=', subscriberId).execute();
  await trx.deleteFrom('outbox').where('recipient', '=', email).execute();
  await trx.deleteFrom('issue_exceptions').where('subscriber_id', '=', subscriberId).execute();
  await trx.deleteFrom('bounce_events').where('subscriber_id', '=', subscriberId).execute();
}

export interface OutboxSummary {
  queued: number;
  sending: number;
  failed: number;
  sent: number;
  /** When the oldest mail that is due was queued, if any is waiting. */
  oldestDueAt: string | undefined;
}

export async function summariseOutbox(db: Kysely<Database>, now: Date): Promise<OutboxSummary> {
  const counts = await db
    .selectFrom('outbox')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  const oldest = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.min('created_at').as('at'))
    .where('status', 'in', ['queued', 'sending'])
    .where('next_attempt_at', '<=', now.toISOString())
    .executeTakeFirst();
  const count = (status: string) => Number(counts.find((c) => c.status === status)?.n ?? 0);
  return {
    queued: count('queued'),
    sending: count('sending'),
    failed: count('failed'),
    sent: count('sent'),
    oldestDueAt: (oldest?.at as string | null | undefined) ?? undefined,
  };
}
