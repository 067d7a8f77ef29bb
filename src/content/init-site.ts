// `errorbudget init DIR`: a new site folder of the writer's own, from templates/site, outside this
// repository, so that their content lives in their git repository and errorbudget upgrades apart.
import { cp, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { Temporal } from 'temporal-polyfill';
import { UserError } from '../user-error.js';
import { formatWithOffset } from './publish-time.js';
import { isTimeZone } from './schema.js';

const templateDir = new URL('../../templates/site/', import.meta.url);

/** Files whose {{placeholders}} are filled in; every other template file is copied as it is. */
const filled = ['site.yml', 'notes/hello.md'];

export interface InitOptions {
  title?: string | undefined;
  author?: string | undefined;
  /** IANA zone; by default this machine's. */
  timezone?: string | undefined;
}

export async function initSite(dir: string, now: Date, options: InitOptions = {}): Promise<string[]> {
  const root = resolve(dir);
  const existing = await readdir(root).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    if (error.code === 'ENOTDIR') throw new UserError('is a file, not a folder', dir);
    throw error;
  });
  if (existing.length > 0)
    throw new UserError(
      `is not empty (${existing.slice(0, 3).join(', ')}${existing.length > 3 ? ', …' : ''}); init creates a site in a new or empty folder`,
      dir,
    );
  const timezone = options.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
  if (!isTimeZone(timezone))
    throw new UserError(`"${timezone}" is not an IANA time zone such as Europe/London`, '--timezone');
  const title = options.title?.trim() || titleFromFolder(root);
  // JSON strings are valid YAML scalars: a title with a colon or a quote stays one value.
  const values: Record<string, string> = {
    title: JSON.stringify(title),
    author: JSON.stringify(options.author?.trim() || title),
    timezone: JSON.stringify(timezone),
    // Dated now, so that the sample note is on the site from the first `serve`.
    date: formatWithOffset(
      Temporal.Instant.fromEpochMilliseconds(Math.floor(now.getTime() / 1000) * 1000).toZonedDateTimeISO(
        timezone,
      ),
    ),
  };

  await mkdir(root, { recursive: true });
  await cp(templateDir, root, { recursive: true });
  // npm drops files named .gitignore from a package, so the template keeps it under another name.
  await rename(join(root, 'gitignore'), join(root, '.gitignore'));
  for (const name of filled) {
    const file = join(root, name);
    const text = await readFile(file, 'utf8');
    await writeFile(
      file,
      text.replace(/\{\{(\w+)\}\}/g, (_, key: string) => values[key] ?? ''),
    );
  }
  return ['site.yml', 'notes/hello.md', 'images/mark.svg', '.gitignore'];
}

function titleFromFolder(root: string): string {
  const words = basename(root)
    .replace(/[-_.]+/g, ' ')
    .trim();
  return words ? words[0]?.toUpperCase() + words.slice(1) : 'My notes';
}
