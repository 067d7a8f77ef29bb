// How far each issue has got, for `errorbudget issues` and the progress bar: counts from the batches'
// cursors and the exception rows, a rate since the snapshot, and the time left at that rate.
import type { Kysely } from 'kysely';
import type { Database, Issue } from '../db/schema.js';

export interface IssueProgress {
  issue: Issue;
  sent: number;
  failed: number;
  /** Readers waiting for a retry after a temporary refusal. */
  retrying: number;
  /** Bounce reports and refusals recorded for this issue. */
  bounced: number;
  /** Readers not yet reached: the issue's readers minus those with an outcome. */
  remaining: number;
  /** Mails per second since the snapshot, while it was sending. */
  rate: number | undefined;
  /** Seconds until done at that rate. */
  etaSeconds: number | undefined;
}

/** Every issue, newest first; or only the one with `id` (the admin's issue page and its live figures). */
export async function listIssues(db: Kysely<Database>, now: Date, id?: number): Promise<IssueProgress[]> {
  const issues = await db
    .selectFrom('issues')
    .selectAll()
    .$if(id !== undefined, (qb) => qb.where('id', '=', id ?? 0))
    .orderBy('id', 'desc')
    .execute();
  if (issues.length === 0) return [];
  const batches = await db
    .selectFrom('issue_batches')
    .$if(id !== undefined, (qb) => qb.where('issue_id', '=', id ?? 0))
    .select((eb) => [
      'issue_id',
      eb.fn.sum<number>('sent').as('sent'),
      eb.fn.sum<number>('failed').as('failed'),
      eb.fn.max('checkpoint_at').as('progress'),
    ])
    .groupBy('issue_id')
    .execute();
  const retries = await db
    .selectFrom('issue_exceptions')
    .$if(id !== undefined, (qb) => qb.where('issue_id', '=', id ?? 0))
    .select((eb) => ['issue_id', 'state', eb.fn.countAll<number>().as('n')])
    .groupBy(['issue_id', 'state'])
    .execute();
  const bounces = await db
    .selectFrom('bounce_events')
    .select((eb) => ['issue_id', eb.fn.countAll<number>().as('n')])
    .where('issue_id', 'is not', null)
    .$if(id !== undefined, (qb) => qb.where('issue_id', '=', id ?? 0))
    .groupBy('issue_id')
    .execute();
  return issues.map((issue) => {
    const batch = batches.find((b) => b.issue_id === issue.id);
    const exceptions = (state: string) =>
      Number(retries.find((r) => r.issue_id === issue.id && r.state === state)?.n ?? 0);
    // Retries that later went through count as sent; the batches counted them as deferred.
    const sent = Number(batch?.sent ?? 0) + exceptions('sent');
    const failed = exceptions('failed');
    const retrying = exceptions('retry');
    const remaining = Math.max(issue.recipients - sent - failed - retrying, 0);
    const started = issue.snapshot_at ? Date.parse(issue.snapshot_at) : undefined;
    const last = (batch?.progress as string | null | undefined) ?? issue.finished_at ?? now.toISOString();
    const elapsed = started === undefined ? 0 : (Date.parse(last) - started) / 1000;
    const rate = elapsed > 0 && sent > 0 ? sent / elapsed : undefined;
    return {
      issue,
      sent,
      failed,
      retrying,
      bounced: Number(bounces.find((b) => b.issue_id === issue.id)?.n ?? 0),
      remaining,
      rate,
      etaSeconds: rate && issue.state === 'sending' ? remaining / rate : undefined,
    };
  });
}
