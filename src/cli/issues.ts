// `send`, `issues`, `pause`, `resume`, `cancel` and `outbox`: the writer's controls over mailing notes.
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { systemClock } from '../clock.js';
import type { Config } from '../config/load-config.js';
import type { Db } from '../db/open-database.js';
import { type IssueProgress, listIssues } from '../delivery/issue-progress.js';
import { cancelIssue, pauseIssue, resumeIssue, type StateChange } from '../delivery/issue-store.js';
import { summariseOutbox } from '../delivery/outbox.js';
import { createLogger } from '../observability/logger.js';
import { sendTestCopy, startIssueNow } from '../server/issue-actions.js';
import { openDatabaseFor, openServices, type Services } from '../server/open-services.js';
import type { LiveSite } from '../site/live-site.js';
import { UserError } from '../user-error.js';
import { openLiveSite } from './open-site.js';
import { configFrom, withContentOption } from './options.js';
import { progressBar } from './progress-bar.js';

export function registerIssueCommands(program: Command): void {
  withContentOption(program.command('send'))
    .description(
      'mail a published note now (still at most once per reader), or a marked test copy to one address',
    )
    .argument('<slug>', 'the note, as in /notes/<slug>')
    .option('--now', 'send the issue to every confirmed reader now, in this terminal, with progress')
    .option('--test <address>', 'send one marked test copy to this address only')
    .action(async (slug: string, options: { content?: string; now?: boolean; test?: string }) => {
      if (!options.now && !options.test)
        throw new UserError(
          'say --now to mail it to every confirmed reader, or --test ADDRESS for a test copy',
          'send',
        );
      const config = configFrom(options);
      const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
      const live = await openLiveSite(config, log, { pages: false });
      const services = await openServices(config, { live, log, clock: systemClock });
      try {
        if (options.test) await sendTest(services, config, live, slug, options.test);
        else await sendNow(services, config, live, slug, log);
      } finally {
        live.stop();
        await services.close();
      }
    });

  program
    .command('issues')
    .description('list issues: state, readers, sent, failed, retrying, bounced, rate and time left')
    .action(async () => {
      const rows = await withDatabase((db) => listIssues(db.kysely, systemClock.now()));
      if (rows.length === 0) return void process.stdout.write('no issues yet\n');
      process.stdout.write(`${describeIssues(rows)}\n`);
    });

  for (const [name, description] of [
    ['pause', 'stop sending an issue within a second; resume continues where it stopped'],
    ['resume', 'continue a paused issue, or start one that waits for a person'],
    ['cancel', 'stop sending an issue for good'],
  ] as const) {
    program
      .command(name)
      .description(description)
      .argument('<slug>', 'the note of the issue')
      .action(async (slug: string) => {
        const now = systemClock.now();
        const change = await withDatabase((db): Promise<StateChange> => {
          if (name === 'pause') return pauseIssue(db.kysely, db.engine, slug);
          if (name === 'resume') return resumeIssue(db.kysely, db.engine, slug, now);
          return cancelIssue(db.kysely, db.engine, slug, now);
        });
        if (!change.ok) throw new UserError(change.problem, name);
        process.stdout.write(`${slug}: ${change.issue.state}\n`);
      });
  }

  program
    .command('outbox')
    .description('the transactional mail queue: counts, the oldest waiting mail, and recent problems')
    .action(async () => {
      const now = systemClock.now();
      const { summary, problems } = await withDatabase(async (db) => ({
        summary: await summariseOutbox(db.kysely, now),
        problems: await db.kysely
          .selectFrom('outbox')
          .select(['id', 'kind', 'status', 'attempts', 'last_error', 'last_reply_class'])
          .where('last_error', 'is not', null)
          .where('status', 'in', ['queued', 'failed'])
          .orderBy('id', 'desc')
          .limit(10)
          .execute(),
      }));
      const oldest = summary.oldestDueAt ? `, oldest due since ${summary.oldestDueAt}` : '';
      process.stdout.write(
        `queued ${summary.queued}, sending ${summary.sending}, sent ${summary.sent}, failed ${summary.failed}${oldest}\n`,
      );
      for (const p of problems) {
        const whose =
          p.last_reply_class === 'sender' ? 'SENDER PROBLEM (relay refuses us)' : p.last_reply_class;
        process.stdout.write(
          `  #${p.id} ${p.kind} ${p.status} after ${p.attempts} tries, ${whose}: ${p.last_error}\n`,
        );
      }
    });
}

async function withDatabase<T>(work: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDatabaseFor(configFrom({}));
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

async function sendTest(services: Services, config: Config, live: LiveSite, slug: string, to: string) {
  const copy = await sendTestCopy(services, live, config.siteUrl, slug, to, systemClock.now());
  process.stdout.write(`sent a test copy of "${copy.subject}" to ${copy.address} through the ${copy.via}\n`);
}

async function sendNow(services: Services, config: Config, live: LiveSite, slug: string, log: Logger) {
  const { db } = services;
  const issue = await startIssueNow(services, live, config.siteUrl, slug, systemClock.now());
  if (issue.state === 'done') {
    process.stdout.write(`${slug}: already sent (${issue.recipients} readers); nobody is mailed twice\n`);
    return;
  }
  const total = issue.recipients;
  const bar = await progressBar(`sending ${slug}`, total, '{value}/{total} mails | {rate}/s');
  const issueId = issue.id;
  const poll = setInterval(async () => {
    const [row] = await listIssues(db.kysely, systemClock.now(), { id: issueId });
    if (row) bar?.update(row.sent + row.failed, { rate: Math.round(row.rate ?? 0) });
  }, 500);
  // Ctrl-C or SIGTERM: the mails in flight finish and are recorded; `send --now` again continues.
  const stop = () => void services.issues.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await services.issues.sendAll();
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    clearInterval(poll);
    bar?.stop();
  }
  const [row] = await listIssues(db.kysely, systemClock.now(), { id: issueId });
  if (row) process.stdout.write(`${describeIssues([row])}\n`);
  if (row && row.retrying > 0)
    log.warn(
      `${row.retrying} reader(s) refused for the moment; \`errorbudget worker\` or \`serve\` retries them`,
    );
}

const format = (n: number | undefined, digits = 0) => (n === undefined ? '-' : n.toFixed(digits));

function describeIssues(rows: IssueProgress[]): string {
  const header = ['issue', 'state', 'readers', 'sent', 'failed', 'retrying', 'bounced', 'rate/s', 'eta'];
  const lines = rows.map((r) => [
    r.issue.note_slug,
    r.issue.state,
    String(r.issue.recipients),
    String(r.sent),
    String(r.failed),
    String(r.retrying),
    String(r.bounced),
    format(r.rate, 1),
    r.etaSeconds === undefined ? '-' : `${Math.ceil(r.etaSeconds)}s`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const table = [header, ...lines].map((cells) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  const notes = rows.flatMap((r) => [
    ...(r.issue.hold_reason ? [`${r.issue.note_slug}: waits for a person: ${r.issue.hold_reason}`] : []),
    ...(r.issue.last_error
      ? [`${r.issue.note_slug}: SENDER PROBLEM, the relay refuses us: ${r.issue.last_error}`]
      : []),
  ]);
  return [...table, ...notes].join('\n');
}
