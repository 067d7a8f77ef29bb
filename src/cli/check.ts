// `errorbudget check`: validates site.yml and every note, renders them, and exits 1 on any problem.
import type { Command } from 'commander';
import { loadContent } from '../content/load-content.js';
import { UserError } from '../user-error.js';
import { configFrom, withContentOption } from './options.js';

export function registerCheck(program: Command): void {
  withContentOption(program.command('check'))
    .description('validate site.yml and every note; exit 1 on any error')
    .action(async (options: { content?: string }) => {
      const config = configFrom(options);
      const snapshot = await loadContent({ contentDir: config.contentDir });
      for (const warning of snapshot.warnings) process.stderr.write(`warning: ${warning}\n`);
      if (snapshot.errors.length > 0) {
        throw new UserError(
          `${snapshot.errors.length} problem(s):\n${snapshot.errors.join('\n')}`,
          config.contentDir,
        );
      }
      const drafts = snapshot.notes.filter((note) => note.draft).length;
      process.stdout.write(
        `ok: ${snapshot.notes.length} notes (${drafts} drafts), ${snapshot.site.topics.length} topics, ${snapshot.warnings.length} warnings\n`,
      );
    });
}
