// The consent ledger: an append-only, hash-chained event log. Each event commits to the one before it,
// so editing, removing or reordering any row breaks every hash after it. Personal proof (IP, user
// agent) is stored beside the chain with only its salted hash inside it, so erasing a person deletes
// the proof and leaves the chain verifiable.
import { createHash, randomBytes } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Engine } from '../db/open-database.js';
import type { Database, LedgerEvent } from '../db/schema.js';

export type LedgerKind =
  | 'subscribe_requested'
  | 'confirmation_sent'
  | 'confirmed'
  | 'unsubscribed'
  | 'imported'
  | 'erased'
  | 'suppressed';

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

const genesisHash = '0'.repeat(64);

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** What the chain commits to: every column except the erasable proof itself. */
function eventHash(prevHash: string, e: Omit<LedgerEvent, 'hash' | 'prev_hash' | 'proof'>): string {
  const canonical = JSON.stringify([e.seq, e.at, e.kind, e.email_hmac, e.detail, e.proof_hash]);
  return sha256(prevHash + canonical);
}

/** Appends one event; call inside the transaction that makes the change it records. */
export async function appendEvent(
  trx: Transaction<Database>,
  engine: Engine,
  event: NewEvent,
): Promise<number> {
  return appendEvents(trx, engine, [event]);
}

/** SQLite allows 32,766 bound values per statement; 9 columns × 1,000 rows stays well inside it. */
const rowsPerInsert = 1000;

/** Appends events in order, reading the chain's head once: how an import records a thousand people. */
export async function appendEvents(
  trx: Transaction<Database>,
  engine: Engine,
  events: readonly NewEvent[],
): Promise<number> {
  if (events.length === 0) return 0;
  // One writer at a time keeps seq dense and the chain linear. SQLite transactions are already serial.
  if (engine === 'postgres') await sql`lock table ledger_events in exclusive mode`.execute(trx);
  const last = await trx
    .selectFrom('ledger_events')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  let seq = last?.seq ?? 0;
  let prevHash = last?.hash ?? genesisHash;
  const rows = events.map((event) => {
    seq += 1;
    // The salt stops anyone from confirming a guessed IP and user agent against the hash after erasure.
    const proof = event.proof
      ? JSON.stringify({ ...event.proof, salt: randomBytes(16).toString('hex') })
      : null;
    const row = {
      seq,
      at: event.at,
      kind: event.kind,
      email_hmac: event.emailHmac,
      detail: JSON.stringify(event.detail ?? {}),
      proof_hash: proof === null ? null : sha256(proof),
    };
    const hash = eventHash(prevHash, row);
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

export type Verification =
  | { ok: true; events: number; head: string }
  | { ok: false; events: number; seq: number; reason: string };

/** Walks the whole chain in pages, so a ledger of millions of events verifies in flat memory. */
export async function verifyLedger(db: Kysely<Database>, pageSize = 5000): Promise<Verification> {
  let prevHash = genesisHash;
  let expected = 1;
  for (;;) {
    const page = await db
      .selectFrom('ledger_events')
      .selectAll()
      .where('seq', '>=', expected)
      .orderBy('seq')
      .limit(pageSize)
      .execute();
    for (const row of page) {
      const broken = (reason: string): Verification => ({
        ok: false,
        events: expected - 1,
        seq: row.seq,
        reason,
      });
      if (row.seq !== expected)
        return { ok: false, events: expected - 1, seq: expected, reason: 'is missing' };
      if (row.prev_hash !== prevHash)
        return broken('does not follow the event before it (prev_hash differs)');
      if (row.proof !== null && sha256(row.proof) !== row.proof_hash)
        return broken('has a proof that was altered');
      if (eventHash(prevHash, row) !== row.hash)
        return broken('was altered (its hash does not match its contents)');
      prevHash = row.hash;
      expected += 1;
    }
    if (page.length < pageSize) return { ok: true, events: expected - 1, head: prevHash };
  }
}
