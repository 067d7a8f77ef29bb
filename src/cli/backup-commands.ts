// `backup` and `restore`: a consistent archive of a running site, and the way back from one.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { backUp, openForBackup } from '../backup/back-up.js';
import { restore } from '../backup/restore.js';
import { configFrom } from './options.js';

export function registerBackupCommands(program: Command, version: string): void {
  program
    .command('backup')
    .description(
      'write a consistent snapshot of the database (while the site runs), the secret, the ledger checkpoints and the DKIM key into one archive with a manifest and SHA-256 checksums, readable by its owner only',
    )
    .argument('<file>', 'the archive to write, e.g. /var/backups/errorbudget/2026-11-26.tar.gz')
    .option('--force', 'replace FILE if it exists')
    .action(async (file: string, options: { force?: boolean }) => {
      const config = configFrom({});
      const out = resolve(file);
      const db = await openForBackup(config);
      try {
        const manifest = await backUp(config, db, {
          out,
          force: options.force === true,
          version,
          now: () => new Date(),
        });
        const bytes = manifest.files.reduce((sum, f) => sum + f.bytes, 0);
        process.stdout.write(
          `backup written to ${out}: ${manifest.engine} at ${manifest.migration}, ${manifest.counts.subscribers} subscribers, ${manifest.counts.ledger_events} ledger events, ${manifest.files.length} files (${bytes} bytes before compression)\n`,
        );
      } finally {
        await db.close();
      }
    });

  program
    .command('restore')
    .description(
      'check a backup archive (checksums, manifest), restore it into DATA_DIR and DATABASE_URL, migrate, compare the row counts and run audit verify; mail older than a day is never sent, and issues that were sending wait for a person',
    )
    .argument('<file>', 'an archive written by `errorbudget backup`')
    .option(
      '--force',
      'replace an existing database, secret or checkpoint file (stop serve and worker first); what is replaced is kept beside it',
    )
    .action(async (file: string, options: { force?: boolean }) => {
      const config = configFrom({});
      const say = (line: string) => process.stdout.write(`${line}\n`);
      const report = await restore(config, resolve(file), {
        force: options.force === true,
        now: () => new Date(),
        say,
      });
      const m = report.manifest;
      say(
        `restored the backup of ${m.createdAt} (errorbudget ${m.version}, ${m.engine}): ${m.counts.subscribers} subscribers, counts match the manifest`,
      );
      say(`audit verify: ok, ${report.ledgerEvents} events`);
      for (const path of report.kept) say(`kept what it replaced as ${path}`);
      if (report.failedMail > 0)
        say(
          `${report.failedMail} mails were waiting when the backup was taken; they were probably sent since, so they are marked failed, not sent again (\`errorbudget outbox\` lists them)`,
        );
      if (report.droppedRequests > 0)
        say(
          `${report.droppedRequests} subscribe requests were waiting when the backup was taken; they were probably answered since, so they are dropped, not answered again (those people can subscribe again)`,
        );
      for (const slug of report.heldIssues)
        say(
          `issue ${slug} was sending at the time of the backup; it waits: \`errorbudget resume ${slug}\` sends the rest`,
        );
    });
}
