// The send-side cursor of an issue: a worker claims a batch with a lease, and every checkpoint records
// in one transaction how far the relay has said 250 (acked_through), the readers it refused, and the
// lease's renewal. The cursor moves only after the relay's answer, never when readers are fetched
// (listmonk's #3022: a fetch-side cursor loses every reader fetched but not sent at a crash).
import type { ExpressionBuilder, Kysely, Transaction } from 'kysely';
import type { Engine } from '../db/open-database.js';
import type { BatchState, Database, ExceptionState, IssueBatch, IssueState } from '../db/schema.js';
import { retryDelayMs } from './outbox.js';
import type { BounceFacts, ReaderActions } from './reader-actions.js';
import { recordBounce } from './record-bounce.js';

export interface Reader {
  id: number;
  key: string;
  email: string;
}

/** Takes the first batch of any sending issue that is queued, or whose worker stopped renewing it. */
export async function claimBatch(
  db: Kysely<Database>,
  engine: Engine,
  worker: string,
  now: Date,
  leaseMs: number,
): Promise<IssueBatch | undefined> {
  const at = now.toISOString();
  const claimable = (eb: ExpressionBuilder<Database, 'issue_batches'>) =>
    eb.or([eb('state', '=', 'queued'), eb.and([eb('state', '=', 'leased'), eb('lease_until', '<', at)])]);
  const next = db
    .selectFrom('issue_batches')
    .select('id')
    .where('issue_id', 'in', db.selectFrom('issues').select('id').where('state', '=', 'sending'))
    .where(claimable)
    .orderBy('issue_id')
    .orderBy('id')
    .limit(1)
    .$if(engine === 'postgres', (qb) => qb.forUpdate().skipLocked());
  return db
    .updateTable('issue_batches')
    .set({ state: 'leased', worker, lease_until: new Date(now.getTime() + leaseMs).toISOString() })
    .where('id', '=', next)
    .where(claimable)
    .returningAll()
    .executeTakeFirst();
}

/** The batch's readers still owed the issue, from the cursor on: re-checked now, so leavers are skipped. */
export async function readersAfter(
  db: Kysely<Database>,
  batch: IssueBatch,
  snapshotAt: string,
  limit: number,
): Promise<Reader[]> {
  return db
    .selectFrom('subscribers')
    .select(['id', 'key', 'email'])
    .where('status', '=', 'active')
    .where('confirmed_at', '<=', snapshotAt)
    .where('id', '>', batch.acked_through)
    .where('id', '<=', batch.last_subscriber_id)
    .orderBy('id')
    .limit(limit)
    .execute();
}

export interface ReaderException {
  subscriberId: number;
  state: ExceptionState;
  code: number | null;
  reply: string;
  /** Set for a hard bounce: recorded, and the reader suppressed, in the same transaction. */
  bounce?: BounceFacts;
}

export interface Checkpoint {
  batch: IssueBatch;
  worker: string;
  ackedThrough: number;
  sent: number;
  sentOnTime: number;
  failed: number;
  deferred: number;
  exceptions: ReaderException[];
  leaseMs: number;
  /** Done: the batch is finished; released: put back for any worker (pause, stop); otherwise still ours. */
  finish?: BatchState;
}

/** What the worker should do next: go on, stop because the issue changed, or stop because it lost the batch. */
export type CheckpointResult = 'continue' | 'lost' | Exclude<IssueState, 'sending'>;

export async function checkpoint(
  db: Kysely<Database>,
  actions: ReaderActions,
  c: Checkpoint,
  now: Date,
): Promise<CheckpointResult> {
  const at = now.toISOString();
  return db.transaction().execute(async (trx): Promise<CheckpointResult> => {
    const state = c.finish ?? 'leased';
    const updated = await trx
      .updateTable('issue_batches')
      .set({
        acked_through: c.ackedThrough,
        sent: c.sent,
        sent_on_time: c.sentOnTime,
        failed: c.failed,
        deferred: c.deferred,
        checkpoint_at: at,
        state,
        worker: state === 'leased' ? c.worker : null,
        lease_until: state === 'leased' ? new Date(now.getTime() + c.leaseMs).toISOString() : null,
      })
      .where('id', '=', c.batch.id)
      .where('worker', '=', c.worker)
      .where('state', '=', 'leased')
      .executeTakeFirst();
    // Another worker took the batch over (this one stalled past its lease): its cursor wins.
    if (Number(updated.numUpdatedRows) === 0) return 'lost';
    for (const e of c.exceptions) await recordException(trx, actions, c.batch.issue_id, e, now);
    const issue = await trx
      .selectFrom('issues')
      .select('state')
      .where('id', '=', c.batch.issue_id)
      .executeTakeFirstOrThrow();
    return issue.state === 'sending' ? 'continue' : issue.state;
  });
}

async function recordException(
  trx: Transaction<Database>,
  actions: ReaderActions,
  issueId: number,
  e: ReaderException,
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  await trx
    .insertInto('issue_exceptions')
    .values({
      issue_id: issueId,
      subscriber_id: e.subscriberId,
      state: e.state,
      attempts: 1,
      next_attempt_at: new Date(now.getTime() + retryDelayMs(1)).toISOString(),
      code: e.code,
      reply: e.reply,
      created_at: at,
      updated_at: at,
    })
    .onConflict((oc) =>
      oc
        .columns(['issue_id', 'subscriber_id'])
        .doUpdateSet({ state: e.state, code: e.code, reply: e.reply, updated_at: at }),
    )
    .execute();
  if (e.bounce) await recordBounce(trx, actions, e.subscriberId, e.bounce, now);
}

/** Marks the issue done once no batch is left and no reader waits for a retry. */
export async function finishIssueIfComplete(
  db: Kysely<Database>,
  issueId: number,
  now: Date,
): Promise<boolean> {
  const open = await db
    .selectFrom('issue_batches')
    .select('id')
    .where('issue_id', '=', issueId)
    .where('state', 'in', ['queued', 'leased'])
    .limit(1)
    .executeTakeFirst();
  const retrying = await db
    .selectFrom('issue_exceptions')
    .select('subscriber_id')
    .where('issue_id', '=', issueId)
    .where('state', '=', 'retry')
    .limit(1)
    .executeTakeFirst();
  if (open || retrying) return false;
  const done = await db
    .updateTable('issues')
    .set({ state: 'done', finished_at: now.toISOString() })
    .where('id', '=', issueId)
    .where('state', '=', 'sending')
    .executeTakeFirst();
  return Number(done.numUpdatedRows) > 0;
}
