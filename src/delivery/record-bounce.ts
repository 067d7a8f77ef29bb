// One place that turns a bounce, however it arrived (refused while sending, a DSN, a complaint report),
// into its consequence: hard bounces and complaints end mail to the reader at once, soft bounces after
// three issues in a row, and policy refusals (the sender's problem) never touch the reader.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { BounceFacts, ReaderActions } from './reader-actions.js';

export const softBouncesToSuppress = 3;

export type BounceOutcome = 'suppressed' | 'unsubscribed' | 'counted' | 'policy';

export async function recordBounce(
  trx: Transaction<Database>,
  actions: ReaderActions,
  subscriberId: number | null,
  facts: BounceFacts,
  at: Date,
): Promise<BounceOutcome> {
  await trx
    .insertInto('bounce_events')
    .values({
      subscriber_id: subscriberId,
      issue_id: facts.issueId ?? null,
      outbox_id: facts.outboxId ?? null,
      source: facts.source,
      class: facts.class,
      status: facts.status ?? null,
      diagnostic: facts.diagnostic,
      received_at: at.toISOString(),
    })
    .execute();
  if (facts.class === 'policy') return 'policy';
  if (subscriberId === null) return 'counted';
  if (facts.class === 'complaint') {
    await actions.complained(trx, subscriberId, facts, at);
    return 'unsubscribed';
  }
  if (facts.class === 'hard' || (await softBouncedLastIssues(trx, subscriberId))) {
    await actions.suppress(trx, subscriberId, facts, at);
    return 'suppressed';
  }
  return 'counted';
}

/**
 * "In a row" means the last three issues mailed to this reader each came back soft: a soft bounce now
 * and then (a full mailbox on holiday) is forgiven by the next issue that does not bounce.
 */
async function softBouncedLastIssues(db: Kysely<Database>, subscriberId: number): Promise<boolean> {
  const subscriber = await db
    .selectFrom('subscribers')
    .select('confirmed_at')
    .where('id', '=', subscriberId)
    .executeTakeFirst();
  if (!subscriber?.confirmed_at) return false;
  const issues = await db
    .selectFrom('issues')
    .select('id')
    .where('snapshot_at', '>=', subscriber.confirmed_at)
    .where('snapshot_max_subscriber_id', '>=', subscriberId)
    .where('state', '!=', 'cancelled')
    .orderBy('id', 'desc')
    .limit(softBouncesToSuppress)
    .execute();
  if (issues.length < softBouncesToSuppress) return false;
  const bounced = await db
    .selectFrom('bounce_events')
    .select('issue_id')
    .distinct()
    .where('subscriber_id', '=', subscriberId)
    .where('class', '=', 'soft')
    .where(
      'issue_id',
      'in',
      issues.map((i) => i.id),
    )
    .execute();
  return bounced.length === softBouncesToSuppress;
}
