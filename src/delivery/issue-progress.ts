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

/** Which issues to read: every one (newest first), only the `latest` few (older than the issue `before`,
 * for a page after the first), or only the one with `id`. */
export interface IssueSelection {
  latest?: number;
  before?: number;
  id?: number;
}

export async function listIssues(
  db: Kysely<Database>,
  now: Date,
  which: IssueSelection = {},
): Promise<IssueProgress[]> {
  const { latest, before, id } = which;
  const issues = await db
    .selectFrom('issues')
    .selectAll()
    .$if(id !== undefined, (qb) => qb.where('id', '=', id ?? 0))
    .$if(before !== undefined, (qb) => qb.where('id', '<', before ?? 0))
    .orderBy('id', 'desc')
    .$if(latest !== undefined, (qb) => qb.limit(latest ?? 0))
    .execute();
  if (issues.length === 0) return [];
  // Figures of the chosen issues only: the dashboard's latest few must not sum every batch ever sent.
  const chosen = (latest ?? id) !== undefined;
  const ids = issues.map((issue) => issue.id);
  const batches = await db
    .selectFrom('issue_batches')
    .select((eb) => [
      'issue_id',
      eb.fn.sum<number>('sent').as('sent'),
      eb.fn.sum<number>('failed').as('failed'),
      eb.fn.max('checkpoint_at').as('progress'),
    ])
    .$if(chosen, (qb) => qb.where('issue_id', 'in', ids))
    .groupBy('issue_id')
    .execute();
  const retries = await db
    .selectFrom('issue_exceptions')
    .select((eb) => ['issue_id', 'state', eb.fn.countAll<number>().as('n')])
    .$if(chosen, (qb) => qb.where('issue_id', 'in', ids))
    .groupBy(['issue_id', 'state'])
    .execute();
  const bounces = await db
    .selectFrom('bounce_events')
    .select((eb) => ['issue_id', eb.fn.countAll<number>().as('n')])
    .where('issue_id', 'is not', null)
    .$if(chosen, (qb) => qb.where('issue_id', 'in', ids))
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
