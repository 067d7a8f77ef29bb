// The subscriber list as the admin reads it: newest first, or by address for a search, a page at a time
// by keyset (the last row's id), so page 20,000 costs what page 1 does. A prefix search is a range on
// the index of lowercased addresses; see the 2026-11-27-02 migration.
import { sql } from 'kysely';
import type { Db } from '../db/open-database.js';
import type { Subscriber, SubscriberStatus } from '../db/schema.js';
import { eventsFor } from '../ledger/ledger.js';

export const pageSize = 50;

export interface SubscriberQuery {
  /** An address, or its beginning; case does not matter. */
  search?: string;
  status?: SubscriberStatus;
  /** The id of the last row of the previous page. */
  after?: number;
}

export type SubscriberRow = Pick<
  Subscriber,
  'id' | 'email' | 'status' | 'source' | 'created_at' | 'confirmed_at'
>;

export interface SubscriberPage {
  rows: SubscriberRow[];
  /** The `after` of the next page, when there is one. */
  next: number | undefined;
}

const columns = ['id', 'email', 'status', 'source', 'created_at', 'confirmed_at'] as const;

export async function findSubscribers(db: Db, q: SubscriberQuery): Promise<SubscriberPage> {
  const search = q.search?.trim().toLowerCase();
  const rows = search ? await searchPage(db, search, q) : await newestPage(db, q);
  const more = rows.length > pageSize;
  const shown = more ? rows.slice(0, pageSize) : rows;
  return { rows: shown, next: more ? shown.at(-1)?.id : undefined };
}

function newestPage(db: Db, q: SubscriberQuery) {
  return db.kysely
    .selectFrom('subscribers')
    .select(columns)
    .$if(q.status !== undefined, (qb) => qb.where('status', '=', q.status as SubscriberStatus))
    .$if(q.after !== undefined, (qb) => qb.where('id', '<', q.after as number))
    .orderBy('id', 'desc')
    .limit(pageSize + 1)
    .execute();
}

async function searchPage(db: Db, prefix: string, q: SubscriberQuery) {
  // The same expression as the index, so that both engines range over it instead of reading the table.
  const key = db.engine === 'postgres' ? sql<string>`lower(email) collate "C"` : sql<string>`lower(email)`;
  const cursor =
    q.after === undefined
      ? undefined
      : await db.kysely
          .selectFrom('subscribers')
          .select('email')
          .where('id', '=', q.after)
          .executeTakeFirst();
  return db.kysely
    .selectFrom('subscribers')
    .select(columns)
    .where(sql<boolean>`${key} >= ${prefix}`)
    .where(sql<boolean>`${key} < ${prefixEnd(prefix)}`)
    .$if(q.status !== undefined, (qb) => qb.where('status', '=', q.status as SubscriberStatus))
    .$if(cursor !== undefined, (qb) =>
      qb.where(sql<boolean>`(${key}, id) > (${cursor?.email.toLowerCase()}, ${q.after})`),
    )
    .orderBy(key)
    .orderBy('id')
    .limit(pageSize + 1)
    .execute();
}

/** The least string above every string that starts with `prefix`, in code point (= UTF-8 byte) order. */
export function prefixEnd(prefix: string): string {
  const points = [...prefix];
  const last = points.pop();
  if (last === undefined) return '\u{10FFFF}';
  const code = last.codePointAt(0) as number;
  // Nothing sorts after U+10FFFF: drop it and raise the character before it instead.
  if (code === 0x10ffff) return prefixEnd(points.join(''));
  // Skip the surrogate block, which no string holds on its own.
  const next = code + 1 === 0xd800 ? 0xe000 : code + 1;
  return points.join('') + String.fromCodePoint(next);
}

export interface SubscriberDetail {
  subscriber: Subscriber;
  events: { seq: number; at: string; kind: string; detail: Record<string, unknown>; hasProof: boolean }[];
  bounces: { at: string; class: string; status: string | null; diagnostic: string; issueId: number | null }[];
}

/** One reader with their ledger history (keyed by their address's keyed hash) and bounces. */
export async function subscriberDetail(db: Db, id: number): Promise<SubscriberDetail | undefined> {
  const subscriber = await db.kysely
    .selectFrom('subscribers')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!subscriber) return undefined;
  const [events, bounces] = await Promise.all([
    eventsFor(db.kysely, subscriber.email_hmac),
    db.kysely
      .selectFrom('bounce_events')
      .select(['received_at', 'class', 'status', 'diagnostic', 'issue_id'])
      .where('subscriber_id', '=', id)
      .orderBy('id', 'desc')
      .limit(100)
      .execute(),
  ]);
  return {
    subscriber,
    events: events.map((e) => ({
      seq: e.seq,
      at: e.at,
      kind: e.kind,
      detail: JSON.parse(e.detail) as Record<string, unknown>,
      hasProof: e.proof !== null,
    })),
    bounces: bounces.map((b) => ({
      at: b.received_at,
      class: b.class,
      status: b.status,
      diagnostic: b.diagnostic,
      issueId: b.issue_id,
    })),
  };
}
