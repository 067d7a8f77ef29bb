// Leaving. One conditional update decides: of twenty simultaneous one-click posts, one changes the
// status and writes the event; the others find the reader already gone.
import { cancelQueuedMail } from '../delivery/outbox.js';
import { appendEvent } from '../ledger/ledger.js';
import type { Request, SubscriptionContext } from './context.js';
import * as store from './store.js';

export type UnsubscribeOutcome = 'unsubscribed' | 'already' | 'unknown';

export async function unsubscribe(
  c: SubscriptionContext,
  token: string,
  r: Request & { how: string },
): Promise<UnsubscribeOutcome> {
  const key = c.keys.subscriberKeyOf(token);
  if (!key) return 'unknown';
  const at = c.clock.now().toISOString();
  return c.db.kysely.transaction().execute(async (trx): Promise<UnsubscribeOutcome> => {
    const left = await store.markUnsubscribed(trx, key, at);
    if (!left) return (await store.subscriberByKey(trx, key)) ? 'already' : 'unknown';
    await cancelQueuedMail(trx, left.id);
    await appendEvent(trx, c.db.engine, {
      at,
      kind: 'unsubscribed',
      emailHmac: left.email_hmac,
      detail: { how: r.how },
      proof: { at, ip: r.ip, userAgent: r.userAgent, form: r.how },
    });
    return 'unsubscribed';
  });
}
