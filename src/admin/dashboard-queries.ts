// What the dashboard shows, gathered in one place: readers by status and their growth over 90 days (from
// the counts the triggers keep), and how the latest issues landed.
import type { Db } from '../db/open-database.js';
import { type IssueProgress, listIssues } from '../delivery/issue-progress.js';
import {
  type DailyCounts,
  dailyStatusCounts,
  type StatusCounts,
  statusCounts,
} from '../subscriptions/status-counts.js';

export const growthDays = 90;
export const latestIssueCount = 5;

export interface IssueOutcome {
  id: number;
  subject: string;
  state: string;
  publishedAt: string;
  recipients: number;
  sent: number;
  failed: number;
  bounced: number;
  complaints: number;
}

export interface Dashboard {
  counts: StatusCounts;
  growth: DailyCounts[];
  issues: IssueOutcome[];
  /** Over the latest issues: bounces and complaints per mail the relay accepted; undefined before any. */
  bounceRate: number | undefined;
  complaintRate: number | undefined;
}

export async function readDashboard(db: Db, now: Date): Promise<Dashboard> {
  const to = now.toISOString().slice(0, 10);
  const start = new Date(now);
  start.setUTCDate(start.getUTCDate() - (growthDays - 1));
  const [counts, growth, progress] = await Promise.all([
    statusCounts(db),
    dailyStatusCounts(db, start.toISOString().slice(0, 10), to),
    listIssues(db.kysely, now, { latest: latestIssueCount }),
  ]);
  const issues = await withComplaints(db, progress);
  const sent = issues.reduce((n, i) => n + i.sent, 0);
  const rate = (count: number) => (sent > 0 ? count / sent : undefined);
  return {
    counts,
    growth,
    issues,
    bounceRate: rate(issues.reduce((n, i) => n + i.bounced - i.complaints, 0)),
    complaintRate: rate(issues.reduce((n, i) => n + i.complaints, 0)),
  };
}

async function withComplaints(db: Db, progress: IssueProgress[]): Promise<IssueOutcome[]> {
  const ids = progress.map((p) => p.issue.id);
  const complaints =
    ids.length === 0
      ? []
      : await db.kysely
          .selectFrom('bounce_events')
          .select((eb) => ['issue_id', eb.fn.countAll<number>().as('n')])
          .where('issue_id', 'in', ids)
          .where('class', '=', 'complaint')
          .groupBy('issue_id')
          .execute();
  return progress.map((p) => ({
    id: p.issue.id,
    subject: p.issue.subject,
    state: p.issue.state,
    publishedAt: p.issue.published_at,
    recipients: p.issue.recipients,
    sent: p.sent,
    failed: p.failed,
    bounced: p.bounced,
    complaints: Number(complaints.find((c) => c.issue_id === p.issue.id)?.n ?? 0),
  }));
}
