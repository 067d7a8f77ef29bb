// Reads and validates content/site.yml.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../user-error.js';
import { type Site, siteSchema } from './schema.js';
import { describeIssues, plainErrors } from './validation-message.js';
import { parsePositionedYaml } from './yaml-document.js';

const siteFile = 'site.yml';

export async function loadSite(contentDir: string): Promise<Site> {
  let source: string;
  try {
    source = await readFile(join(contentDir, siteFile), 'utf8');
  } catch {
    throw new UserError(
      `cannot read ${join(contentDir, siteFile)}; is --content the right folder?`,
      siteFile,
    );
  }
  return parseSite(source, siteFile);
}

export function parseSite(source: string, file: string): Site {
  const yaml = parsePositionedYaml(source, file);
  const parsed = siteSchema.safeParse(yaml.data ?? {}, { error: plainErrors });
  if (!parsed.success) throw new UserError(describeIssues(parsed.error, file, yaml, siteSchema).join('\n'));
  return parsed.data;
}
