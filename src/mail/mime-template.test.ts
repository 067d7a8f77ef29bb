// The issue MIME template: mailparser reads back what it builds, every line keeps the wire rules, fills share bytes.
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { relaxedBody } from './dkim-signer.js';
import { type FilledMessage, MimeTemplate, messagePieces, type TemplateSource } from './mime-template.js';

const subject = 'Five patterns — a “decision” framework ✓';

/** A ~20 KB inlined newsletter with what breaks naive QP: long lines, tabs, trailing and repeated spaces, ".", "From ". */
function issueHtml(): string {
  const style =
    'font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;';
  const head = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<style>',
    '.button { display: inline-block; padding: 12px 20px; }',
    '.foot   a { color: #6b6a64; }\t',
    '</style></head>',
    `<body style="margin: 0; padding: 0; background: #f6f5f1;"><div class="wrap" style="${style} font-size: 16px; line-height: 1.6; color: #1d1d1b; max-width: 560px; margin: 0 auto;">`,
  ];
  const section = (n: number) => [
    `\t<h2 style="${style} font-size: 20px;">${n}. Café-grade décisions — “naïve” SLOs 🚀</h2>   `,
    `\t\t<p style="${style} margin: 0 0 16px;">An error budget of 0.1 % is 43 minutes a month; spend it on purpose, not by accident. Every pattern below was tested on a real incident review, and each one fails in its own way when the budget is gone.</p>`,
    'From the on-call rotation: the pager is the last resort, not the first.',
    '.    starts with a dot and a run of spaces',
    '<pre><code>if (burnRate &gt; 14.4) {\n\t\tpage();  // two spaces before the comment\n}</code></pre>  \t ',
    '',
    `\t<p><a href="https://errorbudget.example/notes/patterns-${n}?utm=none&amp;x=1" style="color: #1d1d1b;">Read part ${n} on the site</a> — or reply; “we read everything”.</p>`,
  ];
  const sections: string[] = [];
  for (let n = 1; sections.join('\n').length < 19_000; n += 1) sections.push(...section(n));
  const foot = [
    '<p class="foot">You get this because you subscribed at errorbudget.example.',
    '<a href="{{unsubscribeUrl}}">Unsubscribe</a> · <a href="{{manageUrl}}">Manage</a></p>',
    '</div></body></html>',
  ];
  // Mixed line endings, as text pasted from different editors arrives.
  return `${head.join('\r\n')}\r\n${sections.join('\n')}\n${foot.join('\r\n')}\n`;
}

function issueText(): string {
  return [
    subject,
    '',
    'An error budget of 0.1 % is 43 minutes a month.  Spend it on purpose.   ',
    '\tIndented with a tab, trailing tab\t',
    '.dot at the start of a line',
    'From the on-call rotation: the pager is the last resort.',
    'Ünïcödé — “quotes” and 🚀.',
    'x'.repeat(180),
    '',
    'Unsubscribe: {{unsubscribeUrl}}',
    'Manage your subscription ({{manageUrl}}) any time.',
    '',
  ].join('\r\n');
}

function source(overrides: Partial<TemplateSource> = {}): TemplateSource {
  return {
    headers: [
      ['From', 'Ana María Ortíz — errorbudget <news@errorbudget.example>'],
      ['Subject', subject],
      ['Date', 'Thu, 26 Nov 2026 09:00:00 +0000'],
      ['List-Id', 'errorbudget notes <notes.errorbudget.example>'],
      ['Reply-To', 'Weekly, errorbudget <reply@errorbudget.example>'],
      ['Auto-Submitted', 'auto-generated'],
    ],
    personalHeaders: [
      ['To', '{{to}}'],
      ['Message-ID', '<{{messageId}}>'],
      ['List-Unsubscribe', '<{{unsubscribeUrl}}>, <mailto:{{unsubscribeMailto}}>'],
      ['List-Unsubscribe-Post', 'List-Unsubscribe=One-Click'],
    ],
    text: issueText(),
    html: issueHtml(),
    boundarySeed: 'issue:five-patterns',
    ...overrides,
  };
}

