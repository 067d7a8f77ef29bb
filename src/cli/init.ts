// `errorbudget init DIR`: starts a writer's own site folder, kept in their own git repository.
import type { Command } from 'commander';
import { systemClock } from '../clock.js';
import { initSite } from '../content/init-site.js';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('create a new site folder: a commented site.yml, a sample note and images/')
    .argument('<dir>', 'the folder to create (it must be new or empty)')
    .option('--title <text>', 'the site title (default: made from the folder name)')
    .option('--author <name>', 'who writes the notes (default: the title)')
    .option('--timezone <zone>', "IANA time zone of dates and the publish slot (default: this machine's)")
    .action(async (dir: string, options: { title?: string; author?: string; timezone?: string }) => {
      const files = await initSite(dir, systemClock.now(), options);
      process.stdout.write(
        `created ${dir} with ${files.join(', ')}.\n` +
          'Next, in that folder:\n' +
          '  git init                   keep the site in your own repository\n' +
          '  errorbudget check          after editing site.yml and notes/\n' +
          '  errorbudget serve --drafts the site at http://127.0.0.1:3000, drafts included, re-rendered as you save\n',
      );
    });
}
