// The issue email, checked on the six shipped notes and on a few renderer outputs made for the edge cases.
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ContentSnapshot, loadContent, type Note } from '../content/load-content.js';
import { renderMarkdown } from '../content/markdown.js';
import { type IssueEmail, type IssueEmailInput, issueEmail, personalSlots } from './issue-email.js';

const contentDir = fileURLToPath(new URL('../../content', import.meta.url));
const siteUrl = 'https://errorbudget.test';

let snapshot: ContentSnapshot;
const mails = new Map<string, IssueEmail>();

function input(
  note: Pick<Note, 'title' | 'summary' | 'slug' | 'date' | 'html' | 'codeCss' | 'readingMinutes'>,
) {
  return {
    siteTitle: snapshot.site.title,
    siteUrl,
    postalAddress: snapshot.site.mail.postalAddress,
    language: snapshot.site.language,
    timeZone: snapshot.site.timezone,
    note: { ...note, url: `${siteUrl}/notes/${note.slug}` },
  } satisfies IssueEmailInput;
}

beforeAll(async () => {
  snapshot = await loadContent({ contentDir });
  for (const note of snapshot.notes) mails.set(note.slug, issueEmail(input(note)));
});

const each = () => snapshot.notes.map((note) => ({ note, mail: mails.get(note.slug) as IssueEmail }));
const withCode = () => snapshot.notes.filter((note) => note.html.includes('<pre'));

