// Retention for the ledger's personal proofs: past the period, a proof keeps only its sealed form (the
// IP address and user agent dropped), or, written before proofs were sealed, is blanked with an event
// that says so. Either way `audit verify` still passes, and an altered proof is still caught.
import type { Kysely } from 'kysely';
import type { Db } from '../db/open-database.js';
import type { Database } from '../db/schema.js';
import { appendEvent } from './ledger.js';
import { holdsPersonalValues, sealedProof } from './proof.js';

const sealPage = 500;

/**
 * Drops the raw IP address and user agent (and the key that sealed them) from the proofs of events
 * before `before`, leaving each sealed proof, which the chain still matches. Returns how many changed.
 * Each update is conditional on the proof it read, so an erasure meanwhile is never undone.
 */
export async function sealProofsBefore(db: Kysely<Database>, before: string): Promise<number> {
  let sealed = 0;
  let after = 0;
  for (;;) {
    const rows = await db
      .selectFrom('ledger_events')
      .select(['seq', 'proof'])
      .where('at', '<', before)
      .where('seq', '>', after)
      .where('proof', 'like', '%"personalKey":%')
      .orderBy('seq')
      .limit(sealPage)
      .execute();
    for (const row of rows) {
      after = row.seq;
      if (row.proof === null || !holdsPersonalValues(row.proof)) continue;
      const result = await db
        .updateTable('ledger_events')
        .set({ proof: sealedProof(row.proof) })
        .where('seq', '=', row.seq)
        .where('proof', '=', row.proof)
        .executeTakeFirst();
      sealed += Number(result.numUpdatedRows);
    }
    if (rows.length < sealPage) return sealed;
  }
}

/**
 * Proofs written before proofs were sealed (2026-11-26; a salt inside, no key) have no sealed form to
 * fall back to: past the retention period they are blanked, and a `proofs_expired` event of the same
 * person, appended in the same transaction, says so. Verify accepts a blank proof before such an event
 * as it does before an erasure; only a holder of SECRET can append one. Returns how many were blanked.
 */
export async function expireUnsealedProofsBefore(db: Db, before: string, at: string): Promise<number> {
  const people = await db.kysely
    .selectFrom('ledger_events')
    .select('email_hmac')
    .distinct()
    .where('at', '<', before)
    .where('proof', 'like', '%"salt":%')
    .where('proof', 'not like', '%"personalKey":%')
    .execute();
  let expired = 0;
  for (const { email_hmac: emailHmac } of people) {
    expired += await db.kysely.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('ledger_events')
        .set({ proof: null })
        .where('email_hmac', '=', emailHmac)
        .where('at', '<', before)
        .where('proof', 'like', '%"salt":%')
        .where('proof', 'not like', '%"personalKey":%')
        .executeTakeFirst();
      const blanked = Number(result.numUpdatedRows);
      if (blanked > 0)
        await appendEvent(trx, db.engine, { at, kind: 'proofs_expired', emailHmac, detail: { before } });
      return blanked;
    });
  }
  return expired;
}