function reader(id: number): Record<string, string> {
  return {
    to: `reader${id}@mail.example`,
    messageId: `issue-7.${id}.k3j9@errorbudget.example`,
    unsubscribeUrl: `https://errorbudget.example/u/${id}.Zm9vYmFyYmF6cXV4`,
    unsubscribeMailto: `unsubscribe+${id}.Zm9vYmFy@errorbudget.example`,
    manageUrl: `https://errorbudget.example/m/${id}.cXV4cXV1eA`,
  };
}

function wire(message: FilledMessage): Buffer {
  return Buffer.concat(messagePieces(message));
}

function fillSlots(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => values[name] as string);
}

/** mailparser hands back LF line ends; the template sends CRLF whatever the source had. */
function lf(text: string): string {
  return text.replace(/\r\n|\r/g, '\n');
}

/** Every rule a line on the wire must keep; returns the broken ones, so a failure says which line. */
function wireViolations(raw: Buffer): string[] {
  const problems: string[] = [];
  const text = raw.toString('latin1');
  if (raw.some((octet) => octet > 0x7f)) problems.push('an octet above 127');
  if (/\r(?!\n)|(?<!\r)\n/.test(text)) problems.push('a bare CR or LF');
  const split = text.indexOf('\r\n\r\n');
  const headerLines = text.slice(0, split).split('\r\n');
  const bodyLines = text.slice(split + 4).split('\r\n');
  headerLines.forEach((line, index) => {
    if (line.length > 78) problems.push(`header line ${index} is ${line.length} octets`);
    if (/[ \t]$/.test(line)) problems.push(`header line ${index} ends with WSP`);
  });
  if (bodyLines.pop() !== '') problems.push('the body does not end with CRLF');
  if (bodyLines.at(-1) === '') problems.push('the body ends with an empty line');
  bodyLines.forEach((line, index) => {
    if (line.length > 76) problems.push(`body line ${index} is ${line.length} octets`);
    if (/[ \t]$/.test(line)) problems.push(`body line ${index} ends with WSP`);
    if (line.startsWith('.')) problems.push(`body line ${index} starts with "."`);
    if (line.startsWith('From ')) problems.push(`body line ${index} starts with "From "`);
    if (line.includes('  ') || line.includes('\t'))
      problems.push(`body line ${index} has WSP that relaxed would change`);
  });
  return problems;
}

