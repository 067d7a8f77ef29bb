// An issue's figures as the admin shows them, computed once on the server for both the page and its
// live stream: the numbers a plain refresh shows are the ones the script writes in, word for word.
import type { Kysely } from 'kysely';
import type { Database, IssueState } from '../db/schema.js';
import { type IssueProgress, listIssues } from '../delivery/issue-progress.js';

export interface IssueFigures {
  id: number;
  slug: string;
  subject: string;
  state: IssueState;
  recipients: number;
  sent: number;
  failed: number;
  /** Readers refused for the moment, waiting for a retry. */
  deferred: number;
  bounced: number;
  remaining: number;
  /** Readers with an outcome (sent or failed), out of `recipients`. */
  settled: number;
  startedAt: string | null;
  finishedAt: string | null;
  holdReason: string | null;
  lastError: string | null;
  /** No more change to watch for: done or cancelled. */
  final: boolean;
  /** Each figure as the page prints it, keyed like the page's `data-figure` attributes. */
  text: Record<FigureName, string>;
}

export const figureNames = [
  'state',
  'recipients',
  'sent',
  'failed',
  'deferred',
  'bounced',
  'remaining',
  'percent',
  'rate',
  'eta',
  'started',
  'finished',
] as const;
export type FigureName = (typeof figureNames)[number];

const count = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });

export function issueFigures(p: IssueProgress): IssueFigures {
  const { issue } = p;
  const settled = p.sent + p.failed;
  const final = issue.state === 'done' || issue.state === 'cancelled';
  return {
    id: Number(issue.id),
    slug: issue.note_slug,
    subject: issue.subject,
    state: issue.state,
    recipients: issue.recipients,
    sent: p.sent,
    failed: p.failed,
    deferred: p.retrying,
    bounced: p.bounced,
    remaining: p.remaining,
    settled,
    startedAt: issue.snapshot_at,
    finishedAt: issue.finished_at,
    holdReason: issue.hold_reason,
    lastError: issue.last_error,
    final,
    text: {
      state: issue.state,
      recipients: count.format(issue.recipients),
      sent: count.format(p.sent),
      failed: count.format(p.failed),
      deferred: count.format(p.retrying),
      bounced: count.format(p.bounced),
      remaining: count.format(p.remaining),
      percent: `${issue.recipients === 0 ? (final ? 100 : 0) : Math.floor((settled * 100) / issue.recipients)} %`,
      rate: p.rate === undefined ? '–' : `${p.rate.toFixed(1)} mails/s`,
      eta: p.etaSeconds === undefined ? '–' : describeSeconds(p.etaSeconds),
      started: formatTime(issue.snapshot_at),
      finished: formatTime(issue.finished_at),
    },
  };
}

/** Issues a page of the admin's list shows: an old archive's first start holds one per note. */
const issuesPageSize = 50;

export interface IssueList {
  issues: IssueFigures[];
  /** The `before` of the next (older) page, when there is one. */
  next?: number;
}

/** A page of issues, newest first: the first, or the one of those older than the issue `before`. */
export async function issueFiguresPage(db: Kysely<Database>, now: Date, before?: number): Promise<IssueList> {
  const rows = await listIssues(db, now, {
    latest: issuesPageSize + 1,
    ...(before !== undefined ? { before } : {}),
  });
  const shown = rows.slice(0, issuesPageSize).map(issueFigures);
  const last = shown.at(-1);
  return rows.length > issuesPageSize && last ? { issues: shown, next: last.id } : { issues: shown };
}

export async function issueFiguresOf(
  db: Kysely<Database>,
  id: number,
  now: Date,
): Promise<IssueFigures | undefined> {
  const [progress] = await listIssues(db, now, { id });
  return progress ? issueFigures(progress) : undefined;
}

/** "2026-11-27 09:00:05 UTC": admins compare these with logs, which are in UTC. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

function describeSeconds(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.ceil(s / 60)} min`;
  return `${Math.floor(s / 3600)} h ${Math.ceil((s % 3600) / 60)} min`;
}
