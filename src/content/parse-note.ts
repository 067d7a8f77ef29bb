// Splits a note file into validated front matter and its Markdown body.
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { UserError } from '../user-error.js';
import { readingMinutes } from './reading-time.js';
import { frontMatterSchema, type Site } from './schema.js';
import { describeIssues, plainErrors } from './validation-message.js';
import { parsePositionedYaml, readFlatYaml } from './yaml-document.js';

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
  /** From the Markdown source, so that lists know it before the body is rendered. */
  readingMinutes: number;
  /** sha256 of the whole file: the key of its rendering. */
  hash: string;
}

export interface NoteSource extends NoteMeta {
  body: string;
  /** The line of the file the body starts on. */
  bodyLine: number;
}

export function hashSource(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Building a zod schema costs more than using it: one per site settings, not one per note. */
const schemas = new WeakMap<Site, ReturnType<typeof frontMatterSchema>>();
function schemaFor(site: Site) {
  let schema = schemas.get(site);
  if (!schema) {
    schema = frontMatterSchema(site);
    schemas.set(site, schema);
  }
  return schema;
}

const frontMatterPattern = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;
const openingLine = /^---[ \t]*\r?\n/;

/** The front matter's YAML and the Markdown after it, with the line the body starts on. */
export function splitFrontMatter(
  source: string,
  file: string,
): { yaml: string; body: string; bodyLine: number } {
  const match = frontMatterPattern.exec(source);
  if (!match) {
    if (openingLine.test(source))
      throw new UserError(
        'the front matter is not closed: add a line "---" after its last field',
        `${file}:1`,
      );
    throw new UserError(
      'missing front matter: start the file with a line "---", then title, summary, date and topics, then "---"',
      `${file}:1`,
    );
  }
  return {
    yaml: match[1] ?? '',
    body: source.slice(match[0].length),
    bodyLine: (match[0].match(/\n/g)?.length ?? 0) + 1,
  };
}

/** Every problem of the front matter at once, one line each; the body is checked when it is rendered. */
export function parseNote(source: string, file: string, site: Site, hash = hashSource(source)): NoteSource {
  const { yaml: text, body, bodyLine } = splitFrontMatter(source, file);
  const schema = schemaFor(site);
  // Flat front matter is read without the YAML parser; anything else, or any mistake, goes through it,
  // so that messages name their lines.
  const flat = readFlatYaml(text);
  let parsed = flat && schema.safeParse(flat, { error: plainErrors });
  const problems: string[] = [];
  if (!parsed?.success) {
    const yaml = parsePositionedYaml(text, file, 2);
    parsed = schema.safeParse(yaml.data ?? {}, { error: plainErrors });
    if (!parsed.success) problems.push(...describeIssues(parsed.error, file, yaml, schema));
  }
  const slug = (parsed.data?.slug ?? basename(file).replace(/\.md$/i, '')) as string;
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(slug))
    problems.push(
      `${file}:1: slug "${slug}" must be lowercase letters, digits and single dashes (rename the file or set slug:)`,
    );
  if (!parsed.success || problems.length > 0) throw new UserError(problems.join('\n'));
  const fm = parsed.data;
  return {
    file,
    slug,
    title: fm.title,
    summary: fm.summary,
    date: fm.date,
    updated: fm.updated,
    topics: fm.topics,
    draft: fm.draft,
    newsletter: fm.newsletter,
    readingMinutes: readingMinutes(body),
    body,
    bodyLine,
    hash,
  };
}