describe('MimeTemplate', () => {
  it('finds the slots of the personal headers and both bodies, each once', () => {
    expect(new MimeTemplate(source()).slots).toEqual([
      'to',
      'messageId',
      'unsubscribeUrl',
      'unsubscribeMailto',
      'manageUrl',
    ]);
  });

  it('reads back with mailparser: encoded headers, personal headers and both parts equal to the source, filled', async () => {
    const input = source();
    expect(input.html.length).toBeGreaterThan(20_000);
    const values = reader(42);
    const parsed = await simpleParser(wire(new MimeTemplate(input).fill(values)));
    expect(parsed.subject).toBe(subject);
    expect(parsed.from?.value).toEqual([
      { address: 'news@errorbudget.example', name: 'Ana María Ortíz — errorbudget' },
    ]);
    expect(parsed.replyTo?.value).toEqual([
      { address: 'reply@errorbudget.example', name: 'Weekly, errorbudget' },
    ]);
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(parsed.headers.get('to')).toMatchObject({ text: 'reader42@mail.example' });
    expect(parsed.messageId).toBe('<issue-7.42.k3j9@errorbudget.example>');
    expect(parsed.headers.get('list')).toEqual({
      id: { name: 'errorbudget notes', id: 'notes.errorbudget.example' },
      unsubscribe: {
        url: 'https://errorbudget.example/u/42.Zm9vYmFyYmF6cXV4',
        mail: 'unsubscribe+42.Zm9vYmFy@errorbudget.example',
      },
      'unsubscribe-post': { name: 'List-Unsubscribe=One-Click' },
    });
    expect(parsed.text).toBe(lf(fillSlots(input.text, values)));
    expect(parsed.html).toBe(lf(fillSlots(input.html, values)));
  });

  it('keeps every line within the wire rules and already in DKIM relaxed canonical form', () => {
    const message = new MimeTemplate(source()).fill(reader(7));
    expect(wireViolations(wire(message))).toEqual([]);
    const body = Buffer.concat(message.body);
    expect(relaxedBody(message.body).equals(body)).toBe(true);
  });

  it('shares the static Buffers between readers and builds identical bytes from the same source', () => {
    const template = new MimeTemplate(source());
    const first = template.fill(reader(1));
    const second = template.fill(reader(2));
    const shared = first.body.filter((piece) => second.body.includes(piece));
    const sharedBytes = shared.reduce((sum, piece) => sum + piece.length, 0);
    expect(sharedBytes).toBeGreaterThan(0.97 * Buffer.concat(first.body).length);
    expect(Math.max(...shared.map((piece) => piece.length))).toBeGreaterThan(19_000);
    const rebuilt = new MimeTemplate(source()).fill(reader(1));
    expect(wire(rebuilt).equals(wire(first))).toBe(true);
    expect(wire(second).equals(wire(first))).toBe(false);
    const otherIssue = new MimeTemplate(source({ boundarySeed: 'issue:another' })).fill(reader(1));
    expect(otherIssue.headers.at(-1)).not.toBe(first.headers.at(-1));
  });

  it('decodes awkward body slot values verbatim and still keeps the wire rules', async () => {
    const input = source({
      text: 'Link: {{link}}\n{{note}} and more\n.{{note}}',
      html: '<a href="{{link}}">x</a>{{note}}',
    });
    const values = {
      ...reader(3),
      link: `https://errorbudget.example/u?a=1&b==2&pad=${'Q'.repeat(160)}  `,
      note: '.From the top  \t ünï 🚀 ',
    };
    expect(values.link.length).toBeGreaterThan(200);
    const raw = wire(new MimeTemplate(input).fill(values));
    expect(wireViolations(raw)).toEqual([]);
    const parsed = await simpleParser(raw);
    expect(parsed.text).toBe(lf(fillSlots(input.text, values)));
    expect(parsed.html).toBe(fillSlots(input.html, values));
  });

  it('cuts long URL values into lines of 76 that never start with "." and decode verbatim', async () => {
    const input = source({
      text: 'Go to {{link}}\n{{link}} ends here\n',
      html: '<a href="{{link}}">x</a>',
    });
    // Dots exactly where a 75-character cut would fall, and a run of them across the next one.
    const link = `https://errorbudget.example/u/${'a'.repeat(45)}.${'b'.repeat(72)}...${'c'.repeat(90)}`;
    for (const value of [link, link.slice(0, 76), link.slice(0, 77), link.slice(0, 151)]) {
      const values = { ...reader(4), link: value };
      const raw = wire(new MimeTemplate(input).fill(values));
      expect(wireViolations(raw)).toEqual([]);
      const parsed = await simpleParser(raw);
      expect(parsed.text).toBe(lf(fillSlots(input.text, values)));
      expect(parsed.html).toBe(fillSlots(input.html, values));
    }
  });

  it('refuses a header slot value with CRLF or non-ASCII, and a missing slot, naming the slot', () => {
    const template = new MimeTemplate(source());
    expect(() => template.fill({ ...reader(1), to: 'a@b.example\r\nBcc: everyone@b.example' })).toThrow(
      /\{\{to\}\}/,
    );
    expect(() => template.fill({ ...reader(1), messageId: 'ü@b.example' })).toThrow(/\{\{messageId\}\}/);
    const { manageUrl: _, ...missing } = reader(1);
    expect(() => template.fill(missing)).toThrow(/\{\{manageUrl\}\}/);
  });

  it('refuses header fields with line breaks, non-ASCII addresses and fields the template writes itself', () => {
    const headers = (extra: readonly [string, string]): TemplateSource =>
      source({ headers: [...source().headers, extra] });
    expect(() => new MimeTemplate(headers(['Subject', 'Hi\r\nBcc: x@y.example']))).toThrow(/line break/);
    expect(() => new MimeTemplate(headers(['Reply-To', 'ünï@errorbudget.example']))).toThrow(/Reply-To/);
    expect(() => new MimeTemplate(headers(['Content-Type', 'text/plain']))).toThrow(/Content-Type/);
    expect(() => new MimeTemplate(source({ personalHeaders: [['To', 'Ünï <{{to}}>']] }))).toThrow(/To/);
  });
});
