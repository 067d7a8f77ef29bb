// What the platform's two mail objectives count, read from the tables delivery owns: confirmation mails
// handed to the relay within 60 s of the subscribe request (the outbox), and readers whose issue the
// relay accepted within an hour of the note's publish time (the batches' cursors and the exception rows).
// Each mail or reader is judged once, at its deadline, so a window holds the events whose deadline
// fell in it; the admin's error budget and /metrics turn the counts into budgets.
import { type Kysely, sql } from 'kysely';
import type { Db } from '../db/open-database.js';
import type { Database, Issue } from '../db/schema.js';
import { readersPerBatch } from './issue-store.js';

export interface EventCounts {
  good: number;
  total: number;
}

export const confirmationObjectiveMs = 60_000;
export const deliveryObjectiveMs = 3600_000;

/**
 * An hour after the note was published; for an issue that waited for a person (its readers were fixed
 * only when someone released it), an hour after that release: the platform was told to hold it.
 */
export function deliveryDeadline(issue: Pick<Issue, 'published_at' | 'created_at' | 'snapshot_at'>): Date {
  const released =
    issue.snapshot_at !== null && issue.snapshot_at > issue.created_at
      ? issue.snapshot_at
      : issue.published_at;
  return new Date(Date.parse(released) + deliveryObjectiveMs);
}

/**
 * Confirmation mails whose deadline (request + 60 s) lies in (from, to]. Good: sent by then. A hard
 * bounce is the address's fault, not the platform's, and is left out; anything else late, failed or
 * still waiting is bad.
 */
export async function confirmationCounts(db: Db, from: Date, to: Date): Promise<EventCounts> {
  const within =
    db.engine === 'postgres'
      ? sql`sent_at::timestamptz <= requested_at::timestamptz + interval '60 seconds'`
      : sql`julianday(sent_at) <= julianday(requested_at) + ${confirmationObjectiveMs / 86_400_000}`;
  // Sent in the minute it was asked for is on time without parsing a date: most mails are, and the
  // parsing was most of the query's time (ISO strings: the first 16 characters are the minute).
  const onTime = sql`(substr(sent_at, 1, 16) = substr(requested_at, 1, 16) or ${within})`;
  const since = new Date(from.getTime() - confirmationObjectiveMs).toISOString();
  const until = new Date(to.getTime() - confirmationObjectiveMs).toISOString();
  const { rows } = await sql<{ good: unknown; total: unknown }>`
    select count(*) as total, sum(case when sent_at is not null and ${onTime} then 1 else 0 end) as good
    from outbox
    where kind = 'confirmation' and requested_at > ${since} and requested_at <= ${until}
      and not (status = 'failed' and coalesce(last_reply_class, '') = 'hard-bounce')`.execute(db.kysely);
  return { good: Number(rows[0]?.good ?? 0), total: Number(rows[0]?.total ?? 0) };
}

/**
 * The readers of issues whose deadline lies in (from, to]. Good: accepted by the deadline, in the
 * batch's pass or on a retry. Bad: accepted later, still waiting after a refusal, given up on, or not
 * reached yet. Left out: hard bounces, readers who left before their turn, and what a cancel stopped.
 */
export async function issueDeliveryCounts(db: Kysely<Database>, from: Date, to: Date): Promise<EventCounts> {
  // An issue released before from - 1 h has its deadline before from, whichever rule sets it.
  const candidates = await db
    .selectFrom('issues')
    .select(['id', 'published_at', 'created_at', 'snapshot_at', 'snapshot_max_subscriber_id', 'recipients'])
    .where('snapshot_at', '>', new Date(from.getTime() - deliveryObjectiveMs).toISOString())
    .execute();
  const counts: EventCounts = { good: 0, total: 0 };
  for (const issue of candidates) {
    const deadline = deliveryDeadline(issue);
    if (deadline <= from || deadline > to) continue;
    const { good, bad } = await readersOf(db, issue, deadline.toISOString());
    counts.good += good;
    counts.total += good + bad;
  }
  return counts;
}

type JudgedIssue = Pick<Issue, 'id' | 'snapshot_max_subscriber_id' | 'recipients'>;

async function readersOf(db: Kysely<Database>, issue: JudgedIssue, deadline: string) {
  const batches = await db
    .selectFrom('issue_batches')
    .select((eb) => [
      eb.fn.countAll<number>().as('batches'),
      eb.fn.sum<number>('sent').as('sent'),
      eb.fn.sum<number>('sent_on_time').as('onTime'),
    ])
    .where('issue_id', '=', issue.id)
    .executeTakeFirstOrThrow();
  const open = await db
    .selectFrom('issue_batches')
    .select(['last_subscriber_id', 'sent', 'failed', 'deferred'])
    .where('issue_id', '=', issue.id)
    .where('state', 'in', ['queued', 'leased'])
    .execute();
  // Batches hold a thousand of the snapshot's readers each, the last one the rest (issue-store.ts).
  const lastSize = issue.recipients - readersPerBatch * (Number(batches.batches) - 1);
  const unreached = open.reduce((sum, batch) => {
    const size = batch.last_subscriber_id === issue.snapshot_max_subscriber_id ? lastSize : readersPerBatch;
    return sum + Math.max(size - batch.sent - batch.failed - batch.deferred, 0);
  }, 0);
  const { rows } = await sql<{ onTime: unknown; late: unknown; waiting: unknown; gaveUp: unknown }>`
    select
      sum(case when state = 'sent' and updated_at <= ${deadline} then 1 else 0 end) as "onTime",
      sum(case when state = 'sent' and updated_at > ${deadline} then 1 else 0 end) as late,
      sum(case when state = 'retry' then 1 else 0 end) as waiting,
      sum(case when state = 'failed' and code is not null and not exists (
        select 1 from bounce_events b
        where b.issue_id = e.issue_id and b.subscriber_id = e.subscriber_id and b.class = 'hard'
      ) then 1 else 0 end) as "gaveUp"
    from issue_exceptions e where e.issue_id = ${issue.id}`.execute(db);
  const retried = rows[0];
  const sent = Number(batches.sent ?? 0);
  const onTime = Number(batches.onTime ?? 0);
  const late = Number(retried?.late ?? 0) + Number(retried?.waiting ?? 0) + Number(retried?.gaveUp ?? 0);
  return {
    good: onTime + Number(retried?.onTime ?? 0),
    bad: sent - onTime + late + unreached,
  };
}
