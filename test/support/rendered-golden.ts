// Golden renderings: the HTML, table of contents, words, code CSS and warnings of the shipped notes, the test
// fixtures' notes and test/fixtures/markdown, as the renderer of 2026-11-26 (remark/rehype) made them.
// test/content-rendered-golden.test.ts holds every later renderer to them. To rewrite them (only when an
// output change is meant and listed in the commit): npx tsx test/support/rendered-golden.ts
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderMarkdown } from '../../src/content/markdown.js';
import { splitFrontMatter } from '../../src/content/parse-note.js';
import { isUserError } from '../../src/user-error.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const goldenDir = join(root, 'test/fixtures/rendered');
const fixtureContent = join(root, 'test/fixtures/content');

export interface GoldenCase {
  /** File name stem under test/fixtures/rendered. */
  name: string;
  contentDir: string;
  file: string;
  body: string;
  firstLine: number;
}

export async function goldenCases(): Promise<GoldenCase[]> {
  const cases: GoldenCase[] = [];
  for (const [group, contentDir] of [
    ['shipped', join(root, 'content')],
    ['fixture', fixtureContent],
  ] as const) {
    for (const name of (await readdir(join(contentDir, 'notes'))).filter((f) => f.endsWith('.md')).sort()) {
      const file = `notes/${name}`;
      const { body, bodyLine } = splitFrontMatter(await readFile(join(contentDir, file), 'utf8'), file);
      cases.push({ name: `${group}--${name.slice(0, -3)}`, contentDir, file, body, firstLine: bodyLine });
    }
  }
  // Bodies without front matter, rendered as if they were notes of the fixture site (for its image).
  const markdownDir = join(root, 'test/fixtures/markdown');
  for (const name of (await readdir(markdownDir)).filter((f) => f.endsWith('.md')).sort()) {
    const body = await readFile(join(markdownDir, name), 'utf8');
    cases.push({
      name: `markdown--${name.slice(0, -3)}`,
      contentDir: fixtureContent,
      file: `notes/${name}`,
      body,
      firstLine: 1,
    });
  }
  return cases;
}

/** What a golden file holds besides the HTML; asset paths relative to the repository, so they compare anywhere. */
export async function renderCase(golden: GoldenCase): Promise<{ html: string; rest: unknown }> {
  try {
    const { html, assets, ...rest } = await renderMarkdown(golden);
    return { html, rest: { ...rest, assets: assets.map((asset) => relative(root, asset.path)) } };
  } catch (error) {
    if (!isUserError(error)) throw error;
    return { html: '', rest: { error: error.message } };
  }
}

async function writeGolden(): Promise<void> {
  await mkdir(goldenDir, { recursive: true });
  for (const golden of await goldenCases()) {
    const { html, rest } = await renderCase(golden);
    await writeFile(join(goldenDir, `${golden.name}.html`), html);
    await writeFile(join(goldenDir, `${golden.name}.json`), `${JSON.stringify(rest, null, 2)}\n`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await writeGolden();
