// `errorbudget new "Title"`: starts a note dated the next publish slot.

import { relative } from 'node:path';
import type { Command } from 'commander';
import { systemClock } from '../clock.js';
import { loadSite } from '../content/load-site.js';
import { createNote } from '../content/new-note.js';
import { configFrom, withContentOption } from './options.js';

export function registerNew(program: Command): void {
  withContentOption(program.command('new'))
    .description('create a draft note dated the next publish slot')
    .argument('<title>', 'the note title; the file name is made from it')
    .option('--topic <slug...>', 'topic slugs from site.yml', [])
    .option('--summary <text>', 'one or two sentences for lists and feeds')
    .action(async (title: string, options: { content?: string; topic: string[]; summary?: string }) => {
      const config = configFrom(options);
      const site = await loadSite(config.contentDir);
      const note = await createNote(config.contentDir, site, systemClock.now(), {
        title,
        topics: options.topic,
        summary: options.summary,
      });
      process.stdout.write(
        `created ${relative(process.cwd(), note.path)}, dated ${note.date} (${site.timezone}).\n` +
          'It is a draft: remove "draft: true" when it is ready, and it will publish at that time.\n',
      );
    });
}
