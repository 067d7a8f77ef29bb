// `migrate`, `audit verify` and `mailbox`: the commands that look after the data rather than the content.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ensureSecret } from '../config/ensure-secret.js';
import { schemaVersion } from '../db/migrations.js';
import { describeBreak, verifyWithCheckpoints } from '../ledger/verify-with-checkpoints.js';
import { mailboxDir, openDatabaseFor } from '../server/open-services.js';
import { UserError } from '../user-error.js';
import { describeMigrationPlan } from './migration-plan.js';
import { configFrom } from './options.js';

async function withDatabase<T>(
  work: (db: Awaited<ReturnType<typeof openDatabaseFor>>) => Promise<T>,
): Promise<T> {
  const db = await openDatabaseFor(configFrom({}));
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

export function registerDatabaseCommands(program: Command): void {
  program
    .command('migrate')
    .description('bring the database schema up to date (serve does this on start too)')
    .option('--dry-run', 'list the migrations that would run, and change nothing')
    .action(async (options: { dryRun?: boolean }) => {
      if (options.dryRun) return void process.stdout.write(await describeMigrationPlan(configFrom({})));
      const version = await withDatabase(schemaVersion);
      process.stdout.write(`database is at ${version}\n`);
    });

  program
    .command('audit')
    .description('check the consent ledger')
    .command('verify')
    .description(
      'walk the keyed hash chain of the consent ledger and check it extends every signed checkpoint; exit 1 naming the first broken event or checkpoint',
    )
    .option(
      '--checkpoint <file>',
      'the signed checkpoints to hold the chain to (default: LEDGER_CHECKPOINT_FILE, DATA_DIR/ledger-checkpoints)',
    )
    .action(async (options: { checkpoint?: string }) => {
      const config = configFrom({});
      const file = options.checkpoint ? resolve(options.checkpoint) : config.ledgerCheckpointFile;
      const { result, checkpointsFound } = await withDatabase(async (db) => {
        if (options.checkpoint && !existsSync(file)) throw new UserError('no such file', file);
        return verifyWithCheckpoints(db.kysely, ensureSecret(config), file);
      });
      if (!checkpointsFound)
        process.stderr.write(
          `errorbudget: note: no checkpoints at ${file} yet (serve and worker write them), so removed events at the end could go unnoticed\n`,
        );
      if (!result.ok) throw new UserError(describeBreak(result), 'consent ledger');
      process.stdout.write(`ok: ${result.events} events, chain head ${result.head}\n`);
    });

  const mailbox = program
    .command('mailbox')
    .description('list the mails in the local mailbox (used when SMTP_URL is not set)')
    .action(async () => {
      const dir = mailboxDir(configFrom({}));
      const entries = await mailboxEntries(dir);
      if (entries.length === 0) return void process.stdout.write(`the mailbox ${dir} is empty\n`);
      for (const e of entries) {
        process.stdout.write(
          `${String(e.number).padStart(4)}  ${e.date?.toISOString() ?? ''}  ${e.to}  ${e.subject}\n`,
        );
      }
    });
  mailbox
    .command('show')
    .description('print one mail of the local mailbox as text')
    .argument('<number>', 'the number `errorbudget mailbox` lists')
    .action(async (number: string) => {
      const entries = await mailboxEntries(mailboxDir(configFrom({})));
      const entry = entries.find((e) => e.number === Number(number));
      if (!entry) throw new UserError(`no mail number ${number} (there are ${entries.length})`, 'mailbox');
      process.stdout.write(
        `Date: ${entry.date?.toISOString() ?? ''}\nTo: ${entry.to}\nSubject: ${entry.subject}\n\n${entry.text}\n`,
      );
    });
}

/** Loaded on demand: the mail parser is the heaviest module of all, and only these commands need it. */
async function mailboxEntries(dir: string) {
  const { readMailbox } = await import('../mail/mailbox.js');
  return readMailbox(dir);
}
