// A person's rights over what is kept about them: to see it all, and to have it erased. Erasure leaves
// the ledger's chain verifiable (the `erased` event keeps only the keyed hash) and the address nowhere:
// not in a table, not in an undecided request, not in the local mailbox folder.
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Subscriber } from '../db/schema.js';
import { forgetMail } from '../delivery/outbox.js';
import { appendEvent, eraseProofs, eventsFor } from '../ledger/ledger.js';
import { readableProof } from '../ledger/proof.js';
import type { SubscriptionContext } from './context.js';
import * as store from './store.js';

/** Everything kept about one person, as they are entitled to see it. */
export async function exportData(c: SubscriptionContext, subscriber: Subscriber) {
  const db = c.db.kysely;
  const [confirmations, mails, events] = await Promise.all([
    store.confirmationsOf(db, subscriber.id),
    store.mailsOf(db, subscriber.id),
    eventsFor(db, subscriber.email_hmac),
  ]);
  return {
    exportedAt: c.clock.now().toISOString(),
    subscriber: {
      email: subscriber.email,
      status: subscriber.status,
      source: subscriber.source,
      createdAt: subscriber.created_at,
      confirmedAt: subscriber.confirmed_at,
      unsubscribedAt: subscriber.unsubscribed_at,
    },
    confirmationRequests: confirmations.map(({ proof, ...rest }) => ({ ...rest, proof: JSON.parse(proof) })),
    mails,
    consentLedger: events.map((e) => ({
      seq: e.seq,
      at: e.at,
      kind: e.kind,
      detail: JSON.parse(e.detail),
      proof: e.proof === null ? null : readableProof(e.proof),
      hash: e.hash,
    })),
  };
}

/** Thrown inside the transaction when another request erased the person first: nothing is written. */
class AlreadyErased extends Error {}

/**
 * Forgets a person; true if this call did it. The subscriber row is locked first and deleted last, and
 * the count of deleted rows decides: a concurrent second erasure rolls back and writes no second event.
 */
export async function erase(
  c: SubscriptionContext,
  subscriber: Subscriber,
  localMailbox: string | undefined,
  requestedBy: 'subscriber' | 'admin' = 'subscriber',
): Promise<boolean> {
  const at = c.clock.now().toISOString();
  try {
    await c.db.kysely.transaction().execute(async (trx) => {
      if (!(await store.lockSubscriber(trx, c.db.engine, subscriber.id))) throw new AlreadyErased();
      await store.forgetRequests(trx, subscriber.email_hmac);
      await eraseProofs(trx, subscriber.email_hmac);
      await forgetMail(trx, subscriber.id, subscriber.email);
      await store.deleteConfirmations(trx, subscriber.id);
      if (!(await store.deleteSubscriber(trx, subscriber.id))) throw new AlreadyErased();
      await appendEvent(trx, c.db.engine, {
        at,
        kind: 'erased',
        emailHmac: subscriber.email_hmac,
        detail: { requestedBy },
      });
    });
  } catch (error) {
    if (error instanceof AlreadyErased) return false;
    throw error;
  }
  if (localMailbox) await forgetLocalMail(localMailbox, subscriber.email);
  return true;
}

/** Without SMTP_URL mail is kept as files (mail/transport.ts); those naming the person go too. */
async function forgetLocalMail(dir: string, email: string): Promise<void> {
  const needle = email.toLowerCase();
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.endsWith('.eml')) continue;
    const path = join(dir, name);
    const text = await readFile(path, 'utf8').catch(() => '');
    if (text.toLowerCase().includes(needle)) await rm(path, { force: true });
  }
}
