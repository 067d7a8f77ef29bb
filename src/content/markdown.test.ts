import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown.js';
import { renderMany } from './render-pool.js';

const contentDir = fileURLToPath(new URL('../../test/fixtures/content', import.meta.url));
const render = (body: string, file = 'notes/x.md') => renderMarkdown({ contentDir, file, body });

describe('renderMarkdown', () => {
  it('renders GFM tables, strikethrough and task lists', async () => {
    const { html } = await render('| a | b |\n|---|--:|\n| 1 | 2 |\n\n~~old~~\n\n- [x] done\n- [ ] open\n');
    // A labelled region in the tab order: a keyboard can scroll a wide table.
    expect(html).toContain(
      '<div class="table-scroll" role="region" aria-label="Table: a, b" tabindex="0"><table>',
    );
    expect(html).toMatch(/<th>a<\/th>\s*<th class="align-right">b<\/th>/);
    expect(html).not.toContain('align=');
    expect(html).toContain('<del>old</del>');
    expect(html).toMatch(/<input type="checkbox" checked disabled> done/);
  });

  it('links footnotes both ways', async () => {
    const { html } = await render('Claim.[^src]\n\n[^src]: The source.\n');
    expect(html).toContain('<a href="#fn-src" id="fnref-src"');
    expect(html).toContain('<li id="fn-src">');
    expect(html).toContain('href="#fnref-src"');
  });

  it('gives headings ids and anchor links, and lists h2 and h3 in the table of contents', async () => {
    const { html, toc } = await render('## Why drills matter\n\n### The evidence\n\n#### Not listed\n');
    expect(html).toContain(
      '<h2 id="why-drills-matter">Why drills matter<a class="anchor" aria-hidden="true" tabindex="-1" href="#why-drills-matter">#</a></h2>',
    );
    expect(toc).toEqual([
      { depth: 2, id: 'why-drills-matter', text: 'Why drills matter' },
      { depth: 3, id: 'the-evidence', text: 'The evidence' },
    ]);
  });

  it('highlights code with classes for a light and a dark theme, and no inline styles', async () => {
    const { html, codeCss } = await render('```yaml\nretention: 35d\n```\n');
    expect(html).toMatch(/<pre class="shiki shiki-themes errorbudget-light errorbudget-dark c-\w+"/);
    expect(html).toContain('>retention</span>');
    expect(html).not.toContain('style=');
    expect(codeCss.length).toBeGreaterThan(1);
    for (const rule of codeCss)
      expect(rule).toMatch(/^\.c-\w+\{--shiki-light:#[0-9a-f]{3,8};--shiki-dark:#[0-9a-f]{3,8}/i);
  });

  it('shows an unknown code language as plain text, with a warning', async () => {
    const { html, warnings } = await render('Intro.\n\n```klingon\nqapla\n```\n');
    expect(html).toContain('qapla');
    expect(warnings).toEqual(['notes/x.md:3: unknown code language "klingon", shown as plain text']);
  });

  it('strips scripts and event handlers from raw HTML but keeps the markup', async () => {
    const { html } = await render(
      '<script>alert(1)</script>\n\n<p onclick="steal()">Raw <b>bold</b></p>\n\n<a href="javascript:alert(1)">x</a>\n',
    );
    expect(html).not.toMatch(/script|onclick|javascript:/);
    expect(html).toContain('<p>Raw <b>bold</b></p>');
  });

  it('serves images from the content folder with their intrinsic size', async () => {
    const { html, assets } = await render('![Two boxes](../images/diagram.svg)\n');
    expect(html).toContain(
      '<a href="/images/diagram.svg" class="image-link"><img src="/images/diagram.svg" alt="Two boxes" width="320" height="120" loading="lazy" decoding="async"></a>',
    );
    expect(assets).toHaveLength(1);
  });

  it('links an image to its full-size file, unless the writer already linked it', async () => {
    const { html } = await render('[![Two boxes](../images/diagram.svg)](https://example.com/)\n');
    expect(html).toContain('<a href="https://example.com/"><img src="/images/diagram.svg"');
    expect(html).not.toContain('image-link');
  });

  const badImages = [
    {
      name: 'on another host',
      src: 'https://cdn.example/x.png',
      message: /notes\/x\.md:1: image "https:\/\/cdn\.example\/x\.png" is on another host/,
    },
    {
      name: 'missing',
      src: '../images/none.svg',
      message: /notes\/x\.md:1: image "\.\.\/images\/none\.svg" does not exist/,
    },
    {
      name: 'outside the content folder',
      src: '../../../package.json.png',
      message: /is outside the content folder/,
    },
    { name: 'not an image', src: '../site.yml', message: /is not an svg, png, jpg, gif, webp or avif file/ },
  ];
  for (const { name, src, message } of badImages) {
    it(`refuses an image ${name}`, async () => {
      await expect(render(`![x](${src})\n`)).rejects.toThrow(message);
    });
  }

  it('names the line of the file of every image problem, all in one go', async () => {
    const body =
      'Intro.\n\n![a](../images/none.svg)\n\nText.\n\n<img src="https://cdn.example/b.png" alt="b">\n';
    const error = await renderMarkdown({ contentDir, file: 'notes/x.md', body, firstLine: 7 }).catch(String);
    expect(error).toBe(
      'UserError: notes/x.md:9: image "../images/none.svg" does not exist (looked for images/none.svg)\n' +
        'notes/x.md:13: image "https://cdn.example/b.png" is on another host; put the file in the content folder',
    );
  });

  it('counts words and reading time', async () => {
    const { words, readingMinutes } = await render(`${'word '.repeat(690)}\n`);
    expect(words).toBe(690);
    expect(readingMinutes).toBe(3);
  });
});

describe('renderMany', () => {
  it('renders on worker threads exactly what it renders in-process', async () => {
    const inputs = Array.from({ length: 30 }, (_, index) => ({
      contentDir,
      file: `notes/n${index}.md`,
      body: `## Part ${index}\n\n\`\`\`bash\necho ${index}\n\`\`\`\n\n| n |\n|---|\n| ${index} |\n`,
    }));
    const threaded = await renderMany(inputs, 2);
    const inProcess = await Promise.all(inputs.map((input) => renderMarkdown(input)));
    expect(threaded.map((outcome) => (outcome.ok ? outcome.rendered.html : outcome.message))).toEqual(
      inProcess.map((r) => r.html),
    );
  });

  it('returns a note mistake as a message from a worker thread', async () => {
    const inputs = Array.from({ length: 30 }, (_, index) => ({
      contentDir,
      file: `notes/n${index}.md`,
      body: index === 7 ? '![x](https://x.test/a.png)' : 'ok',
    }));
    const outcomes = await renderMany(inputs, 2);
    expect(outcomes[7]).toEqual({
      ok: false,
      message:
        'notes/n7.md:1: image "https://x.test/a.png" is on another host; put the file in the content folder',
    });
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(29);
  });
});
