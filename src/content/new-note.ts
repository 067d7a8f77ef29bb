// `errorbudget new "Title"`: a note file dated the next publish slot, named after its title.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import { UserError } from '../user-error.js';
import { notesFolder } from './load-content.js';
import { formatWithOffset, nextPublishSlot } from './publish-time.js';
import { type Site, unknownTopic } from './schema.js';

function slugify(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '');
}

export interface NewNote {
  path: string;
  date: string;
}

export async function createNote(
  contentDir: string,
  site: Site,
  now: Date,
  input: { title: string; topics: string[]; summary?: string },
): Promise<NewNote> {
  const title = input.title.trim();
  const slug = slugify(title);
  if (!slug) throw new UserError(`title "${input.title}" has no letters or digits to make a file name from`);
  const known = new Set(site.topics.map((topic) => topic.slug));
  const unknown = input.topics.find((topic) => !known.has(topic));
  if (unknown) throw new UserError(unknownTopic(unknown, [...known]), '--topic');

  const date = formatWithOffset(nextPublishSlot(now, site.timezone, site.publish.day, site.publish.time));
  // A new note starts as a draft so that an unfinished file can never go out on Friday by accident.
  const frontMatter = stringify({
    title,
    summary: input.summary ?? '',
    date,
    topics: input.topics,
    draft: true,
  });
  const dir = join(contentDir, notesFolder);
  const path = join(dir, `${slug}.md`);
  await mkdir(dir, { recursive: true });
  try {
    await writeFile(path, `---\n${frontMatter}---\n\n`, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new UserError(`${relative(process.cwd(), path)} already exists`);
    throw error;
  }
  return { path, date };
}
