import { fileURLToPath } from 'node:url';
import { wcagContrast } from 'culori';
import { describe, expect, it } from 'vitest';
import { htmlProblems } from '../../test/support/html-validator.js';
import { codeBackgrounds, minimumContrast } from './code-themes.js';
import { pageIds } from './heading-ids.js';
import { renderMarkdown } from './markdown.js';

const contentDir = fileURLToPath(new URL('../../test/fixtures/content', import.meta.url));
/** A note's HTML inside the smallest valid page, for the validator. */
const page = (html: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>x</title></head><body><main>${html}</main></body></html>`;
const render = (body: string) => renderMarkdown({ contentDir, file: 'notes/x.md', body, firstLine: 7 });

describe('Markdown that keeps the writer’s words', () => {
  it('applies GFM’s tagfilter: tags that would take over the page are shown as text (GFM example 140)', async () => {
    const { html, warnings } = await render(
      '<strong> <title> <style> <em>\n\n<blockquote>\n  <xmp> is disallowed.  <XMP> is also disallowed.\n</blockquote>\n',
    );
    expect(html).toContain('<p><strong> &#x3C;title> &#x3C;style> <em>');
    expect(html).toContain('&#x3C;xmp> is disallowed.  &#x3C;XMP> is also disallowed.');
    expect(html).not.toMatch(/<(title|style|xmp)\b/i);
    expect(warnings).toEqual([
      'notes/x.md:7: <title> is not allowed in a note, so it is shown as text',
      'notes/x.md:7: <style> is not allowed in a note, so it is shown as text',
      'notes/x.md:10: <xmp> is not allowed in a note, so it is shown as text',
      'notes/x.md:10: <xmp> is not allowed in a note, so it is shown as text',
    ]);
  });

  it('shows an iframe and a textarea as text, with what they contained', async () => {
    const { html } = await render(
      '<iframe src="https://x.test/"></iframe>\n\n<textarea>my draft</textarea>\n',
    );
    expect(html).toContain('&#x3C;iframe src="https://x.test/">&#x3C;/iframe>');
    expect(html).toContain('&#x3C;textarea>my draft&#x3C;/textarea>');
    expect(html).not.toMatch(/<(iframe|textarea)\b/);
  });

  it('never shows the contents of a <style> element as text, as a block or inline, and warns', async () => {
    const { html, warnings } = await render(
      'Before.\n\n<style>\n.prose { color: red }\n</style>\n\nInline <style>p { margin: 0 }</style> end.\n',
    );
    expect(html).not.toContain('color');
    expect(html).not.toContain('margin');
    expect(html).toContain('<p>Before.</p>');
    expect(html).toContain('<p>Inline  end.</p>');
    expect(warnings).toEqual([
      'notes/x.md:9: removed a <style> element: a note cannot restyle the page',
      'notes/x.md:13: removed a <style> element: a note cannot restyle the page',
    ]);
  });

  it('warns with file and line when the sanitiser removes a tag or changes a raw HTML block', async () => {
    const { html, warnings } = await render(
      'Text.\n\n<div onclick="steal()" class="box">\n<form action="/x">kept <b>words</b></form>\n</div>\n\n[j](javascript:alert(1))\n',
    );
    expect(html).toContain('kept <b>words</b>');
    expect(html).not.toMatch(/onclick|<form|javascript/);
    expect(warnings).toEqual([
      'notes/x.md:9: removed onclick, class from <div>, which a note cannot use',
      'notes/x.md:10: removed the <form> tag, which a note cannot use (its text stays)',
      'notes/x.md:13: removed href from <a>, which a note cannot use',
    ]);
  });

  it('gives no warning for Markdown and raw HTML that pass unchanged', async () => {
    const { warnings } = await render(
      '## A\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\nNote.[^1]\n\n<details><summary>More</summary>\n\n<b>bold</b> <kbd>Ctrl</kbd>\n\n</details>\n\n[^1]: Source.\n',
    );
    expect(warnings).toEqual([]);
  });

  it('keeps the href of a link whose URL contains a colon (CommonMark example 500)', async () => {
    const { html } = await render('[link](foo\\)\\:)\n');
    expect(html).toBe('<p><a href="foo):">link</a></p>');
  });

  const unsafe = ['javascript:alert(1)', 'JavaScript:alert(1)', 'vbscript:x', 'data:text/html,x'];
  for (const url of unsafe) {
    it(`still drops a link to ${url}`, async () => {
      const { html } = await render(
        `[x](${url}) <a href="${url}">y</a> <a href=" java&#x09;script:z">z</a>\n`,
      );
      expect(html).toBe('<p><a>x</a> <a>y</a> <a>z</a></p>');
    });
  }

  it('links xmpp: and mailto: addresses as themselves, not as mailto: (GFM examples 633–635)', async () => {
    const { html } = await render(
      'mailto:foo@bar.baz\n\nxmpp:foo@bar.baz\n\nxmpp:foo@bar.baz/txt@bin.com\n\nxmpp:foo@bar.baz/txt/bin\n\nfoo@bar.baz\n',
    );
    expect(html.split('\n')).toEqual([
      '<p><a href="mailto:foo@bar.baz">mailto:foo@bar.baz</a></p>',
      '<p><a href="xmpp:foo@bar.baz">xmpp:foo@bar.baz</a></p>',
      '<p><a href="xmpp:foo@bar.baz/txt@bin.com">xmpp:foo@bar.baz/txt@bin.com</a></p>',
      '<p><a href="xmpp:foo@bar.baz/txt">xmpp:foo@bar.baz/txt</a>/bin</p>',
      '<p><a href="mailto:foo@bar.baz">foo@bar.baz</a></p>',
    ]);
  });

  it('suffixes heading ids that the page or the footnotes already use', async () => {
    const headings = ['Main', 'Footnote label', 'Fn source', 'Fnref source', 'Note title', 'Note email'];
    const { html, toc } = await render(
      `${headings.map((heading) => `## ${heading}\n\n`).join('')}Claim.[^source]\n\n[^source]: A source.\n`,
    );
    expect(toc.map((entry) => entry.id)).toEqual([
      'main-1',
      'footnote-label-1',
      'fn-source-1',
      'fnref-source-1',
      'note-title-1',
      'note-email-1',
    ]);
    const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((match) => match[1]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of pageIds)
      expect(ids.filter((other) => other === id).length).toBeLessThanOrEqual(id === 'footnote-label' ? 1 : 0);
  });

  it('moves a raw HTML id that the page uses, and says so', async () => {
    const { html, warnings } = await render('<div id="main">x</div>\n');
    expect(html).toBe('<div id="main-1">x</div>');
    expect(warnings).toEqual(['notes/x.md:7: id "main" is used by the page itself; it is now "main-1"']);
  });

  it('gives a table whose top-left cell is empty row headers', async () => {
    const { html } = await render('|  | p50 | p99 |\n|---|---|---|\n| read | 2 | 9 |\n| write | 3 | 12 |\n');
    expect(html).toContain('<td></td>\n<th scope="col">p50</th>\n<th scope="col">p99</th>');
    expect(html).toContain('<th scope="row">read</th>\n<td>2</td>');
    expect(await htmlProblems(page(html))).toEqual([]);
    expect(html).toContain('<th scope="row">write</th>\n<td>3</td>');
  });

  it('leaves a table with a filled top-left cell as it is', async () => {
    const { html } = await render('| op | p50 |\n|---|---|\n| read | 2 |\n');
    expect(html).toContain('<td>read</td>');
    expect(html).not.toContain('scope=');
  });

  it('gives every code colour AA contrast on the site’s and the email’s code backgrounds', async () => {
    const { codeCss } = await render(
      '```ts\n// c\nconst a: number = 1; export { a as "b" };\n```\n\n```diff\n- old\n+ new\n```\n\n```bash\necho "$HOME" # x\n```\n',
    );
    const pairs = codeCss.flatMap((rule) => {
      const [, light = 'missing', dark = 'missing'] =
        /--shiki-light:(#\w+);--shiki-dark:(#\w+)/.exec(rule) ?? [];
      return [
        ...codeBackgrounds.light.map((bg) => ({ colour: light, bg })),
        ...codeBackgrounds.dark.map((bg) => ({ colour: dark, bg })),
      ];
    });
    expect(pairs.length).toBeGreaterThan(20);
    expect(pairs.filter(({ colour, bg }) => !(wcagContrast(colour, bg) >= minimumContrast))).toEqual([]);
  });

  it('serves <picture> sources from the content folder and refuses one on another host', async () => {
    const { html } = await render(
      '<picture><source srcset="../images/diagram.svg 2x"><img src="../images/diagram.svg" alt="d"></picture>\n',
    );
    expect(html).toContain(
      '<a href="/images/diagram.svg" class="image-link"><picture><source srcset="/images/diagram.svg 2x">',
    );
    expect(await htmlProblems(page(html))).toEqual([]);
    const error = await render(
      '<picture><source srcset="https://tracker.example/x.png"><img src="../images/diagram.svg" alt="d"></picture>\n',
    ).catch(String);
    expect(error).toBe(
      'UserError: notes/x.md:7: image "https://tracker.example/x.png" is on another host; put the file in the content folder',
    );
  });
});
