import { readFile } from 'node:fs/promises';
import { sanitize } from 'hast-util-sanitize';
import { visit } from 'unist-util-visit';
import { describe, expect, it } from 'vitest';
import { sanitizeSchema } from './markdown.js';
import { markdownToHast } from './markdown-tree.js';
import { dropUnsafeUrls } from './safe-urls.js';

const fixture = (name: string) =>
  readFile(new URL(`../../test/fixtures/markdown/${name}`, import.meta.url), 'utf8');

describe('markdownToHast', () => {
  // markdown.ts sanitises only notes that may hold raw HTML: this is why it may.
  it('makes from Markdown without raw HTML only what the sanitiser would keep unchanged', async () => {
    const body = [
      (await fixture('gfm.md')).replace(' <escaped>', ''),
      await fixture('footnotes.md'),
      '[j](javascript:alert(1)) ![d](data:image/png;base64,x "t") [t](https://x.test/ "a \\" b")\n',
      '- [ ] a\n- [x] b\n\n1. x\n\n3) y\n\n| a | b |\n|:-:|--:|\n| 1 | 2 |\n\n```c++ {1}\nint a;\n```\n',
    ].join('\n\n');
    const tree = markdownToHast(body);
    visit(tree, (node) => expect(node.type).not.toBe('raw'));
    dropUnsafeUrls(tree);
    const before = structuredClone(tree);
    expect(sanitize(tree, sanitizeSchema)).toEqual(before);
  });

  it('keeps raw HTML raw, with the line it starts on, for the filter and the sanitiser', () => {
    const tree = markdownToHast('Text.\n\n<div>\nx\n</div>\n\nInline <b>bold</b>.\n');
    const raws: [string, number | undefined][] = [];
    visit(tree, 'raw', (node: { value: string; position?: { start: { line: number } } }) => {
      raws.push([node.value, node.position?.start.line]);
    });
    expect(raws).toEqual([
      ['<div>\nx\n</div>', 3],
      ['<b>', 7],
      ['</b>', 7],
    ]);
  });
});
