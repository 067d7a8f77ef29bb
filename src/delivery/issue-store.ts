// Issues: one note mailed to every confirmed reader. An issue is created once per note (the slug is
// unique), its readers fixed by a snapshot (confirmed by then, ids up to the newest), and split into
// batches of readers that workers claim. Pause, resume, cancel and the "wait for a person" rule are
// state changes here; the sending itself is in issue-sender.ts.
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Engine } from '../db/open-database.js';
import type { Database, Issue, IssueState } from '../db/schema.js';

/** Readers per batch: a claim is one statement per thousand mails, so the queue is never the bottleneck. */
export const readersPerBatch = 1000;

/** An issue older than this without progress waits for a person (a restored backup rewinds cursors). */
export const staleAfterMs = 24 * 3600_000;

export interface IssueContent {
  slug: string;
  subject: string;
  summary: string;
  noteUrl: string;
  html: string;
  text: string;
  publishedAt: Date;
}

/** Creates the issue of a note unless it exists; returns it only when this call created it. */
export async function createIssue(
  db: Kysely<Database>,
  content: IssueContent,
  now: Date,
  hold?: string,
): Promise<Issue | undefined> {
  return db.transaction().execute(async (trx) => {
    const created = await trx
      .insertInto('issues')
      .values({
        note_slug: content.slug,
        subject: content.subject,
        summary: content.summary,
        note_url: content.noteUrl,
        html: content.html,
        text: content.text,
        state: hold ? 'held' : 'sending',
        hold_reason: hold ?? null,
        published_at: content.publishedAt.toISOString(),
        created_at: now.toISOString(),
      })
      .onConflict((oc) => oc.column('note_slug').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!created || hold) return created;
    return snapshot(trx, created, now);
  });
}

/**
 * Fixes the issue's readers and cuts them into batches of about a thousand, by id range. Readers are
 * checked again when a batch is sent, so an unsubscription during the send is honoured.
 */
async function snapshot(trx: Transaction<Database>, issue: Issue, now: Date) {
  const at = now.toISOString();
  const active = trx.selectFrom('subscribers').where('status', '=', 'active').where('confirmed_at', '<=', at);
  const { count, max } = await active
    .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.max('id').as('max')])
    .executeTakeFirstOrThrow();
  // Every thousandth reader's id ends a batch: one query, whatever the number of readers.
  const ends = await sql<{ id: number }>`
    select id from (
      select id, row_number() over (order by id) as n from subscribers
      where status = 'active' and confirmed_at <= ${at}
    ) numbered where n % ${readersPerBatch} = 0 order by id`.execute(trx);
  const bounds = ends.rows.map((row) => Number(row.id));
  const last = Number(max ?? 0);
  if (bounds.at(-1) !== last && Number(count) > 0) bounds.push(last);
  let first = 1;
  const batches = bounds.map((end) => {
    const batch = {
      issue_id: issue.id,
      first_subscriber_id: first,
      last_subscriber_id: end,
      acked_through: first - 1,
      state: 'queued' as const,
    };
    first = end + 1;
    return batch;
  });
  for (let i = 0; i < batches.length; i += 1000)
    await trx
      .insertInto('issue_batches')
      .values(batches.slice(i, i + 1000))
      .execute();
  const state: IssueState = batches.length === 0 ? 'done' : 'sending';
  const updated = await trx
    .updateTable('issues')
    .set({
      state,
      hold_reason: null,
      snapshot_at: at,
      snapshot_max_subscriber_id: last,
      recipients: Number(count),
      ...(state === 'done' ? { finished_at: at } : {}),
    })
    .where('id', '=', issue.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return updated;
}

export async function findIssue(db: Kysely<Database>, slug: string): Promise<Issue | undefined> {
  return db.selectFrom('issues').selectAll().where('note_slug', '=', slug).executeTakeFirst();
}

export type StateChange = { ok: true; issue: Issue } | { ok: false; problem: string };

