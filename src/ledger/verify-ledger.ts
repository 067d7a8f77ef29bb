// Verification of the whole ledger: the chain, the proofs, who may have a blank proof, and (given
// signed checkpoints) that the chain still extends every head it ever had. Walks in pages, so a ledger
// of millions of events verifies in flat memory.
import type { Kysely } from 'kysely';
import type { Database, LedgerEvent } from '../db/schema.js';
import { eventHash, genesisHash } from './event-hash.js';
import { type LedgerKeys, processLedgerKeys } from './ledger-keys.js';
import { proofHash } from './proof.js';

/** A head the chain had, as a signed checkpoint recorded it; `where` names the file and line. */
export interface ExpectedHead {
  seq: number;
  hash: string;
  at: string;
  where: string;
}

export type Verification =
  | { ok: true; events: number; head: string }
  | { ok: false; events: number; seq: number; reason: string; checkpoint?: string };

export interface VerifyOptions {
  keys?: LedgerKeys | undefined;
  checkpoints?: readonly ExpectedHead[];
}

export async function verifyLedger(
  db: Kysely<Database>,
  pageSize = 5000,
  options: VerifyOptions = {},
): Promise<Verification> {
  const keys = 'keys' in options ? options.keys : processLedgerKeys();
  const erasedAt = await lastErasures(db);
  const heads = new Map<number, ExpectedHead>();
  for (const head of options.checkpoints ?? []) heads.set(head.seq, head);
  const genesis = heads.get(0);
  if (genesis && genesis.hash !== genesisHash) return beforeGenesis(genesis);
  let prevHash = genesisHash;
  let expected = 1;
  let keyed = false;
  for (;;) {
    const page = await db
      .selectFrom('ledger_events')
      .selectAll()
      .where('seq', '>=', expected)
      .orderBy('seq')
      .limit(pageSize)
      .execute();
    for (const row of page) {
      if (row.seq !== expected)
        return { ok: false, events: expected - 1, seq: expected, reason: 'is missing' };
      const reason = problemWith(row, prevHash, keyed, keys, erasedAt);
      if (reason) return { ok: false, events: expected - 1, seq: row.seq, reason };
      const head = heads.get(row.seq);
      if (head && head.hash !== row.hash) {
        return {
          ok: false,
          events: expected - 1,
          seq: row.seq,
          checkpoint: head.where,
          reason: `names event ${row.seq} with a hash the chain no longer has (signed at ${head.at}): the chain was rewritten up to there`,
        };
      }
      keyed ||= row.chain === 2;
      prevHash = row.hash;
      expected += 1;
    }
    if (page.length < pageSize) break;
  }
  const events = expected - 1;
  const beyond = [...heads.values()].filter((h) => h.seq > events).sort((a, b) => a.seq - b.seq)[0];
  if (beyond) {
    return {
      ok: false,
      events,
      seq: beyond.seq,
      checkpoint: beyond.where,
      reason: `was signed at ${beyond.at} when the ledger had ${beyond.seq} events; it now has ${events}: events were removed`,
    };
  }
  return { ok: true, events, head: prevHash };
}

function problemWith(
  row: LedgerEvent,
  prevHash: string,
  afterKeyed: boolean,
  keys: LedgerKeys | undefined,
  erasedAt: Map<string, number>,
): string | undefined {
  if (row.prev_hash !== prevHash) return 'does not follow the event before it (prev_hash differs)';
  if (row.chain !== 1 && row.chain !== 2) return `has an unknown chain version (${row.chain})`;
  // Version 1 is recomputable by anyone: it is only believable as the prefix written before keying.
  if (row.chain === 1 && afterKeyed) return 'is unkeyed but follows keyed events: it was not written by us';
  if (row.chain === 2 && !keys) return 'is keyed, and verifying it needs SECRET';
  if (row.proof !== null && proofHash(row.proof) !== row.proof_hash) return 'has a proof that was altered';
  // A proof is blanked only by erasure or by the expiry of an unsealed proof, in the transaction that
  // writes the person's `erased` or `proofs_expired` event.
  if (row.proof === null && row.proof_hash !== null && !((erasedAt.get(row.email_hmac) ?? 0) > row.seq))
    return 'has a blank proof, but its person was never erased';
  if (eventHash(prevHash, row, keys?.chainKey) !== row.hash)
    return 'was altered (its hash does not match its contents)';
  return undefined;
}

/** Each person's last event that blanks proofs; the walk itself proves these events genuine. */
async function lastErasures(db: Kysely<Database>): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('ledger_events')
    .select((eb) => ['email_hmac', eb.fn.max('seq').as('seq')])
    .where('kind', 'in', ['erased', 'proofs_expired'])
    .groupBy('email_hmac')
    .execute();
  return new Map(rows.map((r) => [r.email_hmac, Number(r.seq)]));
}

function beforeGenesis(head: ExpectedHead): Verification {
  return {
    ok: false,
    events: 0,
    seq: 0,
    checkpoint: head.where,
    reason: 'names a different start of the chain',
  };
}
