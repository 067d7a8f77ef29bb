// The consent ledger: an append-only, hash-chained event log. Each event commits to the one before it
// with an HMAC keyed from SECRET, so editing, removing, reordering or forging any row breaks the chain
// for anyone without SECRET; signed checkpoints of the head (checkpoints.ts) catch a removed tail.
// Personal proof (IP, user agent) is stored beside the chain with only the hash of its sealed form inside
// it (proof.ts), so erasing a person deletes the proof, and retention drops the IP and user agent, and
// the chain still verifies.
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Engine } from '../db/open-database.js';
import type { Database, LedgerEvent } from '../db/schema.js';
import { eventHash, genesisHash } from './event-hash.js';
import { type LedgerKeys, processLedgerKeys } from './ledger-keys.js';
import { proofHash, storedProof } from './proof.js';

export { type Verification, verifyLedger } from './verify-ledger.js';

export type LedgerKind =
  | 'subscribe_requested'
  | 'confirmation_sent'
  | 'confirmed'
  | 'unsubscribed'
  | 'imported'
  | 'erased'
  | 'suppressed'
  /** The retention period blanked this person's proofs written before proofs were sealed. */
  | 'proofs_expired'
  /** Something an admin did (signing in, suppressing a reader, …); detail names the admin and action. */
  | 'admin_action';

export interface Proof {
  /** When, from where and with what the person acted. */
  at: string;
  ip: string;
  userAgent: string;
  form: string;
  /** sha256 of the exact words the person agreed to. */
  wordingHash?: string;
  [extra: string]: unknown;
}

export interface NewEvent {
  at: string;
  kind: LedgerKind;
  emailHmac: string;
  detail?: Record<string, unknown>;
  proof?: Proof;
}

/** Appends one event; call inside the transaction that makes the change it records. */
export async function appendEvent(
  trx: Transaction<Database>,
  engine: Engine,
  event: NewEvent,
  keys: LedgerKeys | undefined = processLedgerKeys(),
): Promise<number> {
  return appendEvents(trx, engine, [event], keys);
}

/** SQLite allows 32,766 bound values per statement; 10 columns × 1,000 rows stays well inside it. */
const rowsPerInsert = 1000;

/** Appends events in order, reading the chain's head once: how an import records a thousand people. */
export async function appendEvents(
  trx: Transaction<Database>,
  engine: Engine,
  events: readonly NewEvent[],
  keys: LedgerKeys | undefined = processLedgerKeys(),
): Promise<number> {
  if (events.length === 0) return 0;
  // One writer at a time keeps seq dense and the chain linear. SQLite transactions are already serial.
  if (engine === 'postgres') await sql`lock table ledger_events in exclusive mode`.execute(trx);
  const last = await trx
    .selectFrom('ledger_events')
    .select(['seq', 'hash', 'chain'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  // Without keys only a ledger that was never keyed may grow (tests and tools that open no services);
  // an unkeyed event after a keyed one would be refused by verify, so it is never written.
  if (!keys && last?.chain === 2)
    throw new Error('the ledger is keyed: append through services opened with SECRET');
  const chain = keys ? 2 : 1;
  let seq = last?.seq ?? 0;
  let prevHash = last?.hash ?? genesisHash;
  const rows = events.map((event) => {
    seq += 1;
    const proof = event.proof ? storedProof(event.proof) : null;
    const row = {
      seq,
      at: event.at,
      kind: event.kind,
      email_hmac: event.emailHmac,
      detail: JSON.stringify(event.detail ?? {}),
      proof_hash: proof === null ? null : proofHash(proof),
      chain,
    };
    const hash = eventHash(prevHash, row, keys?.chainKey);
    const complete = { ...row, proof, prev_hash: prevHash, hash };
    prevHash = hash;
    return complete;
  });
  for (let i = 0; i < rows.length; i += rowsPerInsert) {
    await trx
      .insertInto('ledger_events')
      .values(rows.slice(i, i + rowsPerInsert))
      .execute();
  }
  return seq;
}

/** Deletes the personal proof of one person's events; the chain keeps its hashes and still verifies. */
export async function eraseProofs(trx: Transaction<Database>, emailHmac: string): Promise<void> {
  await trx.updateTable('ledger_events').set({ proof: null }).where('email_hmac', '=', emailHmac).execute();
}

export async function eventsFor(db: Kysely<Database>, emailHmac: string): Promise<LedgerEvent[]> {
  return db
    .selectFrom('ledger_events')
    .selectAll()
    .where('email_hmac', '=', emailHmac)
    .orderBy('seq')
    .execute();
}
