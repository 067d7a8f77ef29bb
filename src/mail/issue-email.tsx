// The email of one note: subject, preheader, an email-safe HTML part and a text part from the same source,
// rendered and inlined once per issue; the MIME template only fills each reader's two links.
import { convert, type FormatCallback, type HtmlToTextOptions } from 'html-to-text';
import juice from 'juice';
import { renderToString } from 'preact-render-to-string';

export interface IssueEmailInput {
  siteTitle: string;
  /** Absolute, no trailing slash. */
  siteUrl: string;
  postalAddress: string;
  /** The html lang, and the locale of the date. */
  language: string;
  /** The time zone the date is shown in (site.yml's timezone); UTC when absent. */
  timeZone?: string;
  note: {
    title: string;
    summary: string;
    url: string;
    date: Date;
    html: string;
    codeCss: readonly string[];
    readingMinutes: number;
  };
  /** A marked test copy for the writer: banner + "[Test] " subject. */
  test?: boolean;
}

export interface IssueEmail {
  subject: string;
  preheader: string;
  html: string;
  text: string;
}

/**
 * html and text contain the exact markers {{unsubscribeUrl}} and {{manageUrl}} where the reader's personal
 * links go (a MIME template fills them per reader, unescaped: the URLs are [A-Za-z0-9:/._-] only). Nothing
 * else personal.
 */
export const personalSlots = { unsubscribeUrl: '{{unsubscribeUrl}}', manageUrl: '{{manageUrl}}' } as const;

export function issueEmail(input: IssueEmailInput): IssueEmail {
  const { note } = input;
  const subject = `${input.test ? '[Test] ' : ''}${note.title}`;
  const body = mailSafeHtml(note.html, input.siteUrl, note.url);
  const dateFormat = new Intl.DateTimeFormat(input.language, {
    dateStyle: 'long',
    timeZone: input.timeZone ?? 'UTC',
  });
  const meta = `${dateFormat.format(note.date)} · ${note.readingMinutes} min read`;
  return {
    subject,
    preheader: note.summary,
    html: renderHtml(input, subject, body, meta),
    text: renderText(input, body, meta),
  };
}

// ---------------------------------------------------------------------------------------------------------
// The note's HTML, made fit for a mailbox. It is rehype-stringify output of sanitized Markdown (see
// src/content/markdown.ts): attributes are double-quoted, links do not nest, there are no scripts, styles,
// iframes or forms; so rewriting its few kinds of tags with patterns is exact, and needs no second parser.

const headingAnchor = /<a\b[^>]*\bclass="anchor"[^>]*>[\s\S]*?<\/a>/g;
/** A back-link (↩) to the reference in the text: mail clients do not scroll to in-page targets reliably. */
const footnoteBackref = /\s*<a\b[^>]*\bdata-footnote-backref\b[^>]*>[\s\S]*?<\/a>/g;

function mailSafeHtml(html: string, siteUrl: string, noteUrl: string): string {
  return html
    .replace(headingAnchor, '')
    .replace(footnoteBackref, '')
    .replace(/\bclass="sr-only"/g, 'class="eb-footnote-label"')
    .replace(/<a\b([^>]*)>([\s\S]*?)<\/a>/g, (_, attrs: string, content: string) =>
      mailLink(parseAttributes(attrs), content, siteUrl, noteUrl),
    )
    .replace(/<img\b([^>]*)>/g, (_, attrs: string) => mailImage(parseAttributes(attrs), siteUrl, noteUrl))
    .replace(/<input\b([^>]*)>/g, (_, attrs: string) => (/\bchecked\b/.test(attrs) ? '☑' : '☐'))
    .replace(/ tabindex="[^"]*"/g, '');
}

/** In-page links (footnote references) lose their link; every other link becomes absolute. */
function mailLink(attrs: Map<string, string>, content: string, siteUrl: string, noteUrl: string): string {
  const href = attrs.get('href') ?? '';
  if (href === '' || href.startsWith('#')) return content;
  const url = absoluteUrl(href, siteUrl, noteUrl);
  if (!/^(https?|mailto):/i.test(url)) return content;
  return `<a href="${escapeAttribute(url)}">${content}</a>`;
}

/** The column is 600 px: Outlook for Windows ignores max-width and would draw a wider image at full size. */
const columnWidth = 600;

