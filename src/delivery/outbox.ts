// The durable outbox: every mail is a row written in the same transaction as the change that caused it,
// then claimed with a lease by whichever worker gets there first. A crash leaves rows queued or leased;
// either way another worker (or this one, restarted) delivers them.
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Engine } from '../db/open-database.js';
import type { Database, OutboxMessage } from '../db/schema.js';
import { appendEvent } from '../ledger/ledger.js';
import type { MailMessage } from '../mail/mail-message.js';

export interface Enqueue {
  kind: string;
  subscriberId: number | null;
  message: MailMessage;
  /** The domain for the Message-ID: fixed at enqueue so a retried send is recognisably the same mail. */
  domain: string;
  now: Date;
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

/** Transient failures wait 2 s, 4 s, 8 s … up to 30 min between tries, and give up after a day. */
function retryDelayMs(attempts: number): number {
  return Math.min(2000 * 2 ** Math.max(attempts - 1, 0), 30 * 60_000);
}

const giveUpAfterMs = 24 * 3600_000;

export async function markFailed(
  db: Kysely<Database>,
  engine: Engine,
  row: OutboxMessage,
  error: string,
  permanent: boolean,
  now: Date,
): Promise<'retry' | 'failed'> {
  const expired = now.getTime() - Date.parse(row.created_at) > giveUpAfterMs;
  const outcome = permanent || expired ? 'failed' : 'retry';
  await db.transaction().execute(async (trx) => {
    if (permanent && row.subscriber_id !== null) await suppress(trx, engine, row.subscriber_id, error, now);
    await trx
      .updateTable('outbox')
      .set({
        status: outcome === 'failed' ? 'failed' : 'queued',
        lease_until: null,
        last_error: error.slice(0, 500),
        next_attempt_at: new Date(now.getTime() + retryDelayMs(row.attempts)).toISOString(),
      })
      .where('id', '=', row.id)
      .execute();
  });
  return outcome;
}

/** The relay refused the address for good: mailing it again would hurt the sender's reputation. */
async function suppress(
  trx: Transaction<Database>,
  engine: Engine,
  subscriberId: number,
  reason: string,
  now: Date,
) {
  const subscriber = await trx
    .updateTable('subscribers')
    .set({ status: 'suppressed', updated_at: now.toISOString() })
    .where('id', '=', subscriberId)
    .where('status', '!=', 'suppressed')
    .returning('email_hmac')
    .executeTakeFirst();
  if (!subscriber) return;
  await appendEvent(trx, engine, {
    at: now.toISOString(),
    kind: 'suppressed',
    emailHmac: subscriber.email_hmac,
    detail: { reason: reason.slice(0, 200) },
  });
}
