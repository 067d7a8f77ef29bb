// Splits a note file into validated front matter and its Markdown body.
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { UserError } from '../user-error.js';
import { parsePublishDate } from './publish-time.js';
import { frontMatterSchema, type Site } from './schema.js';
import { describeIssues } from './validation-message.js';
import { parsePositionedYaml } from './yaml-document.js';

export interface NoteMeta {
  /** Path relative to the content folder, as shown in messages. */
  file: string;
  slug: string;
  title: string;
  summary: string;
  date: Date;
  updated: Date | undefined;
  topics: string[];
  draft: boolean;
  /** false: published on the site but not mailed. Absent in renderings cached before it existed. */
  newsletter?: boolean;
  /** sha256 of the whole file: the key of its rendering. */
  hash: string;
}

export interface NoteSource extends NoteMeta {
  body: string;
}

export function hashSource(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Building a zod schema costs more than using it: one per site settings, not one per note. */
const schemas = new WeakMap<Site, ReturnType<typeof frontMatterSchema>>();
function schemaFor(site: Site) {
  let schema = schemas.get(site);
  if (!schema) {
    schema = frontMatterSchema(site.topics.map((topic) => topic.slug));
    schemas.set(site, schema);
  }
  return schema;
}

const frontMatterPattern = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

export function parseNote(source: string, file: string, site: Site, hash = hashSource(source)): NoteSource {
  const match = frontMatterPattern.exec(source);
  if (!match)
    throw new UserError(
      'missing front matter: start the file with a line "---", then title, summary, date and topics, then "---"',
      `${file}:1`,
    );
  const yaml = parsePositionedYaml(match[1] ?? '', file, 2);
  const schema = schemaFor(site);
  const parsed = schema.safeParse(yaml.data ?? {});
  if (!parsed.success) throw new UserError(describeIssues(parsed.error, file, yaml).join('\n'));
  const fm = parsed.data;

  const readDate = (field: 'date' | 'updated', value: string | Date) => {
    const date = parsePublishDate(value, site.timezone, site.publish.time);
    if (!date)
      throw new UserError(
        `${field} "${String(value)}" is not a date such as 2026-11-20T09:00:00+00:00`,
        `${file}:${yaml.lineOf([field])}`,
      );
    return date;
  };

  const slug = fm.slug ?? basename(file).replace(/\.md$/i, '');
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(slug))
    throw new UserError(
      `slug "${slug}" must be lowercase letters, digits and single dashes (rename the file or set slug:)`,
      `${file}:1`,
    );

  return {
    file,
    slug,
    title: fm.title,
    summary: fm.summary,
    date: readDate('date', fm.date),
    updated: fm.updated === undefined ? undefined : readDate('updated', fm.updated),
    topics: fm.topics,
    draft: fm.draft,
    newsletter: fm.newsletter,
    body: source.slice(match[0].length),
    hash,
  };
}
