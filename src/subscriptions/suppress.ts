// Suppression and complaints, as delivery asks for them (see delivery/reader-actions.ts): this domain
// owns the subscriber's status and writes the ledger event that says why mail to them stopped.
import type { Transaction } from 'kysely';
import type { Engine } from '../db/open-database.js';
import type { Database } from '../db/schema.js';
import type { BounceFacts, ReaderActions } from '../delivery/reader-actions.js';
import { appendEvent } from '../ledger/ledger.js';

export function readerActions(engine: Engine): ReaderActions {
  return {
    suppress: (trx, subscriberId, why, at) => suppress(trx, engine, subscriberId, why, at),
    async complained(trx, subscriberId, why, at) {
      const subscriber = await trx
        .updateTable('subscribers')
        .set({ unsubscribed_at: at.toISOString(), updated_at: at.toISOString() })
        .where('id', '=', subscriberId)
        .where('status', 'in', ['active', 'pending'])
        .returning('email_hmac')
        .executeTakeFirst();
      if (subscriber)
        await appendEvent(trx, engine, {
          at: at.toISOString(),
          kind: 'unsubscribed',
          emailHmac: subscriber.email_hmac,
          detail: { how: 'complaint report (marked as spam)', feedbackType: why.status ?? null },
        });
      await suppress(trx, engine, subscriberId, why, at);
    },
  };
}

async function suppress(
  trx: Transaction<Database>,
  engine: Engine,
  subscriberId: number,
  why: BounceFacts,
  at: Date,
): Promise<void> {
  const subscriber = await trx
    .updateTable('subscribers')
    .set({ status: 'suppressed', updated_at: at.toISOString() })
    .where('id', '=', subscriberId)
    .where('status', '!=', 'suppressed')
    .returning('email_hmac')
    .executeTakeFirst();
  if (!subscriber) return;
  await appendEvent(trx, engine, {
    at: at.toISOString(),
    kind: 'suppressed',
    emailHmac: subscriber.email_hmac,
    detail: {
      source: why.source,
      class: why.class,
      status: why.status ?? null,
      reason: why.diagnostic.slice(0, 200),
      ...(why.issueId ? { issueId: why.issueId } : {}),
    },
  });
}