/** Every tag's attributes, entity-decoded as a mail client would read them. */
function tags(html: string): { name: string; attrs: Map<string, string> }[] {
  return [...html.matchAll(/<([a-zA-Z][\w:-]*)\b([^>]*)>/g)].map(([, name = '', attrs = '']) => ({
    name: name.toLowerCase(),
    attrs: new Map(
      [...attrs.matchAll(/([^\s="]+)(?:="([^"]*)")?/g)].map(([, key = '', value = '']) => [
        key.toLowerCase(),
        value.replaceAll('&amp;', '&').replaceAll('&quot;', '"'),
      ]),
    ),
  }));
}

const decode = (html: string) =>
  html
    .replace(/<[^>]+>/g, '')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, decimal: string) => String.fromCodePoint(Number(decimal)))
    .replaceAll('&amp;', '&');

describe('the issue email of each shipped note', () => {
  it('has the note title as subject and the summary as preheader, hidden right after <body>', () => {
    expect(snapshot.notes).toHaveLength(6);
    for (const { note, mail } of each()) {
      expect(mail.subject).toBe(note.title);
      expect(mail.preheader).toBe(note.summary);
      const preheader = /<body[^>]*>\s*<div([^>]*)>([^<]*)<\/div>/.exec(mail.html);
      expect(preheader?.[1], note.slug).toMatch(/display: none/);
      expect(decode(preheader?.[2] ?? '').startsWith(note.summary)).toBe(true);
      expect(preheader?.[2]).toMatch(/(\u034f\u00a0\u200c){50}/);
      expect(mail.html).toContain(`<title>${note.title.replaceAll('&', '&amp;')}</title>`);
    }
  });

  it('loads every image from the site by absolute URL, sized, and never wider than the 600 px column', () => {
    const images = each().flatMap(({ mail }) => tags(mail.html).filter((tag) => tag.name === 'img'));
    expect(images.length).toBeGreaterThan(0);
    for (const { attrs } of images) {
      expect(attrs.get('src')).toMatch(new RegExp(`^${siteUrl}/images/[\\w.-]+$`));
      expect(Number(attrs.get('width'))).toBeLessThanOrEqual(600);
      expect(Number(attrs.get('height'))).toBeGreaterThan(0);
      expect(attrs.get('alt')).not.toBe('');
      expect(attrs.get('style')).toMatch(/max-width: 100%; height: auto/);
    }
  });

  it('points only at the site, mailto: and the note’s own citations, and loads nothing from elsewhere', () => {
    for (const { note, mail } of each()) {
      const citations = new Set(tags(note.html).flatMap(({ attrs }) => attrs.get('href') ?? []));
      for (const { name, attrs } of tags(mail.html)) {
        expect([
          'script',
          'link',
          'iframe',
          'object',
          'embed',
          'form',
          'input',
          'video',
          'audio',
        ]).not.toContain(name);
        for (const key of ['background', 'srcset', 'poster', 'action']) expect(attrs.has(key)).toBe(false);
        const src = attrs.get('src');
        if (src !== undefined) expect(src.startsWith(`${siteUrl}/`), `${note.slug}: ${src}`).toBe(true);
        const href = attrs.get('href');
        if (href === undefined) continue;
        expect(name).toBe('a');
        const allowed =
          href === siteUrl ||
          href.startsWith(`${siteUrl}/`) ||
          href.startsWith('mailto:') ||
          Object.values(personalSlots).includes(href as never) ||
          (citations.has(href) && /^https?:\/\//.test(href));
        expect(allowed, `${note.slug}: ${href}`).toBe(true);
      }
      expect(mail.html).not.toMatch(/url\(|@import/i);
    }
  });

  it('drops scripts, heading anchors, footnote back-links and in-page links', () => {
    for (const { mail } of each()) {
      expect(mail.html).not.toMatch(/<script|class="anchor"|data-footnote-backref|href="#|↩|#<\/h[1-6]>/);
      expect(mail.text).not.toMatch(/ ?#\n-+\n/);
      expect(mail.text).not.toContain('↩');
    }
  });

  it('inlines the code colours and keeps the dark theme for clients that ask for it', () => {
    expect(withCode().length).toBeGreaterThan(0);
    for (const note of withCode()) {
      const html = mails.get(note.slug)?.html ?? '';
      expect(html).toMatch(/<span class="c-\w+" style="color: #[0-9a-f]{6};">/i);
      expect(html).not.toContain('--shiki');
      const dark = html.slice(html.indexOf('@media (prefers-color-scheme: dark)'));
      const [, , darkColour] = /--shiki-light:(#\w+);--shiki-dark:(#\w+)/.exec(note.codeCss.join('')) ?? [];
      expect(dark).toContain(`color: ${darkColour} !important;`);
      expect(dark).toMatch(/\.eb-prose pre \{[^}]*background-color: #1a1d22 !important;/);
    }
  });

  it('declares both colour schemes and switches the page colours in the dark media query', () => {
    const { html } = each()[0]?.mail ?? { html: '' };
    expect(html).toContain('<meta name="color-scheme" content="light dark">');
    expect(html).toContain('<meta name="supported-color-schemes" content="light dark">');
    expect(html).toMatch(
      /@media \(prefers-color-scheme: dark\) \{\s*[^@]*background-color: #121315 !important/,
    );
    expect(html).toMatch(/<body[^>]*style="[^"]*background-color: #fbfaf7;/);
  });

  it('puts both personal markers in the HTML and in the text, and nothing else to fill', () => {
    for (const { mail } of each()) {
      for (const part of [mail.html, mail.text]) {
        expect(part).toContain(personalSlots.manageUrl);
        expect(part).toContain(personalSlots.unsubscribeUrl);
        expect(new Set(part.match(/\{\{[^}]*\}\}/g))).toEqual(new Set(Object.values(personalSlots)));
      }
      expect(mail.html).toContain(`href="${personalSlots.unsubscribeUrl}"`);
      expect(mail.html).toContain(`href="${personalSlots.manageUrl}"`);
      expect(mail.text).toContain(`Unsubscribe: ${personalSlots.unsubscribeUrl}\n`);
    }
  });

  it('keeps every line of the code blocks exact in the text part, indented as code', () => {
    for (const note of withCode()) {
      const text = mails.get(note.slug)?.text ?? '';
      const blocks = [...note.html.matchAll(/<pre[^>]*>([\s\S]*?)<\/pre>/g)].map(([, code = '']) =>
        decode(code),
      );
      expect(blocks.length).toBeGreaterThan(0);
      for (const line of blocks.flatMap((code) => code.split('\n')).filter((line) => line.trim())) {
        expect(text.split('\n'), `${note.slug}: ${line}`).toContain(`    ${line}`);
      }
    }
  });

  it('says why the reader gets it and carries the note link, the site and the postal address in both parts', () => {
    const address = snapshot.site.mail.postalAddress;
    for (const { note, mail } of each()) {
      const url = `${siteUrl}/notes/${note.slug}`;
      for (const part of [mail.html, mail.text]) {
        expect(part).toContain(address);
        expect(part).toContain('You get this because you subscribed to the error budget and confirmed');
        expect(part.split(url).length - 1, note.slug).toBeGreaterThanOrEqual(2);
      }
      expect(mail.html).toMatch(new RegExp(`<a class="eb-brand" href="${siteUrl}"`));
      expect(mail.html).toMatch(
        />Manage your subscription<\/a>[^<]*<a href="\{\{unsubscribeUrl\}\}"[^>]*>Unsubscribe</,
      );
      expect(mail.text).toContain(`Read on the site: ${url}\n`);
    }
  });

  it('shows the date in the site’s language and the reading time, in both parts', () => {
    const slug = 'five-backup-architecture-patterns-for-fintech';
    const minutes = snapshot.notes.find((note) => note.slug === slug)?.readingMinutes;
    expect(minutes).toBeGreaterThan(1);
    const mail = mails.get(slug);
    expect(mail?.html).toContain(`20 November 2026 · ${minutes} min read`);
    expect(mail?.text).toContain(`20 November 2026 · ${minutes} min read`);
  });

  it('wraps prose at 78 columns and writes a table that does not fit as one record per row', () => {
    for (const { mail } of each()) {
      const prose = mail.text
        .split('\n')
        .filter((line) => !line.startsWith('    ') && !line.includes('https://'));
      expect(Math.max(...prose.map((line) => line.length))).toBeLessThanOrEqual(78);
    }
    const backup = mails.get('five-backup-architecture-patterns-for-fintech')?.text ?? '';
    expect(backup).toContain('\n1. Snapshots and replication\n   Typical RPO: 5–15 min\n');
    const bandwidth = mails.get('bandwidth-contention-at-peak')?.text ?? '';
    expect(bandwidth).toMatch(
      /\nAverage ρ +M\/M\/1 p99 +Steady p99 \/ p99\.9 +Flushing p99 \/ p99\.9 +Flushing drops\n0\.50 +0\.44 +0\.19 \/ 0\.29 +0\.21 \/ 0\.36 +0\n/,
    );
  });

  it('stays under the 102 KB at which Gmail clips a message', () => {
    for (const { mail } of each()) expect(Buffer.byteLength(mail.html)).toBeLessThan(100_000);
  });
});

describe('the test copy', () => {
  it('has a "[Test] " subject and a visible banner in both parts; the real issue has neither', () => {
    const note = snapshot.notes[0] as Note;
    const test = issueEmail({ ...input(note), test: true });
    const real = mails.get(note.slug) as IssueEmail;
    expect(test.subject).toBe(`[Test] ${note.title}`);
    expect(test.html).toMatch(
      /<div class="eb-banner"[^>]*><p[^>]*><strong[^>]*>Test copy\.<\/strong> Only you/,
    );
    expect(test.text.startsWith('[Test copy] Only you received this.')).toBe(true);
    expect(test.preheader).toBe(note.summary);
    expect(real.subject).toBe(note.title);
    expect(real.html).not.toMatch(/Test copy|class="eb-banner"/);
    expect(real.text).not.toContain('Test copy');
  });
});

describe('links, images and task lists from the renderer', () => {
  it('makes site links absolute, keeps links to other sites, unlinks in-page links and ticks boxes as text', async () => {
    const body = [
      'See [the archive](/notes), [the spec](https://www.rfc-editor.org/rfc/rfc8058?x=1&y=2) and [below](#later).',
      '',
      '![Zones](/images/payment-zones.svg)',
      '',
      '- [x] done',
      '- [ ] open',
    ].join('\n');
    const rendered = await renderMarkdown({ contentDir, file: 'notes/x.md', body });
    const mail = issueEmail(input({ ...rendered, title: 'T', summary: 'S', slug: 'x', date: new Date(0) }));
    expect(mail.html).toContain(`<a href="${siteUrl}/notes"`);
    expect(mail.html).toContain('<a href="https://www.rfc-editor.org/rfc/rfc8058?x=1&amp;y=2"');
    expect(mail.html).toContain(' and below.');
    expect(mail.html).toMatch(
      new RegExp(`<img src="${siteUrl}/images/payment-zones.svg" alt="Zones" width="600" height="540"`),
    );
    expect(mail.html).not.toMatch(/loading=|decoding=/);
    expect(mail.html).toMatch(/☑ done[\s\S]*☐ open/);
    expect(mail.text).toContain(`the archive [${siteUrl}/notes]`);
    expect(mail.text).toContain('[Image: Zones]');
  });
});
