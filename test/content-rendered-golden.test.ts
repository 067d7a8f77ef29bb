import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { goldenCases, goldenDir, renderCase } from './support/rendered-golden.js';

// The renderer's output on the shipped notes, the fixture notes and test/fixtures/markdown, held to what the
// remark/rehype renderer made of them (test/support/rendered-golden.ts wrote the files).
describe('rendered notes against their golden renderings', async () => {
  for (const golden of await goldenCases()) {
    it(golden.name, async () => {
      const { html, rest } = await renderCase(golden);
      const expected = {
        html: await readFile(join(goldenDir, `${golden.name}.html`), 'utf8'),
        rest: JSON.parse(await readFile(join(goldenDir, `${golden.name}.json`), 'utf8')),
      };
      expect({ html, rest }).toEqual(expected);
    });
  }
});
