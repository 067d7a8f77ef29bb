// What the error budget costs: (1) on the request path, the tally's increment next to the page metrics'
// own; (2) computing the three budgets (as a /metrics scrape or the dashboard does) from 28 days of
// history (every minute counted, confirmation mails, issues of a million readers), on SQLite and, with
// TEST_POSTGRES_URL, PostgreSQL, next to the same computation on an empty database.
// Usage: npx tsx bench/error-budget.ts   (RUNS=15 MAILS=20000 READERS=1000000 ISSUES=4)
import { sql } from 'kysely';
import type { Db, Engine } from '../src/db/open-database.js';
import { confirmationCounts, issueDeliveryCounts } from '../src/delivery/delivery-objectives.js';
import { errorBudgets } from '../src/observability/error-budget.js';
import { Metrics } from '../src/observability/metrics.js';
import { requestCounts } from '../src/observability/request-minutes.js';
import { RequestTally } from '../src/observability/request-tally.js';
import { createTestDatabase } from '../test/support/databases.js';
import { median } from './support.js';

const runs = Number(process.env.RUNS ?? 15);
const mails = Number(process.env.MAILS ?? 20_000);
/** A confirmation mail's bodies are a few kilobytes: the objective must not read them. */
const body = 'x'.repeat(6000);
const readers = Number(process.env.READERS ?? 1_000_000);
const issues = Number(process.env.ISSUES ?? 4);
const targets = { availability: 99.9, confirmation: 99, delivery: 99 };
const now = new Date('2026-11-27T12:00:00Z');
const day = 86_400_000;

function hotPath(): void {
  const n = 20_000_000;
  const time = (work: () => void) => {
    const rounds: number[] = [];
    for (let r = 0; r < 5; r += 1) {
      const start = process.hrtime.bigint();
      work();
      rounds.push(Number(process.hrtime.bigint() - start) / n);
    }
    return median(rounds);
  };
  const tally = new RequestTally();
  const metrics = new Metrics();
  const tallyNs = time(() => {
    for (let i = 0; i < n; i += 1) tally.page();
  });
  const metricsNs = time(() => {
    for (let i = 0; i < n; i += 1) metrics.pageServed('GET', 200, 0.0001);
  });
  console.log(
    `request path: tally ${tallyNs.toFixed(1)} ns per request; the page metrics already there ${metricsNs.toFixed(1)} ns (tally ${((tallyNs / metricsNs) * 100).toFixed(0)} % of it)`,
  );
}

/** 28 days of history, written straight into the tables as the platform would have left them. */
async function fill(db: Db): Promise<void> {
  const k = db.kysely;
  const minutes = (28 * day) / 60_000;
  for (let i = 0; i < minutes; i += 2000) {
    const rows = Array.from({ length: Math.min(2000, minutes - i) }, (_, j) => ({
      minute: new Date(now.getTime() - (i + j) * 60_000).toISOString(),
      requests: 3000,
      server_errors: (i + j) % 97 === 0 ? 2 : 0,
    }));
    await k.insertInto('request_minutes').values(rows).execute();
  }
  for (let i = 0; i < mails; i += 1000) {
    const rows = Array.from({ length: Math.min(1000, mails - i) }, (_, j) => {
      const asked = new Date(now.getTime() - ((i + j) / mails) * 28 * day);
      const sent = new Date(asked.getTime() + ((i + j) % 50 === 0 ? 90_000 : 2_000));
      return {
        kind: 'confirmation',
        subscriber_id: null,
        recipient: `r${i + j}@example.com`,
        subject: 'Confirm',
        html: body,
        text: body.slice(0, 2000),
        headers: '{}',
        message_id: `<${i + j}@bench>`,
        status: 'sent' as const,
        attempts: 1,
        created_at: asked.toISOString(),
        requested_at: asked.toISOString(),
        next_attempt_at: asked.toISOString(),
        sent_at: sent.toISOString(),
      };
    });
    await k.insertInto('outbox').values(rows).execute();
  }
  for (let n = 0; n < issues; n += 1) {
    const published = new Date(now.getTime() - (n * 7 + 1) * day).toISOString();
    const issue = await k
      .insertInto('issues')
      .values({
        note_slug: `note-${n}`,
        subject: 's',
        summary: 's',
        note_url: 'https://example.com',
        html: '',
        text: '',
        state: 'done',
        published_at: published,
        created_at: published,
        snapshot_at: published,
        snapshot_max_subscriber_id: readers,
        recipients: readers,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const batches = Array.from({ length: Math.ceil(readers / 1000) }, (_, b) => ({
      issue_id: issue.id,
      first_subscriber_id: b * 1000 + 1,
      last_subscriber_id: Math.min((b + 1) * 1000, readers),
      acked_through: Math.min((b + 1) * 1000, readers),
      sent: 995,
      sent_on_time: b % 10 === 0 ? 900 : 995,
      failed: 2,
      deferred: 3,
      state: 'done' as const,
    }));
    for (let i = 0; i < batches.length; i += 500)
      await k
        .insertInto('issue_batches')
        .values(batches.slice(i, i + 500))
        .execute();
    await sql`insert into issue_exceptions (issue_id, subscriber_id, state, attempts, next_attempt_at, code, reply, created_at, updated_at)
      select ${issue.id}, b.first_subscriber_id, 'sent', 2, ${published}, 250, '', ${published}, ${published}
      from issue_batches b where b.issue_id = ${issue.id}`.execute(k);
  }
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < runs; r += 1) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  return median(times);
}

const timeBudgets = (db: Db) => timed(() => errorBudgets({ db, targets, now }));

/** Each objective's 28-day count alone: where the time goes. */
async function parts(db: Db): Promise<string> {
  const from = new Date(now.getTime() - 28 * day);
  const ms = [
    await timed(() => requestCounts(db.kysely, from, now)),
    await timed(() => confirmationCounts(db, from, now)),
    await timed(() => issueDeliveryCounts(db.kysely, from, now)),
  ].map((m) => m.toFixed(1));
  return `availability ${ms[0]} ms, confirmation ${ms[1]} ms, delivery ${ms[2]} ms`;
}

async function onEngine(engine: Engine): Promise<void> {
  const empty = await createTestDatabase(engine);
  const full = await createTestDatabase(engine);
  try {
    const filling = performance.now();
    await fill(full.db);
    const filled = ((performance.now() - filling) / 1000).toFixed(0);
    const budgets = await errorBudgets({ db: full.db, targets, now });
    const summary = budgets
      .map((b) => `${b.slo} ${b.good}/${b.total} left ${(b.remaining * 100).toFixed(0)} %`)
      .join('; ');
    const [fullMs, emptyMs] = [await timeBudgets(full.db), await timeBudgets(empty.db)];
    console.log(
      `${engine}: three budgets from 28 days of history (${summary}; filled in ${filled} s): median ${fullMs.toFixed(1)} ms over ${runs} runs; empty database ${emptyMs.toFixed(1)} ms`,
    );
    console.log(`${engine}: 28-day counts alone: ${await parts(full.db)}`);
  } finally {
    await full.drop();
    await empty.drop();
  }
}

hotPath();
await onEngine('sqlite');
if (process.env.TEST_POSTGRES_URL) await onEngine('postgres');
else console.log('postgres: skipped (set TEST_POSTGRES_URL)');
