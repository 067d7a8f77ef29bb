// Subscribing, confirming, leaving and being forgotten. Every change of consent is written to the
// ledger, and every mail to the outbox, in the same transaction as the change itself.
import { createHash } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Clock } from '../clock.js';
import type { Db } from '../db/open-database.js';
import type { Database, Subscriber } from '../db/schema.js';
import { cancelQueuedMail, enqueue, forgetMail } from '../delivery/outbox.js';
import { appendEvent, eraseProofs, eventsFor, type Proof } from '../ledger/ledger.js';
import { confirmationMail, welcomeMail } from '../mail/compose.js';
import type { MailContext } from '../mail/mail-message.js';
import { hashToken, type Keys, newSubscriberKey, randomToken } from './tokens.js';

const confirmationLifetimeMs = 48 * 3600_000;
/** At most one confirmation mail per address per 10 minutes and five per day, whoever asks. */
const mailLimits = [
  { windowMs: 10 * 60_000, max: 1 },
  { windowMs: 24 * 3600_000, max: 5 },
];
const canaryCount = 2;

export interface Request {
  ip: string;
  userAgent: string;
}

export interface SubscribeRequest extends Request {
  email: string;
  form: string;
  /** The words next to the form the person filled in; their hash goes into the proof of consent. */
  wording: string;
}

export type ConfirmationState = 'valid' | 'used' | 'expired' | 'unknown';
export type ConfirmOutcome =
  | { state: 'confirmed'; personalToken: string }
  | { state: 'needs-click' }
  | { state: Exclude<ConfirmationState, 'valid'> };