function mailImage(attrs: Map<string, string>, siteUrl: string, noteUrl: string): string {
  const src = absoluteUrl(attrs.get('src') ?? '', siteUrl, noteUrl);
  let width = Number(attrs.get('width'));
  let height = Number(attrs.get('height'));
  if (width > columnWidth && height > 0) {
    height = Math.round((height * columnWidth) / width);
    width = columnWidth;
  }
  const size = width > 0 && height > 0 ? ` width="${width}" height="${height}"` : '';
  return `<img src="${escapeAttribute(src)}" alt="${escapeAttribute(attrs.get('alt') ?? '')}"${size}>`;
}

/** Root-relative paths are on the site (`${siteUrl}${path}`, as the site's own pages resolve them). */
function absoluteUrl(url: string, siteUrl: string, noteUrl: string): string {
  if (url.startsWith('/') && !url.startsWith('//')) return `${siteUrl}${url}`;
  try {
    return new URL(url, `${noteUrl}/`).href;
  } catch {
    return siteUrl;
  }
}

/** Attribute values come back decoded; rehype escapes only `&` and `"` in them. */
function parseAttributes(source: string): Map<string, string> {
  const attrs = new Map<string, string>();
  for (const [, name, value] of source.matchAll(/([^\s="]+)(?:="([^"]*)")?/g)) {
    if (name) attrs.set(name.toLowerCase(), decodeAttribute(value ?? ''));
  }
  return attrs;
}

const decodeAttribute = (value: string) =>
  value.replace(/&(?:#x26|#38|amp);/gi, '&').replace(/&(?:#x22|#34|quot);/gi, '"');
const escapeAttribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
const escapeText = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// ---------------------------------------------------------------------------------------------------------
// Styles: the site's palette and type (assets/site.css), written for juice to inline. Only the dark scheme
// stays in a <style>; it needs !important to beat the inlined light colours. Clients without
// prefers-color-scheme (Gmail) keep the light design or invert it themselves.

const light = {
  bg: '#fbfaf7',
  surface: '#f2efe8',
  text: '#1b1d21',
  muted: '#575b63',
  line: '#dedad0',
  accent: '#a8321f',
  accentText: '#ffffff',
  codeBg: '#f6f8fa',
  code: '#24292e',
};
const dark: typeof light = {
  bg: '#121315',
  surface: '#1c1e22',
  text: '#e8e6e1',
  muted: '#a8aab0',
  line: '#33363c',
  accent: '#ff8f70',
  accentText: '#1b0d08',
  codeBg: '#1a1d22',
  code: '#e1e4e8',
};

const sans =
  "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Liberation Sans', Arial, sans-serif";
const serif = "'Iowan Old Style', Charter, 'Bitstream Charter', 'Sitka Text', Cambria, Georgia, serif";
const mono = "ui-monospace, SFMono-Regular, 'Cascadia Mono', 'Roboto Mono', Menlo, Consolas, monospace";

/** Rules whose colours change with the scheme, filled with either palette. */
function colourRules(c: typeof light, important: string): string {
  const i = important;
  return `
body, .eb-outer, .eb-outer-cell { background-color: ${c.bg}${i}; }
.eb-container, .eb-brand { color: ${c.text}${i}; }
.eb-meta, .eb-summary, .eb-footer, .eb-footer a, .eb-prose blockquote, .eb-prose .footnotes { color: ${c.muted}${i}; }
.eb-read, .eb-prose a, .eb-banner strong { color: ${c.accent}${i}; }
.eb-button { background-color: ${c.accent}${i}; color: ${c.accentText}${i}; }
.eb-banner { background-color: ${c.surface}${i}; }
.eb-prose code, .eb-prose pre { background-color: ${c.codeBg}${i}; }
.eb-prose pre { color: ${c.code}${i}; }
.eb-prose pre code { background-color: transparent${i}; }
`;
}

/** Borders are shorthands in the light layout (Outlook for Windows reads little else); dark only recolours. */
const darkBorders = `
.eb-masthead, .eb-rule, .eb-footer, .eb-prose th, .eb-prose td, .eb-prose hr, .eb-prose pre, .eb-prose .footnotes { border-color: ${dark.line} !important; }
.eb-banner, .eb-prose blockquote { border-color: ${dark.accent} !important; }
`;

const layoutCss = `
html { color-scheme: light dark; }
body { margin: 0; padding: 0; -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
.eb-preheader { display: none; max-height: 0; max-width: 0; overflow: hidden; opacity: 0; font-size: 1px; line-height: 1px; mso-hide: all; }
.eb-outer { width: 100%; table-layout: fixed; border-collapse: collapse; }
.eb-outer-cell { padding: 28px 20px 44px; }
.eb-container { max-width: 600px; margin: 0 auto; text-align: left; font-family: ${sans}; font-size: 17px; line-height: 1.65; word-wrap: break-word; overflow-wrap: break-word; }
.eb-banner { margin: 0 0 28px; padding: 12px 16px; border: 1px dashed ${light.accent}; border-radius: 8px; font-size: 15px; line-height: 1.5; }
.eb-banner p { margin: 0; }
.eb-masthead { margin: 0 0 32px; padding: 0 0 14px; border-bottom: 1px solid ${light.line}; }
.eb-brand { font-family: ${serif}; font-size: 20px; font-weight: 700; line-height: 1.2; text-decoration: none; }
.eb-meta { margin: 0 0 8px; font-size: 14px; line-height: 1.5; }
.eb-title { margin: 0 0 14px; font-family: ${serif}; font-size: 31px; font-weight: 700; line-height: 1.15; letter-spacing: -0.015em; }
.eb-summary { margin: 0 0 16px; font-family: ${serif}; font-size: 19px; line-height: 1.5; }
.eb-read-line { margin: 0; font-size: 15px; }
.eb-read { font-weight: 600; text-decoration: none; }
.eb-rule { margin: 28px 0 32px; border: 0; border-top: 1px solid ${light.line}; height: 0; }
.eb-prose p, .eb-prose ul, .eb-prose ol { margin: 0 0 20px; }
.eb-prose ul, .eb-prose ol { padding-left: 26px; }
.eb-prose li { margin: 0 0 6px; }
.eb-prose li p { margin: 0 0 6px; }
.eb-prose h2 { margin: 44px 0 12px; font-family: ${serif}; font-size: 25px; font-weight: 700; line-height: 1.2; letter-spacing: -0.01em; }
.eb-prose h3 { margin: 32px 0 8px; font-family: ${serif}; font-size: 20px; font-weight: 700; line-height: 1.25; }
.eb-prose h4 { margin: 24px 0 8px; font-size: 17px; font-weight: 700; line-height: 1.3; }
.eb-prose a { text-decoration: underline; }
.eb-prose blockquote { margin: 0 0 20px; padding: 0 0 0 16px; border-left: 3px solid ${light.accent}; font-family: ${serif}; font-size: 18px; }
.eb-prose img { display: block; max-width: 100%; height: auto; margin: 0 auto; border: 0; border-radius: 6px; }
.eb-prose hr { margin: 36px 0; border: 0; border-top: 1px solid ${light.line}; height: 0; }
.eb-prose code { font-family: ${mono}; font-size: 0.86em; padding: 1px 4px; border-radius: 4px; }
.eb-prose pre { margin: 0 0 22px; padding: 14px 16px; border: 1px solid ${light.line}; border-radius: 8px; font-family: ${mono}; font-size: 13px; line-height: 1.55; white-space: pre-wrap; word-wrap: break-word; overflow-wrap: anywhere; word-break: break-word; }
.eb-prose pre code { padding: 0; border-radius: 0; font-size: 13px; }
.eb-prose .table-scroll { margin: 0 0 22px; overflow-x: auto; }
.eb-prose table { width: 100%; border-collapse: collapse; font-size: 14.5px; line-height: 1.45; }
.eb-prose th, .eb-prose td { padding: 8px 10px 8px 0; border-bottom: 1px solid ${light.line}; font-family: ${sans}; text-align: left; vertical-align: top; }
.eb-prose th { border-bottom: 2px solid ${light.line}; font-weight: 650; }
.eb-prose sup { font-size: 0.72em; line-height: 0; }
.eb-prose .footnotes { margin-top: 40px; padding-top: 14px; border-top: 1px solid ${light.line}; font-size: 14.5px; line-height: 1.55; }
.eb-prose .footnotes li p { margin: 0 0 8px; }
.eb-prose .eb-footnote-label { margin: 0 0 10px; font-family: ${sans}; font-size: 12px; font-weight: 600; letter-spacing: 0.08em; text-transform: uppercase; }
.eb-end { margin: 36px 0 0; }
.eb-button { display: inline-block; padding: 12px 22px; border-radius: 8px; font-size: 16px; font-weight: 600; line-height: 1.4; text-decoration: none; }
.eb-footer { margin: 40px 0 0; padding: 16px 0 0; border-top: 1px solid ${light.line}; font-size: 13.5px; line-height: 1.6; }
.eb-footer p { margin: 0 0 8px; }
.eb-footer a { text-decoration: underline; }
`;

const shikiProperties: Record<string, string> = {
  '': 'color',
  '-font-style': 'font-style',
  '-font-weight': 'font-weight',
  '-text-decoration': 'text-decoration',
};

/**
 * Shiki's rules carry both themes as custom properties (`--shiki-light`, `--shiki-dark`), which mail
 * clients drop; each becomes a real property: light inlined, dark in the media query. Its background
 * colours are left out: code blocks take the site's code background, as on the site.
 */
function codeRules(codeCss: readonly string[], scheme: 'light' | 'dark', important: string): string {
  return codeCss
    .map((rule) => {
      const match = /^(\.[\w-]+)\s*\{([^}]*)\}$/.exec(rule.trim());
      if (!match) return '';
      const declarations = [
        ...(match[2] ?? '').matchAll(/--shiki-(light|dark)([\w-]*)\s*:\s*([#\w.,() %-]+)/g),
      ]
        .filter(([, theme, suffix]) => theme === scheme && (suffix ?? '') in shikiProperties)
        .map(([, , suffix, value]) => `${shikiProperties[suffix ?? '']}: ${value?.trim()}${important};`);
      return declarations.length > 0 ? `${match[1]} { ${declarations.join(' ')} }` : '';
    })
    .filter(Boolean)
    .join('\n');
}

/**
 * Left in the head as it is. Inline, code wraps: no client that drops <style> (or overflow) can be pushed
 * wider than the phone by a long line. Where this block survives (Apple Mail, Gmail, Outlook.com) code
 * keeps its lines and scrolls in its own box, as on the site: aligned comments and YAML stay legible.
 */
const headCss = `.eb-prose pre { white-space: pre !important; overflow-x: auto !important; word-wrap: normal !important; overflow-wrap: normal !important; word-break: normal !important; }`;

function stylesheet(codeCss: readonly string[]): string {
  const darkRules =
    colourRules(dark, ' !important') + darkBorders + codeRules(codeCss, 'dark', ' !important');
  return `${layoutCss}${colourRules(light, '')}${codeRules(codeCss, 'light', '')}
@media (prefers-color-scheme: dark) {${darkRules}}`;
}

// ---------------------------------------------------------------------------------------------------------
// The HTML part.

/** Outlook for Windows ignores max-width: a fixed 600 px table holds the column there, hidden elsewhere. */
const msoOpen =
  '<!--[if mso]><table role="presentation" align="center" width="600" cellpadding="0" cellspacing="0" border="0"><tr><td><![endif]-->';
const msoClose = '<!--[if mso]></td></tr></table><![endif]-->';
/**
 * Outlook for Windows scales by the screen's DPI unless told 96, and falls back to Times New Roman when a
 * font stack starts with a font it lacks.
 */
const msoHead = `<!--[if mso]><xml><o:OfficeDocumentSettings><o:AllowPNG/><o:PixelsPerInch>96</o:PixelsPerInch></o:OfficeDocumentSettings></xml><style>body, table, td, p, li, h1, h2, h3, a { font-family: 'Segoe UI', Arial, sans-serif !important; } pre, code { font-family: Consolas, monospace !important; }</style><![endif]-->`;
const marker = (name: string) => `eb-mso-${name}-7c1f`;

/** Enough invisible filler that clients show no body text after the summary in the inbox preview. */
const previewFiller = '\u034f\u00a0\u200c'.repeat(90);

function renderHtml(input: IssueEmailInput, subject: string, body: string, meta: string): string {
  const markup = `<!doctype html>${renderToString(<Email input={input} subject={subject} body={body} meta={meta} />)}`;
  const inlined = juice(markup, {
    extraCss: stylesheet(input.note.codeCss),
    removeStyleTags: true,
    preserveMediaQueries: true,
    // The image sizes are already right; juice would otherwise copy CSS widths into attributes.
    applyWidthAttributes: false,
    applyHeightAttributes: false,
  });
  return inlined
    .replace(
      '<html ',
      '<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" ',
    )
    .replace('</head>', `${msoHead}</head>`)
    .replace(marker('open'), msoOpen)
    .replace(marker('close'), msoClose);
}

interface EmailProps {
  input: IssueEmailInput;
  subject: string;
  body: string;
  meta: string;
}

function Email({ input, subject, body, meta }: EmailProps) {
  return (
    <html lang={input.language} dir="ltr">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="x-apple-disable-message-reformatting" />
        {/* iOS would otherwise turn dates, numbers and the postal address into blue links. */}
        <meta name="format-detection" content="telephone=no, date=no, address=no, email=no, url=no" />
        <meta name="color-scheme" content="light dark" />
        <meta name="supported-color-schemes" content="light dark" />
        <title>{subject}</title>
        <style data-embed dangerouslySetInnerHTML={{ __html: headCss }} />
      </head>
      <body class="eb-body">
        <div class="eb-preheader">
          {input.note.summary}
          {previewFiller}
        </div>
        <table role="presentation" class="eb-outer" width="100%" cellPadding="0" cellSpacing="0">
          <tr>
            <td class="eb-outer-cell" align="center">
              {marker('open')}
              <div class="eb-container">
                {input.test && <TestBanner />}
                <Header input={input} meta={meta} />
                <div class="eb-prose" dangerouslySetInnerHTML={{ __html: body }} />
                <p class="eb-end">
                  <a class="eb-button" href={input.note.url}>
                    Read on the site
                  </a>
                </p>
                <Footer input={input} />
              </div>
              {marker('close')}
            </td>
          </tr>
        </table>
      </body>
    </html>
  );
}

function TestBanner() {
  return (
    <div class="eb-banner">
      <p>
        <strong>Test copy.</strong> Only you received this. Subscribers get the note without this box when it
        is sent.
      </p>
    </div>
  );
}

function Header({ input, meta }: { input: IssueEmailInput; meta: string }) {
  const { note } = input;
  return (
    <>
      <div class="eb-masthead">
        <a class="eb-brand" href={input.siteUrl}>
          {input.siteTitle}
        </a>
      </div>
      <p class="eb-meta">{meta}</p>
      <h1 class="eb-title">{note.title}</h1>
      <p class="eb-summary">{note.summary}</p>
      <p class="eb-read-line">
        <a class="eb-read" href={note.url}>
          Read on the site →
        </a>
      </p>
      <hr class="eb-rule" />
    </>
  );
}

function Footer({ input }: { input: IssueEmailInput }) {
  return (
    <div class="eb-footer">
      <p>You get this because you subscribed to {input.siteTitle} and confirmed your address.</p>
      <p>
        <a href={personalSlots.manageUrl}>Manage your subscription</a> ·{' '}
        <a href={personalSlots.unsubscribeUrl}>Unsubscribe</a>
      </p>
      <p>{input.postalAddress}</p>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------------------
// The text part: the same mail-safe HTML through html-to-text; header and footer are written as text, so
// the personal markers never pass through a converter.

const wordwrap = 78;

function renderText(input: IssueEmailInput, body: string, meta: string): string {
  const { note } = input;
  const underline = (text: string, char: string) => `${text}\n${char.repeat(longestLine(text))}`;
  const lines = [
    input.test
      ? `${wrap('[Test copy] Only you received this. Subscribers get the note without this line when it is sent.')}\n\n`
      : '',
    `${input.siteTitle}\n${input.siteUrl}\n\n`,
    `${underline(wrap(note.title), '=')}\n\n`,
    `${meta}\n\n`,
    `${wrap(note.summary)}\n\n`,
    `Read on the site: ${note.url}\n\n`,
    `${'-'.repeat(wordwrap)}\n\n`,
    `${convert(markWideTables(body), textOptions)}\n\n`,
    `${'-'.repeat(wordwrap)}\n\n`,
    `Read on the site: ${note.url}\n\n`,
    '--\n',
    `${wrap(`You get this because you subscribed to ${input.siteTitle} and confirmed your address.`)}\n`,
    `Manage your subscription: ${personalSlots.manageUrl}\n`,
    `Unsubscribe: ${personalSlots.unsubscribeUrl}\n\n`,
    `${wrap(input.postalAddress)}\n`,
  ];
  return lines.join('');
}

function wrap(text: string): string {
  return convert(`<p>${escapeText(text)}</p>`, { wordwrap });
}

const longestLine = (text: string) => Math.max(...text.split('\n').map((line) => line.length));

/** A table as columns when it fits in 78 characters; otherwise one record per row (`table.eb-records`). */
function markWideTables(body: string): string {
  return body.replace(/<table>([\s\S]*?)<\/table>/g, (table) =>
    longestLine(convert(table, textOptions)) <= wordwrap
      ? table
      : table.replace('<table>', '<table class="eb-records">'),
  );
}

/** Code keeps its lines exactly, indented by four spaces, as plain-text mail has always marked code. */
const codeBlock: FormatCallback = (elem, walk, builder) => {
  builder.openBlock({ isPre: true, leadingLineBreaks: 2 });
  walk(elem.children, builder);
  builder.closeBlock({
    trailingLineBreaks: 2,
    blockTransform: (code) =>
      code
        .replace(/\n+$/, '')
        .split('\n')
        .map((line) => (line === '' ? '' : `    ${line}`))
        .join('\n'),
  });
};

const underlined: FormatCallback = (elem, walk, builder) => {
  builder.openBlock({ leadingLineBreaks: 3 });
  walk(elem.children, builder);
  builder.closeBlock({
    trailingLineBreaks: 2,
    blockTransform: (text) => `${text}\n${'-'.repeat(longestLine(text))}`,
  });
};

const bracketed: FormatCallback = (elem, walk, builder) => {
  builder.addLiteral('[');
  walk(elem.children, builder);
  builder.addLiteral(']');
};

const altText: FormatCallback = (elem, _walk, builder) => {
  const alt = String((elem.attribs as Record<string, string> | undefined)?.alt ?? '').trim();
  if (alt) builder.addInline(`[Image: ${alt}]`);
};

type Node = Parameters<FormatCallback>[0];
/** Text nodes come without `children`, whatever the types say. */
const childrenOf = (node: Node): Node[] => node.children ?? [];
const childTags = (node: Node, names: string[]): Node[] =>
  childrenOf(node).flatMap((child) =>
    child.type === 'tag' && names.includes(child.name ?? '') ? [child] : childTags(child, names),
  );
const textOf = (node: Node): string => node.data ?? childrenOf(node).map(textOf).join('');

/** A row per block: the first cell as its title, the others beneath as "Header: value". */
const records: FormatCallback = (elem, walk, builder) => {
  const [head, ...rows] = childTags(elem, ['tr']);
  const labels = head ? childTags(head, ['th', 'td']).map((cell) => textOf(cell).trim()) : [];
  for (const row of rows) {
    const [first, ...rest] = childTags(row, ['th', 'td']);
    builder.openBlock({ leadingLineBreaks: 2 });
    if (first) walk(first.children, builder);
    builder.closeBlock({ trailingLineBreaks: 1 });
    rest.forEach((cell, index) => {
      builder.openBlock({ leadingLineBreaks: 1, reservedLineLength: 5 });
      const label = labels[index + 1];
      if (label) builder.addInline(`${label}: `);
      walk(cell.children, builder);
      builder.closeBlock({
        trailingLineBreaks: 1,
        blockTransform: (text) => text.replace(/^/, '   ').replace(/\n/g, '\n     '),
      });
    });
  }
};

const textOptions: HtmlToTextOptions = {
  wordwrap,
  formatters: { codeBlock, underlined, bracketed, altText, records },
  selectors: [
    { selector: 'h1', format: 'underlined' },
    { selector: 'h2', format: 'underlined' },
    { selector: 'h3', options: { uppercase: false, leadingLineBreaks: 3 } },
    { selector: 'h4', options: { uppercase: false } },
    { selector: 'pre', format: 'codeBlock' },
    { selector: 'sup', format: 'bracketed' },
    { selector: 'img', format: 'altText' },
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    { selector: 'ul', options: { itemPrefix: ' - ' } },
    {
      selector: 'table',
      format: 'dataTable',
      options: { uppercaseHeaderCells: false, maxColumnWidth: 30, colSpacing: 2 },
    },
    { selector: 'table.eb-records', format: 'records' },
  ],
};
