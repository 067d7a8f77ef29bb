// What each event of the chain commits to, in both chain versions. Version 1 (every event before
// 2026-11-26) is a plain SHA-256 chain: anyone with the database can recompute it. Version 2 is an
// HMAC-SHA256 keyed from SECRET and commits to its own version, so it can neither be recomputed nor
// passed off as version 1 without SECRET. Old events keep verifying as they were written; a
// version-1 event after a version-2 one is refused (see verify-ledger.ts).
import { createHash, createHmac } from 'node:crypto';
import type { LedgerEvent } from '../db/schema.js';

export const genesisHash = '0'.repeat(64);

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export type HashedColumns = Pick<
  LedgerEvent,
  'seq' | 'at' | 'kind' | 'email_hmac' | 'detail' | 'proof_hash' | 'chain'
>;

/** Every column except the erasable proof itself, whose hash stands in for it. */
export function eventHash(prevHash: string, e: HashedColumns, chainKey: Buffer | undefined): string {
  if (e.chain === 1) {
    return sha256(prevHash + JSON.stringify([e.seq, e.at, e.kind, e.email_hmac, e.detail, e.proof_hash]));
  }
  if (!chainKey) throw new Error('a keyed ledger event needs the ledger keys');
  const canonical = JSON.stringify([e.chain, e.seq, e.at, e.kind, e.email_hmac, e.detail, e.proof_hash]);
  return createHmac('sha256', chainKey)
    .update(prevHash + canonical)
    .digest('hex');
}
