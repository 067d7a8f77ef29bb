// An admin's hand on a reader's status: suppressing an address by hand (a reader who asked by mail to
// stop, a mailbox known dead) and lifting a suppression (a bounce that was the relay's fault). Each is
// one conditional update and one ledger event on the reader's chain naming the admin who did it.
import { appendEvent } from '../ledger/ledger.js';
import type { SubscriptionContext } from './context.js';
import * as store from './store.js';

export type AdminStatusOutcome = 'changed' | 'unchanged' | 'unknown';

export async function suppressByAdmin(
  c: SubscriptionContext,
  subscriberId: number,
  admin: string,
): Promise<AdminStatusOutcome> {
  const at = c.clock.now().toISOString();
  return c.db.kysely.transaction().execute(async (trx) => {
    const row = await store.markSuppressed(trx, subscriberId, at);
    if (!row) return (await store.subscriberById(trx, subscriberId)) ? 'unchanged' : 'unknown';
    await appendEvent(trx, c.db.engine, {
      at,
      kind: 'suppressed',
      emailHmac: row.email_hmac,
      detail: { source: 'admin', admin, from: row.previous },
    });
    return 'changed';
  });
}

/**
 * Lifts a suppression. The reader goes back to where they stood before it: active if they had confirmed
 * and not left, unsubscribed if they had left (a complaint suppresses too), pending otherwise; never
 * further than their own consent took them.
 */
export async function unsuppress(
  c: SubscriptionContext,
  subscriberId: number,
  admin: string,
): Promise<AdminStatusOutcome> {
  const at = c.clock.now().toISOString();
  return c.db.kysely.transaction().execute(async (trx) => {
    const row = await store.liftSuppression(trx, subscriberId, at);
    if (!row) return (await store.subscriberById(trx, subscriberId)) ? 'unchanged' : 'unknown';
    await appendEvent(trx, c.db.engine, {
      at,
      kind: 'unsuppressed',
      emailHmac: row.email_hmac,
      detail: { source: 'admin', admin, to: row.status },
    });
    return 'changed';
  });
}
