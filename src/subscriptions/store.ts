// Every query of the subscriptions domain, named, in one place. Only this domain writes `subscribers`,
// `confirmations` and `subscribe_requests`; each state change is one conditional statement whose count
// of changed rows tells the caller whether it happened (and so whether a ledger event is due).
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Engine } from '../db/open-database.js';
import type { Database, SubscribeRequestRow, Subscriber } from '../db/schema.js';

export type Trx = Transaction<Database>;
type Reader = Kysely<Database> | Trx;

export interface NewRequest {
  email: string;
  emailHmac: string;
  form: string;
  wording: string;
  ip: string;
  userAgent: string;
  at: string;
}

/** The request path's only write: the same single insert whatever the address's state. */
export async function insertRequest(db: Kysely<Database>, r: NewRequest): Promise<void> {
  await db
    .insertInto('subscribe_requests')
    .values({
      email: r.email,
      email_hmac: r.emailHmac,
      form: r.form,
      wording: r.wording,
      ip: r.ip,
      user_agent: r.userAgent,
      requested_at: r.at,
      lease_until: null,
    })
    .execute();
}

/** Leases up to `limit` undecided requests, oldest first, to this worker. */
export async function claimRequests(
  db: Kysely<Database>,
  engine: Engine,
  now: Date,
  limit: number,
  leaseMs: number,
): Promise<SubscribeRequestRow[]> {
  const due = db
    .selectFrom('subscribe_requests')
    .select('id')
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now.toISOString())]))
    .orderBy('id')
    .limit(limit)
    .$if(engine === 'postgres', (qb) => qb.forUpdate().skipLocked());
  const rows = await db
    .updateTable('subscribe_requests')
    .set((eb) => ({
      lease_until: new Date(now.getTime() + leaseMs).toISOString(),
      attempts: eb('attempts', '+', 1),
    }))
    .where('id', 'in', due)
    .returningAll()
    .execute();
  return rows.sort((a, b) => a.id - b.id);
}

