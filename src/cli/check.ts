// `errorbudget check`: validates site.yml and every note, renders them, and exits 1 on any problem.
import type { Command } from 'commander';
import { systemClock } from '../clock.js';
import { loadContent, type Note } from '../content/load-content.js';
import { isUserError } from '../user-error.js';
import { configFrom, withContentOption } from './options.js';
import { contentProblems, count } from './problems.js';

export function registerCheck(program: Command): void {
  withContentOption(program.command('check'))
    .description('validate site.yml and every note; list every problem with its file and line; exit 1 on any')
    .action(async (options: { content?: string }) => {
      const config = configFrom(options);
      const snapshot = await loadContent({ contentDir: config.contentDir }).catch((error: unknown) => {
        // A broken site.yml stops the notes from being read: its problems are all there is to report.
        if (isUserError(error)) throw contentProblems(error.message.split('\n'), '');
        throw error;
      });
      for (const warning of snapshot.warnings) process.stderr.write(`warning: ${warning}\n`);
      if (snapshot.errors.length > 0) throw contentProblems(snapshot.errors, '');
      const now = systemClock.now();
      const drafts = snapshot.notes.filter((note) => note.draft);
      const scheduled = snapshot.notes
        .filter((note) => !note.draft && note.date > now)
        .sort((a, b) => a.date.getTime() - b.date.getTime());
      process.stdout.write(
        `ok: ${count(snapshot.notes.length, 'note')} (${count(drafts.length, 'draft')}, ${scheduled.length} scheduled), ` +
          `${count(snapshot.site.topics.length, 'topic')}, ${count(snapshot.warnings.length, 'warning')}\n`,
      );
      const when = localTime(snapshot.site.timezone);
      for (const note of scheduled)
        process.stdout.write(
          `scheduled: ${when(note.date)} ${snapshot.site.timezone}  ${note.file}  "${note.title}"${mailed(note)}\n`,
        );
    });
}

function localTime(timeZone: string): (date: Date) => string {
  // Swedish writes dates as 2026-11-27 09:00, which sorts and reads the same everywhere.
  const format = new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
  return (date) => format.format(date);
}

const mailed = (note: Note) => (note.newsletter === false ? ' (on the site only, not mailed)' : '');
