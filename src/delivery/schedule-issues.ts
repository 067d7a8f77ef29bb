// Creates the issue of each note once its publish time has passed: exactly once across restarts and
// processes (the note's slug is unique in `issues`), and only for notes that should be mailed. A note
// published more than a day before anyone looked (an old archive on a new install, a restored backup)
// waits for a person instead of surprising every reader with old news.
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Db } from '../db/open-database.js';
import { createIssue, holdStalledIssues, type IssueContent, staleAfterMs } from './issue-store.js';

export interface MailableNote {
  slug: string;
  date: Date;
  draft: boolean;
  /** false: on the site, never mailed. */
  newsletter?: boolean | undefined;
}

export interface SchedulerOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  /** Every note the site knows now, drafts and future ones included. */
  notes(): readonly MailableNote[];
  /** The email of a note, rendered once for its issue. */
  render(slug: string): Promise<IssueContent>;
  /** An issue started: the sender should look now. */
  onStarted?(): void;
  /** Each tick that could read the issues: the schedule is alive (for /readyz). */
  onTick?(): void;
  /**
   * false while the site still renders its notes after a start. Late notes wait for a person anyway:
   * their held issues are made once it is true, so that a first start with an archive of a thousand
   * notes renders and serves them before it writes a thousand emails nobody is waiting for.
   */
  settled?(): boolean;
  /**
   * true once the process is stopping: the issues not made yet are left for the next start (each is
   * made once whenever it is), since making a first start's thousand held issues takes minutes.
   */
  stopping?(): boolean;
  pollMs?: number;
}

export interface ScheduleReport {
  started: string[];
  held: string[];
}

export function isMailable(note: MailableNote, now: Date): boolean {
  return !note.draft && note.newsletter !== false && note.date.getTime() <= now.getTime();
}

export async function createDueIssues(o: SchedulerOptions): Promise<ScheduleReport> {
  const now = o.clock.now();
  const due = o.notes().filter((note) => isMailable(note, now));
  const report: ScheduleReport = { started: [], held: [] };
  if (due.length === 0) return report;
  const known = new Set(
    (await o.db.kysely.selectFrom('issues').select('note_slug').execute()).map((row) => row.note_slug),
  );
  const settled = o.settled?.() ?? true;
  for (const note of due) {
    if (o.stopping?.()) break;
    if (known.has(note.slug)) continue;
    const late = now.getTime() - note.date.getTime() > staleAfterMs;
    if (late && !settled) continue;
    // Each email is composed on this thread: pages are served between two of them.
    if (late) await new Promise((resolve) => setImmediate(resolve));
    const hold = late
      ? `published on ${note.date.toISOString()}, more than a day before it could be mailed: send it with \`errorbudget send ${note.slug} --now\`, or cancel it`
      : undefined;
    const issue = await createIssue(o.db.kysely, await o.render(note.slug), now, hold);
    if (!issue) continue;
    (hold ? report.held : report.started).push(note.slug);
    o.log.info(
      { issue: note.slug, state: issue.state, recipients: issue.recipients },
      hold ? 'issue waits for a person: the note was published long ago' : 'issue created; mailing it',
    );
  }
  if (report.started.length > 0) o.onStarted?.();
  return report;
}

/** Runs the schedule every few seconds in whichever processes run workers; the database keeps it once. */
export class IssueScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;

  constructor(private readonly o: SchedulerOptions) {}

  start(): void {
    if (this.timer) return;
    const tick = () => {
      this.running ??= this.tick().finally(() => {
        this.running = undefined;
      });
    };
    tick();
    this.timer = setInterval(tick, this.o.pollMs ?? 5000);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  async tick(): Promise<void> {
    try {
      await createDueIssues({ ...this.o, stopping: () => this.stopping });
      const held = await holdStalledIssues(this.o.db.kysely, this.o.clock.now());
      for (const slug of held)
        this.o.log.warn(
          { issue: slug },
          'issue made no progress for a day; it waits for a person to resume it',
        );
      this.o.onTick?.();
    } catch (error) {
      this.o.log.error({ err: error }, 'could not create or check issues; trying again shortly');
    }
  }
}