/** Starts or resumes: a held issue takes its snapshot now; a paused one continues from its cursors. */
export async function resumeIssue(
  db: Kysely<Database>,
  engine: Engine,
  slug: string,
  now: Date,
): Promise<StateChange> {
  return db.transaction().execute(async (trx): Promise<StateChange> => {
    const issue = await lockIssue(trx, engine, slug);
    if (!issue) return { ok: false, problem: `there is no issue for "${slug}"` };
    if (issue.state === 'sending') return { ok: true, issue };
    if (issue.state !== 'paused' && issue.state !== 'held')
      return { ok: false, problem: `the issue "${slug}" is ${issue.state}` };
    if (issue.snapshot_at === null) return { ok: true, issue: await snapshot(trx, issue, now) };
    // Counts as progress, or the stale rule below would hold it again at once.
    await trx
      .updateTable('issue_batches')
      .set({ checkpoint_at: now.toISOString() })
      .where('issue_id', '=', issue.id)
      .where('state', 'in', ['queued', 'leased'])
      .execute();
    const resumed = await trx
      .updateTable('issues')
      .set({ state: 'sending', hold_reason: null, last_error: null })
      .where('id', '=', issue.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { ok: true, issue: resumed };
  });
}

/** Workers see the change at their next checkpoint (within a second) and stop after the mails in flight. */
export async function pauseIssue(db: Kysely<Database>, engine: Engine, slug: string) {
  return changeState(db, engine, slug, ['sending'], 'paused');
}

export async function cancelIssue(db: Kysely<Database>, engine: Engine, slug: string, now: Date) {
  const change = await changeState(db, engine, slug, ['sending', 'paused', 'held'], 'cancelled', now);
  if (change.ok)
    await db
      .updateTable('issue_batches')
      .set({ state: 'cancelled' })
      .where('issue_id', '=', change.issue.id)
      .where('state', '=', 'queued')
      .execute();
  return change;
}

async function changeState(
  db: Kysely<Database>,
  engine: Engine,
  slug: string,
  from: IssueState[],
  to: IssueState,
  now?: Date,
): Promise<StateChange> {
  return db.transaction().execute(async (trx): Promise<StateChange> => {
    const issue = await lockIssue(trx, engine, slug);
    if (!issue) return { ok: false, problem: `there is no issue for "${slug}"` };
    if (issue.state === to) return { ok: true, issue };
    if (!from.includes(issue.state)) return { ok: false, problem: `the issue "${slug}" is ${issue.state}` };
    const changed = await trx
      .updateTable('issues')
      .set({ state: to, ...(now ? { finished_at: now.toISOString() } : {}) })
      .where('id', '=', issue.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { ok: true, issue: changed };
  });
}

function lockIssue(trx: Transaction<Database>, engine: Engine, slug: string) {
  return trx
    .selectFrom('issues')
    .selectAll()
    .where('note_slug', '=', slug)
    .$if(engine === 'postgres', (qb) => qb.forUpdate())
    .executeTakeFirst();
}

/**
 * Issues that have made no progress for a day wait for a person: after a restore from an old backup
 * every cursor is rewound, and resuming on its own would mail again everyone since the backup.
 */
export async function holdStalledIssues(db: Kysely<Database>, now: Date): Promise<string[]> {
  const before = new Date(now.getTime() - staleAfterMs).toISOString();
  const sending = await db
    .selectFrom('issues')
    .leftJoin('issue_batches', 'issue_batches.issue_id', 'issues.id')
    .select(['issues.id', 'issues.note_slug', 'issues.snapshot_at'])
    .select((eb) => eb.fn.max('issue_batches.checkpoint_at').as('progress'))
    .where('issues.state', '=', 'sending')
    .groupBy(['issues.id', 'issues.note_slug', 'issues.snapshot_at'])
    .execute();
  const stalled = sending.filter(
    (issue) => ((issue.progress as string | null) ?? issue.snapshot_at ?? '') < before,
  );
  for (const issue of stalled) {
    const since = (issue.progress as string | null) ?? issue.snapshot_at;
    await db
      .updateTable('issues')
      .set({
        state: 'held',
        hold_reason: `no progress since ${since}: if the database was restored from a backup, readers since then may be mailed twice; resume with \`errorbudget resume ${issue.note_slug}\``,
      })
      .where('id', '=', issue.id)
      .where('state', '=', 'sending')
      .execute();
  }
  return stalled.map((issue) => issue.note_slug);
}

/**
 * After a restore every issue still sending waits for a person, however recent the backup: its
 * cursors are those of the backup, and the readers after them may have been mailed since.
 */
export async function holdIssuesAfterRestore(db: Kysely<Database>, backupAt: string): Promise<string[]> {
  const held = await db
    .updateTable('issues')
    .set({
      state: 'held',
      hold_reason: `restored from a backup of ${backupAt}: readers after its cursors may have been mailed since then; \`errorbudget resume\` sends the rest anyway`,
    })
    .where('state', '=', 'sending')
    .returning('note_slug')
    .execute();
  return held.map((row) => row.note_slug);
}