/** True for the one caller that removed the request: that caller alone decides it. */
export async function takeRequest(trx: Reader, id: number): Promise<boolean> {
  const result = await trx.deleteFrom('subscribe_requests').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

export async function forgetRequests(trx: Trx, emailHmac: string): Promise<void> {
  await trx.deleteFrom('subscribe_requests').where('email_hmac', '=', emailHmac).execute();
}

/** A new address becomes pending; false when the address is already known. */
export async function insertPending(
  trx: Trx,
  s: { key: string; email: string; emailHmac: string; source: string; at: string },
): Promise<boolean> {
  const row = await trx
    .insertInto('subscribers')
    .values({
      key: s.key,
      email: s.email,
      email_hmac: s.emailHmac,
      status: 'pending',
      source: s.source,
      created_at: s.at,
      updated_at: s.at,
    })
    .onConflict((oc) => oc.column('email_hmac').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Someone who left, or whose mailbox bounced, asks again: pending until they confirm anew. */
export async function repend(trx: Trx, emailHmac: string, at: string): Promise<boolean> {
  const result = await trx
    .updateTable('subscribers')
    .set({ status: 'pending', repeat_requests: 0, updated_at: at })
    .where('email_hmac', '=', emailHmac)
    .where('status', 'in', ['unsubscribed', 'suppressed'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Another request for a pending address: counted here rather than written to the ledger again. */
export async function countRepeat(trx: Trx, emailHmac: string, at: string): Promise<boolean> {
  const result = await trx
    .updateTable('subscribers')
    .set((eb) => ({ repeat_requests: eb('repeat_requests', '+', 1), updated_at: at }))
    .where('email_hmac', '=', emailHmac)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function subscriberByHmac(trx: Reader, emailHmac: string): Promise<Subscriber | undefined> {
  return trx.selectFrom('subscribers').selectAll().where('email_hmac', '=', emailHmac).executeTakeFirst();
}

export async function subscriberById(db: Reader, id: number): Promise<Subscriber | undefined> {
  return db.selectFrom('subscribers').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The status the reader had, if this suppressed them; undefined if they already were or are unknown. */
export async function markSuppressed(trx: Trx, id: number, at: string) {
  const before = await trx.selectFrom('subscribers').select('status').where('id', '=', id).executeTakeFirst();
  const row = await trx
    .updateTable('subscribers')
    .set({ status: 'suppressed', updated_at: at })
    .where('id', '=', id)
    .where('status', '!=', 'suppressed')
    .returning(['email_hmac'])
    .executeTakeFirst();
  return row && before ? { email_hmac: row.email_hmac, previous: before.status } : undefined;
}

/** The reader and their restored status, if this lifted their suppression. */
export async function liftSuppression(trx: Trx, id: number, at: string) {
  return trx
    .updateTable('subscribers')
    .set((eb) => ({
      status: eb
        .case()
        .when('unsubscribed_at', 'is not', null)
        .then('unsubscribed' as const)
        .when('confirmed_at', 'is not', null)
        .then('active' as const)
        .else('pending' as const)
        .end(),
      updated_at: at,
    }))
    .where('id', '=', id)
    .where('status', '=', 'suppressed')
    .returning(['email_hmac', 'status'])
    .executeTakeFirst();
}

export async function subscriberByKey(db: Reader, key: string): Promise<Subscriber | undefined> {
  return db.selectFrom('subscribers').selectAll().where('key', '=', key).executeTakeFirst();
}

/**
 * Serialises confirmation mails to one mailbox across processes on PostgreSQL, so two workers cannot
 * both find the limit unreached. SQLite transactions are already serial.
 */
export async function lockMailbox(trx: Trx, engine: Engine, mailboxHmac: string): Promise<void> {
  if (engine === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${mailboxHmac}))`.execute(trx);
}

export async function confirmationsSince(trx: Trx, mailboxHmac: string, since: Date): Promise<number> {
  const { count } = await trx
    .selectFrom('confirmations')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('mailbox_hmac', '=', mailboxHmac)
    .where('created_at', '>', since.toISOString())
    .executeTakeFirstOrThrow();
  return Number(count);
}

export async function insertConfirmation(
  trx: Trx,
  c: {
    subscriberId: number;
    tokenHash: string;
    canaryHash: string;
    mailboxHmac: string;
    at: string;
    expiresAt: string;
    proof: string;
  },
): Promise<void> {
  await trx
    .insertInto('confirmations')
    .values({
      subscriber_id: c.subscriberId,
      token_hash: c.tokenHash,
      canary_hash: c.canaryHash,
      mailbox_hmac: c.mailboxHmac,
      created_at: c.at,
      expires_at: c.expiresAt,
      proof: c.proof,
    })
    .execute();
}

export async function confirmationByTokenHash(db: Reader, tokenHash: string) {
  return db
    .selectFrom('confirmations')
    .select(['id', 'subscriber_id', 'used_at', 'expires_at', 'scanned_at', 'proof'])
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
}

export async function markScanned(db: Kysely<Database>, canaryHash: string, at: string): Promise<void> {
  await db
    .updateTable('confirmations')
    .set({ scanned_at: at })
    .where('canary_hash', '=', canaryHash)
    .where('scanned_at', 'is', null)
    .execute();
}

/** True for the one request that used the link. */
export async function useConfirmation(trx: Trx, id: number, at: string): Promise<boolean> {
  const result = await trx
    .updateTable('confirmations')
    .set({ used_at: at })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The subscriber, if this made them active; undefined if they already were. */
export async function activate(trx: Trx, subscriberId: number, at: string) {
  return trx
    .updateTable('subscribers')
    .set({ status: 'active', confirmed_at: at, unsubscribed_at: null, updated_at: at })
    .where('id', '=', subscriberId)
    .where('status', '!=', 'active')
    .returning(['id', 'key', 'email', 'email_hmac', 'repeat_requests'])
    .executeTakeFirst();
}

/** The subscriber, if this unsubscribed them; undefined if they had already left or are unknown. */
export async function markUnsubscribed(trx: Trx, key: string, at: string) {
  return trx
    .updateTable('subscribers')
    .set({ status: 'unsubscribed', unsubscribed_at: at, updated_at: at })
    .where('key', '=', key)
    .where('status', 'in', ['active', 'pending'])
    .returning(['id', 'email_hmac'])
    .executeTakeFirst();
}

export async function deleteConfirmations(trx: Trx, subscriberId: number): Promise<void> {
  await trx.deleteFrom('confirmations').where('subscriber_id', '=', subscriberId).execute();
}

/**
 * Holds the person's row until the transaction ends (PostgreSQL), so concurrent erasures queue here
 * instead of deadlocking over the ledger and outbox rows they both touch; false if they are gone.
 */
export async function lockSubscriber(trx: Trx, engine: Engine, id: number): Promise<boolean> {
  const row = await trx
    .selectFrom('subscribers')
    .select('id')
    .where('id', '=', id)
    .$if(engine === 'postgres', (qb) => qb.forUpdate())
    .executeTakeFirst();
  return row !== undefined;
}

/** True for the one request that removed the person. */
export async function deleteSubscriber(trx: Trx, id: number): Promise<boolean> {
  const result = await trx.deleteFrom('subscribers').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

export async function confirmationsOf(db: Kysely<Database>, subscriberId: number) {
  return db
    .selectFrom('confirmations')
    .select(['created_at', 'expires_at', 'used_at', 'scanned_at', 'proof'])
    .where('subscriber_id', '=', subscriberId)
    .orderBy('id')
    .execute();
}

export async function mailsOf(db: Kysely<Database>, subscriberId: number) {
  return db
    .selectFrom('outbox')
    .select(['kind', 'subject', 'status', 'created_at', 'sent_at'])
    .where('subscriber_id', '=', subscriberId)
    .orderBy('id')
    .execute();
}

/**
 * Retention: confirmation rows hold the request's IP and user agent until the ledger has them. Older
 * than the retention period, a link is long expired (48 hours) and its row has nothing left to do.
 */
export async function deleteConfirmationsBefore(db: Kysely<Database>, before: string): Promise<number> {
  const result = await db.deleteFrom('confirmations').where('created_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Retention: a request still undecided after the retention period is one the worker gave up on. */
export async function deleteRequestsBefore(db: Kysely<Database>, before: string): Promise<number> {
  const result = await db
    .deleteFrom('subscribe_requests')
    .where('requested_at', '<', before)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * After a restore, requests that were waiting when the backup was taken are dropped, not decided: the
 * running site decided them within a second and mailed a confirmation, and deciding them again would
 * mail the same people a second time.
 */
export async function dropRequestsWaitingAtBackup(db: Kysely<Database>): Promise<number> {
  const result = await db.deleteFrom('subscribe_requests').executeTakeFirst();
  return Number(result.numDeletedRows);
}
