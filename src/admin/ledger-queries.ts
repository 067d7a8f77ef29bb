// The ledger as the admin browses it: newest first, a page at a time by keyset (seq), optionally one
// kind only; and the kinds present, found by walking the (kind, seq) index rather than the table.
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.js';

export interface LedgerRow {
  seq: number;
  at: string;
  kind: string;
  /** The person's keyed hash (or `admin:<id>`): never an address. */
  emailHmac: string;
  detail: string;
  hasProof: boolean;
  chain: number;
}

export interface LedgerPage {
  rows: LedgerRow[];
  /** The seq to continue below, when older events remain. */
  next: number | undefined;
}

export async function ledgerPage(
  db: Kysely<Database>,
  o: { kind?: string | undefined; before?: number | undefined; limit: number },
): Promise<LedgerPage> {
  const rows = await db
    .selectFrom('ledger_events')
    .select(['seq', 'at', 'kind', 'email_hmac', 'detail', 'proof', 'chain'])
    .$if(o.kind !== undefined, (qb) => qb.where('kind', '=', o.kind ?? ''))
    .$if(o.before !== undefined, (qb) => qb.where('seq', '<', o.before ?? 0))
    .orderBy('seq', 'desc')
    .limit(o.limit + 1)
    .execute();
  const page = rows.slice(0, o.limit).map((r) => ({
    seq: Number(r.seq),
    at: r.at,
    kind: r.kind,
    emailHmac: r.email_hmac,
    detail: r.detail,
    hasProof: r.proof !== null,
    chain: Number(r.chain),
  }));
  return { rows: page, next: rows.length > o.limit ? page.at(-1)?.seq : undefined };
}

/** Distinct kinds, one index probe each (a loose index scan; neither engine skips on its own). */
export async function ledgerKinds(db: Kysely<Database>): Promise<string[]> {
  const result = await sql<{ kind: string | null }>`
    with recursive kinds(kind) as (
      select min(kind) from ledger_events
      union all
      select (select min(kind) from ledger_events where kind > kinds.kind) from kinds where kinds.kind is not null
    )
    select kind from kinds where kind is not null`.execute(db);
  return result.rows.map((r) => r.kind ?? '');
}
