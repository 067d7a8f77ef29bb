// How many subscribers are in each status, now and at the end of each past day, read from the counts the
// triggers of `subscriber_counts` keep (see db/migrations.ts): a few thousand rows to sum, not a million.
// The triggers' rows are folded into one row per day and status once enough have piled up.
import { type Kysely, sql } from 'kysely';
import type { Db } from '../db/open-database.js';
import type { Database, SubscriberStatus } from '../db/schema.js';

export const subscriberStatuses: readonly SubscriberStatus[] = [
  'active',
  'pending',
  'unsubscribed',
  'suppressed',
];

export type StatusCounts = Record<SubscriberStatus, number>;

export interface DailyCounts {
  /** YYYY-MM-DD, UTC. */
  day: string;
  counts: StatusCounts;
}

/** Unfolded rows tolerated before a read folds them; summing this many costs well under a millisecond. */
const foldThreshold = 2000;

function zero(): StatusCounts {
  return { active: 0, pending: 0, unsubscribed: 0, suppressed: 0 };
}

function add(counts: StatusCounts, status: string, n: number) {
  if (status in counts) counts[status as SubscriberStatus] += n;
}

/** The number of subscribers in each status now. */
export async function statusCounts(db: Db): Promise<StatusCounts> {
  await foldCountsIfDue(db);
  const rows = await db.kysely
    .selectFrom('subscriber_counts')
    .select((eb) => ['status', eb.fn.sum<number>('delta').as('n')])
    .groupBy('status')
    .execute();
  const counts = zero();
  for (const row of rows) add(counts, row.status, Number(row.n));
  return counts;
}

/** The counts at the end of each day from `from` to `to` (inclusive, YYYY-MM-DD), one entry per day. */
export async function dailyStatusCounts(db: Db, from: string, to: string): Promise<DailyCounts[]> {
  await foldCountsIfDue(db);
  const [before, within] = await Promise.all([
    db.kysely
      .selectFrom('subscriber_counts')
      .select((eb) => ['status', eb.fn.sum<number>('delta').as('n')])
      .where('day', '<', from)
      .groupBy('status')
      .execute(),
    db.kysely
      .selectFrom('subscriber_counts')
      .select((eb) => ['day', 'status', eb.fn.sum<number>('delta').as('n')])
      .where('day', '>=', from)
      .where('day', '<=', to)
      .groupBy(['day', 'status'])
      .execute(),
  ]);
  const running = zero();
  for (const row of before) add(running, row.status, Number(row.n));
  const byDay = new Map<string, { status: string; n: number }[]>();
  for (const row of within)
    byDay.set(row.day, [...(byDay.get(row.day) ?? []), { status: row.status, n: Number(row.n) }]);
  const days: DailyCounts[] = [];
  for (let day = from; day <= to; day = nextDay(day)) {
    for (const change of byDay.get(day) ?? []) add(running, change.status, change.n);
    days.push({ day, counts: { ...running } });
  }
  return days;
}

function nextDay(day: string): string {
  const next = new Date(`${day}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

async function foldCountsIfDue(db: Db): Promise<void> {
  const pending = await db.kysely
    .selectFrom((eb) =>
      eb
        .selectFrom('subscriber_counts')
        .select('day')
        .where('summed', '=', 0)
        .limit(foldThreshold + 1)
        .as('unfolded'),
    )
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  if (Number(pending.n) > foldThreshold) await foldCounts(db);
}

/**
 * Replaces the triggers' rows by their sums per day and status. On PostgreSQL one statement deletes and
 * inserts what it deleted, so two folds at once never count a row twice: the second skips the rows the
 * first deleted. SQLite runs one writing transaction at a time.
 */
export async function foldCounts(db: Db): Promise<void> {
  if (db.engine === 'postgres') {
    await sql`
      with folded as (delete from subscriber_counts where summed = 0 returning day, status, delta)
      insert into subscriber_counts (day, status, delta, summed)
      select day, status, sum(delta), 1 from folded group by day, status
    `.execute(db.kysely);
    return;
  }
  await db.kysely.transaction().execute(async (trx) => {
    const sums = await unfoldedSums(trx);
    await trx.deleteFrom('subscriber_counts').where('summed', '=', 0).execute();
    // Bound values per statement are limited in SQLite: a decade of days stays in chunks well inside it.
    for (let i = 0; i < sums.length; i += 1000)
      await trx
        .insertInto('subscriber_counts')
        .values(
          sums
            .slice(i, i + 1000)
            .map((s) => ({ day: s.day, status: s.status, delta: Number(s.n), summed: 1 })),
        )
        .execute();
  });
}

function unfoldedSums(db: Kysely<Database>) {
  return db
    .selectFrom('subscriber_counts')
    .select((eb) => ['day', 'status', eb.fn.sum<number>('delta').as('n')])
    .where('summed', '=', 0)
    .groupBy(['day', 'status'])
    .execute();
}
