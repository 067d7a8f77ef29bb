// Confirming: the second half of double opt-in. A link is used once (a conditional update decides which
// request used it), and only the request that made the reader active writes the ledger and the welcome.
import { enqueue } from '../delivery/outbox.js';
import { appendEvent, type Proof } from '../ledger/ledger.js';
import { welcomeMail } from '../mail/compose.js';
import { personalLinks, type Request, type SubscriptionContext } from './context.js';
import * as store from './store.js';
import { hashToken } from './tokens.js';

/** `scanned`: still valid, but its mail's hidden links were fetched, so only a person's click confirms. */
export type ConfirmationState = 'valid' | 'scanned' | 'used' | 'expired' | 'unknown';
export type ConfirmOutcome =
  | { state: 'confirmed'; personalToken: string }
  | { state: 'needs-click' }
  | { state: Exclude<ConfirmationState, 'valid' | 'scanned'> };

export async function confirmationState(c: SubscriptionContext, token: string): Promise<ConfirmationState> {
  const row = await store.confirmationByTokenHash(c.db.kysely, hashToken(token));
  if (!row) return 'unknown';
  if (row.used_at) return 'used';
  if (Date.parse(row.expires_at) <= c.clock.now().getTime()) return 'expired';
  return row.scanned_at ? 'scanned' : 'valid';
}

/** A hidden link was fetched: whoever reads this mail also fetches links no person can see. */
export async function noteCanary(c: SubscriptionContext, canaryParameter: string): Promise<void> {
  const key = canaryParameter.split('.')[0] ?? '';
  await store.markScanned(c.db.kysely, hashToken(key), c.clock.now().toISOString());
}

/**
 * Confirms on a POST. `automatic` is the page's own script submitting: refused once the mail's hidden
 * links were fetched, because then a scanner may be the one running the script; a person's click is not.
 * The second outcome says whether a welcome mail was queued.
 */
export async function confirm(
  c: SubscriptionContext,
  token: string,
  r: Request & { automatic: boolean },
): Promise<[ConfirmOutcome, boolean]> {
  const now = c.clock.now();
  const at = now.toISOString();
  return c.db.kysely.transaction().execute(async (trx): Promise<[ConfirmOutcome, boolean]> => {
    const row = await store.confirmationByTokenHash(trx, hashToken(token));
    if (!row) return [{ state: 'unknown' }, false];
    if (row.used_at) return [{ state: 'used' }, false];
    if (Date.parse(row.expires_at) <= now.getTime()) return [{ state: 'expired' }, false];
    if (r.automatic && row.scanned_at) return [{ state: 'needs-click' }, false];
    if (!(await store.useConfirmation(trx, row.id, at))) return [{ state: 'used' }, false];

    const activated = await store.activate(trx, row.subscriber_id, at);
    if (!activated) {
      // Already confirmed through another of their links: same welcome page, nothing new to record.
      const subscriber = await trx
        .selectFrom('subscribers')
        .select('key')
        .where('id', '=', row.subscriber_id)
        .executeTakeFirstOrThrow();
      return [{ state: 'confirmed', personalToken: c.keys.personalToken(subscriber.key) }, false];
    }
    await appendEvent(trx, c.db.engine, {
      at,
      kind: 'confirmed',
      emailHmac: activated.email_hmac,
      detail: {
        how: r.automatic ? 'page opened in a browser' : 'button pressed',
        requests: 1 + Number(activated.repeat_requests),
      },
      proof: {
        at,
        ip: r.ip,
        userAgent: r.userAgent,
        form: 'confirmation link',
        request: JSON.parse(row.proof) as Proof,
      },
    });
    const context = c.mailContext();
    await enqueue(trx, {
      kind: 'welcome',
      subscriberId: activated.id,
      message: welcomeMail(context, activated.email, personalLinks(c, activated.key)),
      domain: new URL(context.siteUrl).hostname,
      now,
    });
    return [{ state: 'confirmed', personalToken: c.keys.personalToken(activated.key) }, true];
  });
}
