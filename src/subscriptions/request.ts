// Asking to subscribe, in two halves. The request path records what was asked, the same single insert
// for a new, pending, confirmed or suppressed address, so neither its answer nor its timing tells them
// apart. The worker then decides: a new or returning address becomes pending with one
// `subscribe_requested` event; a pending one is counted; a confirmed one gets nothing. Confirmation
// mails are limited per mailbox, however the address is spelled.
import { createHash } from 'node:crypto';
import type { SubscribeRequestRow } from '../db/schema.js';
import { enqueue } from '../delivery/outbox.js';
import { appendEvent, type Proof } from '../ledger/ledger.js';
import { confirmationMail } from '../mail/compose.js';
import type { Request, SubscriptionContext } from './context.js';
import { mailboxOf } from './mailbox-key.js';
import * as store from './store.js';
import { hashToken, newSubscriberKey, randomToken } from './tokens.js';

export const confirmationLifetimeMs = 48 * 3600_000;
/** At most one confirmation mail per mailbox per 10 minutes and five per day, whoever asks. */
const mailLimits = [
  { windowMs: 10 * 60_000, max: 1 },
  { windowMs: 24 * 3600_000, max: 5 },
];
const canaryCount = 2;

export interface SubscribeRequest extends Request {
  email: string;
  form: string;
  /** The words next to the form the person filled in; their hash goes into the proof of consent. */
  wording: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export async function recordRequest(c: SubscriptionContext, r: SubscribeRequest): Promise<void> {
  await store.insertRequest(c.db.kysely, {
    ...r,
    emailHmac: c.keys.emailHmac(r.email),
    at: c.clock.now().toISOString(),
  });
}

/** Decides one recorded request in one transaction; true when a confirmation mail was queued. */
export async function decideRequest(c: SubscriptionContext, row: SubscribeRequestRow): Promise<boolean> {
  const now = c.clock.now();
  const at = now.toISOString();
  return c.db.kysely.transaction().execute(async (trx) => {
    // Another worker whose lease overlapped ours may hold the same row: whoever deletes it decides it.
    if (!(await store.takeRequest(trx, row.id))) return false;
    const emailHmac = row.email_hmac;
    const proof: Proof = {
      at: row.requested_at,
      ip: row.ip,
      userAgent: row.user_agent,
      form: row.form,
      wordingHash: sha256(row.wording),
    };
    const subscriber = { key: newSubscriberKey(), email: row.email, emailHmac, source: row.form, at };
    const becamePending =
      (await store.insertPending(trx, subscriber)) || (await store.repend(trx, emailHmac, at));
    if (becamePending) {
      await appendEvent(trx, c.db.engine, {
        at,
        kind: 'subscribe_requested',
        emailHmac,
        detail: { form: row.form, wording: row.wording },
        proof,
      });
    } else if (!(await store.countRepeat(trx, emailHmac, at))) {
      // Confirmed already: no mail, and the answer given long ago did not say so.
      return false;
    }

    const mailboxHmac = c.keys.emailHmac(mailboxOf(row.email));
    await store.lockMailbox(trx, c.db.engine, mailboxHmac);
    for (const { windowMs, max } of mailLimits) {
      const since = new Date(now.getTime() - windowMs);
      if ((await store.confirmationsSince(trx, mailboxHmac, since)) >= max) return false;
    }
    const { id: subscriberId } = (await store.subscriberByHmac(trx, emailHmac)) ?? {};
    if (subscriberId === undefined) return false;

    const token = randomToken();
    const canaries = Array.from({ length: canaryCount }, () => randomToken());
    // Every canary of a mail shares one hash row: any of them marks the confirmation as scanned.
    const canaryKey = randomToken();
    const expiresAt = new Date(now.getTime() + confirmationLifetimeMs).toISOString();
    await store.insertConfirmation(trx, {
      subscriberId,
      tokenHash: hashToken(token),
      canaryHash: hashToken(canaryKey),
      mailboxHmac,
      at,
      expiresAt,
      proof: JSON.stringify(proof),
    });
    const context = c.mailContext();
    const message = confirmationMail(context, row.email, {
      confirmUrl: `${context.siteUrl}/confirm/${token}`,
      canaryUrls: canaries.map(
        (canary, i) =>
          `${context.siteUrl}/confirm/${token}/${i === 0 ? 'view' : 'help'}?c=${canaryKey}.${canary}`,
      ),
    });
    const messageId = await enqueue(trx, {
      kind: 'confirmation',
      subscriberId,
      message,
      domain: new URL(context.siteUrl).hostname,
      now,
      requestedAt: new Date(row.requested_at),
    });
    await appendEvent(trx, c.db.engine, {
      at,
      kind: 'confirmation_sent',
      emailHmac,
      detail: { messageId, expiresAt },
    });
    return true;
  });
}
