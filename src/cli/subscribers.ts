// `subscribers import` and `subscribers export`: moving a subscriber list in and out as CSV.
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { systemClock } from '../clock.js';
import { ensureSecret } from '../config/ensure-secret.js';
import { securePrivateFile } from '../config/private-files.js';
import type { Db } from '../db/open-database.js';
import { openDatabaseFor } from '../server/open-services.js';
import type { ImportStatus } from '../subscriptions/import-subscribers.js';
import { Keys } from '../subscriptions/tokens.js';
import { UserError } from '../user-error.js';
import { configFrom } from './options.js';
import { progressBar } from './progress-bar.js';

const shownBadRows = 20;

export function registerSubscribers(program: Command): void {
  const subscribers = program
    .command('subscribers')
    .description('import and export the subscriber list as CSV');

  subscribers
    .command('import')
    .description(
      'add the addresses of a CSV export (Substack, Ghost, Mailchimp, listmonk) as subscribers; ' +
        'addresses already here are left as they are, and each new one gets an "imported" event in the consent ledger',
    )
    .argument('<file>', 'the CSV file; its header row names the columns')
    .addOption(
      new Option(
        '--status <status>',
        'pending: kept, but not mailed until they subscribe here; active: they confirmed elsewhere and may be mailed',
      )
        .choices(['pending', 'active'])
        .default('pending'),
    )
    .option('--email-column <name>', 'the header of the column with the addresses, if it is not recognised')
    .action(async (file: string, options: { status: ImportStatus; emailColumn?: string }) => {
      const config = configFrom({});
      const size = await sizeOf(file);
      const keys = new Keys(ensureSecret(config));
      const bar = await progressBar('importing', size, '{value}/{total} bytes, {rows} rows');
      // Loaded on demand, like the export below: `serve` starts faster without the CSV modules.
      const { importSubscribers } = await import('../subscriptions/import-subscribers.js');
      const report = await withDatabase(config, (db) =>
        importSubscribers({
          db,
          keys,
          clock: systemClock,
          input: createReadStream(file),
          source: file,
          status: options.status,
          ...(options.emailColumn ? { emailColumn: options.emailColumn } : {}),
          onProgress: (rows, bytes) => bar?.update(bytes, { rows }),
        }),
      ).finally(() => bar?.stop());
      process.stdout.write(
        `imported ${report.imported}, skipped ${report.duplicates} duplicate(s), ${report.badCount} bad row(s)\n`,
      );
      for (const bad of report.bad.slice(0, shownBadRows))
        process.stderr.write(`${file}:${bad.line}: ${bad.problem}\n`);
      if (report.badCount > shownBadRows)
        process.stderr.write(`… and ${report.badCount - shownBadRows} more\n`);
    });

  subscribers
    .command('export')
    .description(
      `write every subscriber as CSV (email,status,source,created_at,confirmed_at,unsubscribed_at), in the order they came`,
    )
    .argument('[file]', 'the file to write (created readable by you only); standard output if omitted')
    .action(async (file: string | undefined) => {
      const config = configFrom({});
      const count = await withDatabase(config, async (db) => {
        const total = process.stderr.isTTY
          ? Number(
              (
                await db.kysely
                  .selectFrom('subscribers')
                  .select((eb) => eb.fn.countAll().as('n'))
                  .executeTakeFirst()
              )?.n ?? 0,
            )
          : 0;
        const bar = await progressBar('exporting', total, '{value}/{total} subscribers');
        const { exportSubscribers } = await import('../subscriptions/export-subscribers.js');
        try {
          // Addresses are personal data: the file is the owner's alone, also when it existed before.
          if (file) securePrivateFile(file);
          return await exportSubscribers({
            db,
            output: file ? createWriteStream(file, { mode: 0o600 }) : process.stdout,
            end: file !== undefined,
            onProgress: (rows) => bar?.update(rows),
          });
        } catch (error) {
          // A reader that stops early (`| head`) is not a failure.
          if ((error as NodeJS.ErrnoException).code === 'EPIPE') return undefined;
          const code = (error as NodeJS.ErrnoException).code;
          if (file && (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR'))
            throw new UserError(`cannot be written (${code})`, file);
          throw error;
        } finally {
          bar?.stop();
        }
      });
      if (file && count !== undefined) process.stdout.write(`exported ${count} subscriber(s) to ${file}\n`);
    });
}

async function sizeOf(file: string): Promise<number> {
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw new UserError('is a folder, not a CSV file', file);
    return info.size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError('no such file', file);
    if (code === 'EACCES') throw new UserError('cannot be read (permission denied)', file);
    throw error;
  }
}

async function withDatabase<T>(config: ReturnType<typeof configFrom>, work: (db: Db) => Promise<T>) {
  const db = await openDatabaseFor(config);
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}
