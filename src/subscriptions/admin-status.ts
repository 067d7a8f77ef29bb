// An admin's hand on a reader's status: suppressing an address by hand (a reader who asked by mail to
// stop, a mailbox known dead) and lifting a suppression (a bounce that was the relay's fault). Each is
// one conditional update and one ledger event on the reader's chain naming the admin who did it.
import type { LedgerKind } from '../ledger/ledger.js';
import { appendEvent } from '../ledger/ledger.js';
import type { SubscriptionContext } from './context.js';
import * as store from './store.js';

export type AdminStatusOutcome = 'changed' | 'unchanged' | 'unknown';

type Change = (
  trx: store.Trx,
  subscriberId: number,
  at: string,
) => Promise<{ emailHmac: string; detail: Record<string, unknown> } | undefined>;

async function changeStatus(
  c: SubscriptionContext,
  subscriberId: number,
  admin: string,
  kind: LedgerKind,
  change: Change,
): Promise<AdminStatusOutcome> {
  const at = c.clock.now().toISOString();
  return c.db.kysely.transaction().execute(async (trx) => {
    const changed = await change(trx, subscriberId, at);
    if (!changed) return (await store.subscriberById(trx, subscriberId)) ? 'unchanged' : 'unknown';
    await appendEvent(trx, c.db.engine, {
      at,
      kind,
      emailHmac: changed.emailHmac,
      detail: { source: 'admin', admin, ...changed.detail },
    });
    return 'changed';
  });
}

export function suppressByAdmin(c: SubscriptionContext, subscriberId: number, admin: string) {
  return changeStatus(c, subscriberId, admin, 'suppressed', async (trx, id, at) => {
    const row = await store.markSuppressed(trx, id, at);
    return row && { emailHmac: row.email_hmac, detail: { from: row.previous } };
  });
}

/**
 * Lifts a suppression. The reader goes back to where they stood before it: active if they had confirmed
 * and not left, unsubscribed if they had left (a complaint suppresses too), pending otherwise; never
 * further than their own consent took them.
 */
export function unsuppress(c: SubscriptionContext, subscriberId: number, admin: string) {
  return changeStatus(c, subscriberId, admin, 'unsuppressed', async (trx, id, at) => {
    const row = await store.liftSuppression(trx, id, at);
    return row && { emailHmac: row.email_hmac, detail: { to: row.status } };
  });
}