export interface SubscriptionsOptions {
  db: Db;
  keys: Keys;
  clock: Clock;
  /** Read at send time, so that mails follow edits to site.yml without a restart. */
  mailContext: () => MailContext;
  /** Tells the delivery worker a mail is waiting. */
  onQueued?: () => void;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export class Subscriptions {
  constructor(private readonly o: SubscriptionsOptions) {}

  personalLinks(subscriberKey: string) {
    const token = this.o.keys.personalToken(subscriberKey);
    const { siteUrl } = this.o.mailContext();
    return { manageUrl: `${siteUrl}/manage/${token}`, unsubscribeUrl: `${siteUrl}/unsubscribe/${token}` };
  }

  /** Records the request and, within the limits, mails a confirmation link. Says nothing back. */
  async request(r: SubscribeRequest): Promise<void> {
    const now = this.o.clock.now();
    const at = now.toISOString();
    const emailHmac = this.o.keys.emailHmac(r.email);
    let queued = false;
    await this.transaction(async (trx) => {
      await trx
        .insertInto('subscribers')
        .values({
          key: newSubscriberKey(),
          email: r.email,
          email_hmac: emailHmac,
          status: 'pending',
          source: r.form,
          created_at: at,
          updated_at: at,
        })
        .onConflict((oc) => oc.column('email_hmac').doNothing())
        .execute();
      const subscriber = await this.lockSubscriber(trx, emailHmac);
      // Confirmed addresses get no mail, and the answer does not say so. A suppressed address may ask
      // again: confirming proves the mailbox works now.
      if (subscriber.status === 'active') return;
      if (subscriber.status === 'unsubscribed' || subscriber.status === 'suppressed') {
        await trx
          .updateTable('subscribers')
          .set({ status: 'pending', updated_at: at })
          .where('id', '=', subscriber.id)
          .execute();
      }
      const proof: Proof = {
        at,
        ip: r.ip,
        userAgent: r.userAgent,
        form: r.form,
        wordingHash: sha256(r.wording),
      };
      await appendEvent(trx, this.o.db.engine, {
        at,
        kind: 'subscribe_requested',
        emailHmac,
        detail: { form: r.form, wording: r.wording },
        proof,
      });
      if (!(await this.underMailLimits(trx, subscriber.id, now))) return;

      const token = randomToken();
      const canaries = Array.from({ length: canaryCount }, () => randomToken());
      // Every canary of a mail shares one hash row: any of them marks the confirmation as scanned.
      const canaryKey = randomToken();
      await trx
        .insertInto('confirmations')
        .values({
          subscriber_id: subscriber.id,
          token_hash: hashToken(token),
          canary_hash: hashToken(canaryKey),
          created_at: at,
          expires_at: new Date(now.getTime() + confirmationLifetimeMs).toISOString(),
          proof: JSON.stringify(proof),
        })
        .execute();
      const context = this.o.mailContext();
      const message = confirmationMail(context, r.email, {
        confirmUrl: `${context.siteUrl}/confirm/${token}`,
        canaryUrls: canaries.map(
          (c, i) => `${context.siteUrl}/confirm/${token}/${i === 0 ? 'view' : 'help'}?c=${canaryKey}.${c}`,
        ),
      });
      const messageId = await enqueue(trx, {
        kind: 'confirmation',
        subscriberId: subscriber.id,
        message,
        domain: new URL(context.siteUrl).hostname,
        now,
      });
      await appendEvent(trx, this.o.db.engine, {
        at,
        kind: 'confirmation_sent',
        emailHmac,
        detail: { messageId, expiresAt: new Date(now.getTime() + confirmationLifetimeMs).toISOString() },
      });
      queued = true;
    });
    if (queued) this.o.onQueued?.();
  }

  async confirmationState(token: string): Promise<ConfirmationState> {
    const row = await this.o.db.kysely
      .selectFrom('confirmations')
      .select(['used_at', 'expires_at'])
      .where('token_hash', '=', hashToken(token))
      .executeTakeFirst();
    if (!row) return 'unknown';
    if (row.used_at) return 'used';
    return Date.parse(row.expires_at) <= this.o.clock.now().getTime() ? 'expired' : 'valid';
  }

  /** A hidden link was fetched: whoever reads this mail also fetches links no person can see. */
  async noteCanary(canaryParameter: string): Promise<void> {
    const key = canaryParameter.split('.')[0] ?? '';
    await this.o.db.kysely
      .updateTable('confirmations')
      .set({ scanned_at: this.o.clock.now().toISOString() })
      .where('canary_hash', '=', hashToken(key))
      .where('scanned_at', 'is', null)
      .execute();
  }

  /**
   * Confirms on a POST. `automatic` is the page's own script submitting: refused once the mail's hidden
   * links were fetched, because then a scanner may be the one running the script; a person's click is not.
   */
  async confirm(token: string, r: Request & { automatic: boolean }): Promise<ConfirmOutcome> {
    const now = this.o.clock.now();
    const at = now.toISOString();
    const outcome = await this.transaction(async (trx): Promise<ConfirmOutcome> => {
      const row = await trx
        .selectFrom('confirmations')
        .innerJoin('subscribers', 'subscribers.id', 'confirmations.subscriber_id')
        .select([
          'confirmations.id',
          'confirmations.used_at',
          'confirmations.expires_at',
          'confirmations.scanned_at',
          'confirmations.proof',
          'subscribers.id as subscriberId',
          'subscribers.key',
          'subscribers.email',
          'subscribers.email_hmac',
          'subscribers.status',
        ])
        .where('confirmations.token_hash', '=', hashToken(token))
        .$if(this.o.db.engine === 'postgres', (qb) => qb.forUpdate())
        .executeTakeFirst();
      if (!row) return { state: 'unknown' };
      if (row.used_at) return { state: 'used' };
      if (Date.parse(row.expires_at) <= now.getTime()) return { state: 'expired' };
      if (r.automatic && row.scanned_at) return { state: 'needs-click' };

      await trx.updateTable('confirmations').set({ used_at: at }).where('id', '=', row.id).execute();
      await trx
        .updateTable('subscribers')
        .set({ status: 'active', confirmed_at: at, unsubscribed_at: null, updated_at: at })
        .where('id', '=', row.subscriberId)
        .execute();
      await appendEvent(trx, this.o.db.engine, {
        at,
        kind: 'confirmed',
        emailHmac: row.email_hmac,
        detail: { how: r.automatic ? 'page opened in a browser' : 'button pressed' },
        proof: {
          at,
          ip: r.ip,
          userAgent: r.userAgent,
          form: 'confirmation link',
          request: JSON.parse(row.proof) as Proof,
        },
      });
      const context = this.o.mailContext();
      await enqueue(trx, {
        kind: 'welcome',
        subscriberId: row.subscriberId,
        message: welcomeMail(context, row.email, this.personalLinks(row.key)),
        domain: new URL(context.siteUrl).hostname,
        now,
      });
      return { state: 'confirmed', personalToken: this.o.keys.personalToken(row.key) };
    });
    if (outcome.state === 'confirmed') this.o.onQueued?.();
    return outcome;
  }

  async findByToken(token: string): Promise<Subscriber | undefined> {
    const key = this.o.keys.subscriberKeyOf(token);
    if (!key) return undefined;
    return this.o.db.kysely.selectFrom('subscribers').selectAll().where('key', '=', key).executeTakeFirst();
  }

  async unsubscribe(
    token: string,
    r: Request & { how: string },
  ): Promise<'unsubscribed' | 'already' | 'unknown'> {
    const subscriber = await this.findByToken(token);
    if (!subscriber) return 'unknown';
    if (subscriber.status === 'unsubscribed' || subscriber.status === 'suppressed') return 'already';
    const at = this.o.clock.now().toISOString();
    await this.transaction(async (trx) => {
      await trx
        .updateTable('subscribers')
        .set({ status: 'unsubscribed', unsubscribed_at: at, updated_at: at })
        .where('id', '=', subscriber.id)
        .execute();
      await cancelQueuedMail(trx, subscriber.id);
      await appendEvent(trx, this.o.db.engine, {
        at,
        kind: 'unsubscribed',
        emailHmac: subscriber.email_hmac,
        detail: { how: r.how },
        proof: { at, ip: r.ip, userAgent: r.userAgent, form: r.how },
      });
    });
    return 'unsubscribed';
  }

  /** Everything kept about one person, as they are entitled to see it. */
  async exportData(subscriber: Subscriber) {
    const db = this.o.db.kysely;
    const [confirmations, mails, events] = await Promise.all([
      db
        .selectFrom('confirmations')
        .select(['created_at', 'expires_at', 'used_at', 'scanned_at', 'proof'])
        .where('subscriber_id', '=', subscriber.id)
        .orderBy('id')
        .execute(),
      db
        .selectFrom('outbox')
        .select(['kind', 'subject', 'status', 'created_at', 'sent_at'])
        .where('subscriber_id', '=', subscriber.id)
        .orderBy('id')
        .execute(),
      eventsFor(db, subscriber.email_hmac),
    ]);
    return {
      exportedAt: this.o.clock.now().toISOString(),
      subscriber: {
        email: subscriber.email,
        status: subscriber.status,
        source: subscriber.source,
        createdAt: subscriber.created_at,
        confirmedAt: subscriber.confirmed_at,
        unsubscribedAt: subscriber.unsubscribed_at,
      },
      confirmationRequests: confirmations.map(({ proof, ...c }) => ({ ...c, proof: JSON.parse(proof) })),
      mails,
      consentLedger: events.map((e) => ({
        seq: e.seq,
        at: e.at,
        kind: e.kind,
        detail: JSON.parse(e.detail),
        proof: e.proof === null ? null : JSON.parse(e.proof),
        hash: e.hash,
      })),
    };
  }

  /** Forgets a person: their row, links, mails and proofs go; the ledger keeps its chain and an `erased` event. */
  async erase(subscriber: Subscriber): Promise<void> {
    const at = this.o.clock.now().toISOString();
    await this.transaction(async (trx) => {
      await eraseProofs(trx, subscriber.email_hmac);
      await forgetMail(trx, subscriber.id, subscriber.email);
      await trx.deleteFrom('confirmations').where('subscriber_id', '=', subscriber.id).execute();
      await trx.deleteFrom('subscribers').where('id', '=', subscriber.id).execute();
      await appendEvent(trx, this.o.db.engine, {
        at,
        kind: 'erased',
        emailHmac: subscriber.email_hmac,
        detail: { requestedBy: 'subscriber' },
      });
    });
  }

  private transaction<T>(work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.o.db.kysely.transaction().execute(work);
  }

  private async lockSubscriber(trx: Transaction<Database>, emailHmac: string): Promise<Subscriber> {
    return trx
      .selectFrom('subscribers')
      .selectAll()
      .where('email_hmac', '=', emailHmac)
      .$if(this.o.db.engine === 'postgres', (qb) => qb.forUpdate())
      .executeTakeFirstOrThrow();
  }

  private async underMailLimits(
    trx: Transaction<Database>,
    subscriberId: number,
    now: Date,
  ): Promise<boolean> {
    for (const { windowMs, max } of mailLimits) {
      const since = new Date(now.getTime() - windowMs).toISOString();
      const { count } = await trx
        .selectFrom('confirmations')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('subscriber_id', '=', subscriberId)
        .where('created_at', '>', since)
        .executeTakeFirstOrThrow();
      if (Number(count) >= max) return false;
    }
    return true;
  }
}
