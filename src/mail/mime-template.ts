// An issue's MIME message, built once with per-reader slots: a fill makes a few small Buffers, shares the rest.
import { createHash } from 'node:crypto';

export interface TemplateSource {
  /**
   * Header fields identical for every reader, in order (From, Subject, Date, List-Id, …). Values are Unicode
   * text: non-ASCII becomes RFC 2047 encoded-words (in an address field only the display name may be
   * non-ASCII). MIME-Version and Content-Type are added by the template.
   */
  headers: ReadonlyArray<readonly [name: string, value: string]>;
  /**
   * Header fields that differ per reader, with {{slot}} markers in their values. The text around the
   * markers and the slot values must be printable ASCII (checked per fill).
   */
  personalHeaders: ReadonlyArray<readonly [name: string, value: string]>;
  /** text/plain and text/html bodies; {{slot}} values go into the decoded body verbatim (escape HTML first). */
  text: string;
  html: string;
  /** Seed for the MIME boundary, so one issue builds the same bytes every time (re-sends after a crash). */
  boundarySeed: string;
}

export interface FilledMessage {
  /** Header fields as they go on the wire: "Name: value", folded with CRLF + WSP, no trailing CRLF. */
  headers: string[];
  /**
   * The body after the blank line: CRLF line endings, already in DKIM relaxed canonical form, no line
   * starting with ".", ends with CRLF. Mostly Buffers shared by every fill of the template.
   */
  body: Buffer[];
}

interface SlotRef {
  readonly slot: string;
}

interface BodySlot extends SlotRef {
  /** The slot is the last thing on its decoded line: its QP ends with a hard CRLF instead of a soft break. */
  readonly endsLine: boolean;
}

interface PersonalHeader {
  readonly name: string;
  readonly parts: ReadonlyArray<string | SlotRef>;
}

const slotMarker = /\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}/g;
const lineBreak = /\r\n|\n|\r/;
// RFC 5322 §2.1.1: 78 is the SHOULD for every line, 998 the MUST.
const foldWidth = 78;
const maxLineOctets = 998;
// RFC 2045 §6.7 rule 5: 76 characters per encoded line, the soft-break "=" included.
const qpWidth = 76;
const fieldName = /^[!-9;-~]+$/;
const printableAscii = /^[\x20-\x7e]*$/;
// Printable ASCII but "=" and space: text that is its own quoted-printable encoding.
const qpSafe = /^[!-<>-~]*$/;
const dot = 0x2e;
const templateOwned = new Set(['mime-version', 'content-type', 'content-transfer-encoding']);
const addressFields = new Set(['from', 'sender', 'reply-to', 'to', 'cc', 'bcc']);
const hexOctet = Array.from(
  { length: 256 },
  (_, octet) => `=${octet.toString(16).toUpperCase().padStart(2, '0')}`,
);

export class MimeTemplate {
  readonly slots: readonly string[];
  private readonly staticHeaders: readonly string[];
  private readonly personalHeaders: readonly PersonalHeader[];
  private readonly mimeHeaders: readonly string[];
  private readonly body: ReadonlyArray<Buffer | BodySlot>;

  constructor(source: TemplateSource) {
    for (const [name] of [...source.headers, ...source.personalHeaders]) checkFieldName(name);
    const boundary = `=_eb_${createHash('sha256').update(source.boundarySeed).digest('hex').slice(0, 32)}`;
    this.staticHeaders = source.headers.map(([name, value]) => encodeHeader(name, value));
    this.personalHeaders = source.personalHeaders.map(([name, value]) => parsePersonalHeader(name, value));
    this.mimeHeaders = [
      'MIME-Version: 1.0',
      foldHeader('Content-Type:', ['multipart/alternative;', `boundary="${boundary}"`]),
    ];
    this.body = buildBody(boundary, source.text, source.html);
    this.slots = collectSlots(this.personalHeaders, this.body);
  }

  /** Throws a plain Error naming the slot on a missing value or an unsafe header value. */
  fill(values: Readonly<Record<string, string>>): FilledMessage {
    for (const slot of this.slots) {
      if (!Object.hasOwn(values, slot) || typeof values[slot] !== 'string') {
        throw new Error(`MimeTemplate: no value for the slot {{${slot}}}`);
      }
    }
    const headers = [...this.staticHeaders];
    for (const header of this.personalHeaders) headers.push(fillHeader(header, values));
    headers.push(...this.mimeHeaders);
    const encoded = new Map<string, Buffer>();
    const body = this.body.map((piece) => {
      if (Buffer.isBuffer(piece)) return piece;
      const key = `${piece.endsLine ? 'h' : 's'}${piece.slot}`;
      let buffer = encoded.get(key);
      if (buffer === undefined) {
        buffer = Buffer.from(encodeSlotValue(values[piece.slot] as string, piece.endsLine), 'latin1');
        encoded.set(key, buffer);
      }
      return buffer;
    });
    return { headers, body };
  }
}

/** The whole message as pieces for one writev: `leading` fields first (a DKIM-Signature), then the rest. */
export function messagePieces(message: FilledMessage, leading: readonly string[] = []): Buffer[] {
  const head = `${[...leading, ...message.headers].join('\r\n')}\r\n\r\n`;
  return [Buffer.from(head, 'latin1'), ...message.body];
}

function checkFieldName(name: string): void {
  if (!fieldName.test(name)) throw new Error(`MimeTemplate: "${name}" is not a header field name`);
  if (templateOwned.has(name.toLowerCase())) {
    throw new Error(`MimeTemplate: the template writes ${name} itself`);
  }
}

function collectSlots(headers: readonly PersonalHeader[], body: ReadonlyArray<Buffer | BodySlot>): string[] {
  const names = new Set<string>();
  for (const header of headers) {
    for (const part of header.parts) if (typeof part !== 'string') names.add(part.slot);
  }
  for (const piece of body) if (!Buffer.isBuffer(piece)) names.add(piece.slot);
  return [...names];
}

// ---- Header fields -------------------------------------------------------------------------------

function encodeHeader(name: string, value: string): string {
  // A CR or LF would start a field of the caller's text (header injection); other controls are not text.
  if (/\p{Cc}/u.test(value.replace(/\t/g, ' '))) {
    throw new Error(`MimeTemplate: header ${name} contains a line break or control character`);
  }
  const prefix = `${name}:`;
  if (addressFields.has(name.toLowerCase())) return foldHeader(prefix, encodeAddress(name, value));
  // ASCII that looks like an encoded-word would be decoded by readers (RFC 2047 §6.2), so encode it too.
  if (printableAscii.test(value.replace(/\t/g, ' ')) && !value.includes('=?')) {
    return foldHeader(prefix, splitWords(value));
  }
  return foldHeader(prefix, encodedWords(value, foldWidth - prefix.length - 1));
}

function splitWords(value: string): string[] {
  return value.split(/[ \t]+/).filter((word) => word !== '');
}

/** Greedy folding at the spaces between words (RFC 5322 §2.2.3); a word is never broken. */
function foldHeader(prefix: string, words: readonly string[]): string {
  let out = prefix;
  let lineLength = prefix.length;
  let lineHasWord = false;
  for (const word of words) {
    if (lineHasWord && lineLength + 1 + word.length > foldWidth) {
      out += `\r\n ${word}`;
      lineLength = 1 + word.length;
    } else {
      out += ` ${word}`;
      lineLength += 1 + word.length;
      lineHasWord = true;
    }
    if (lineLength > maxLineOctets) throw new Error(`MimeTemplate: a word in ${prefix} is over 998 octets`);
  }
  return out;
}

/**
 * A single "Display Name <addr>" gets its display name quoted (RFC 5322 specials) or encoded (non-ASCII);
 * other ASCII values (a bare address, a list) pass as written. Addresses stay ASCII: no SMTPUTF8.
 */
function encodeAddress(name: string, value: string): string[] {
  const mailbox = /^\s*([^<>@]*?)\s*<([!-;=?-~]+)>\s*$/s.exec(value);
  const ascii = printableAscii.test(value.replace(/\t/g, ' '));
  if (mailbox === null) {
    if (ascii) return splitWords(value);
    throw new Error(
      `MimeTemplate: header ${name} has non-ASCII text outside a "Name <address>" display name`,
    );
  }
  let display = mailbox[1] as string;
  if (display.length >= 2 && display.startsWith('"') && display.endsWith('"')) {
    display = display.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  const address = `<${mailbox[2]}>`;
  if (display === '') return [address];
  if (!ascii || display.includes('=?')) {
    return [...encodedWords(display, foldWidth - name.length - 2), address];
  }
  if (/[()<>[\]:;@\\,"]/.test(display)) display = `"${display.replace(/["\\]/g, '\\$&')}"`;
  return [...splitWords(display), address];
}

/**
 * RFC 2047 "Q" encoded-words for the whole text. Only the characters allowed in a phrase (§5 rule 3)
 * stay literal, so the same words serve Subject and a display name. Words end on character boundaries
 * (§5: no character split across words) and are at most 75 characters (§2); the first one fits the line
 * after the field name.
 */
function encodedWords(text: string, firstWidth: number): string[] {
  const words: string[] = [];
  let width = Math.min(75, firstWidth < 24 ? 75 : firstWidth) - '=?UTF-8?Q??='.length;
  let content = '';
  for (const char of text) {
    const token = /^[A-Za-z0-9!*+\-/]$/.test(char) ? char : char === ' ' ? '_' : hexEncode(char);
    if (content !== '' && content.length + token.length > width) {
      words.push(`=?UTF-8?Q?${content}?=`);
      content = '';
      width = 75 - '=?UTF-8?Q??='.length;
    }
    content += token;
  }
  if (content !== '') words.push(`=?UTF-8?Q?${content}?=`);
  return words;
}

function hexEncode(char: string): string {
  let out = '';
  for (const octet of Buffer.from(char, 'utf8')) out += hexOctet[octet];
  return out;
}

function parsePersonalHeader(name: string, value: string): PersonalHeader {
  const parts: Array<string | SlotRef> = [];
  let last = 0;
  for (const match of value.matchAll(slotMarker)) {
    if (match.index > last) parts.push(value.slice(last, match.index));
    parts.push({ slot: match[1] as string });
    last = match.index + match[0].length;
  }
  if (last < value.length) parts.push(value.slice(last));
  for (const part of parts) {
    if (typeof part === 'string' && !printableAscii.test(part)) {
      throw new Error(`MimeTemplate: personal header ${name} must be printable ASCII around its slots`);
    }
  }
  return { name, parts };
}

function fillHeader(header: PersonalHeader, values: Readonly<Record<string, string>>): string {
  let value = '';
  for (const part of header.parts) {
    if (typeof part === 'string') {
      value += part;
      continue;
    }
    const slotValue = values[part.slot] as string;
    // A CR or LF here would let a reader's data add header fields of its own.
    if (!printableAscii.test(slotValue)) {
      throw new Error(
        `MimeTemplate: the value of {{${part.slot}}} in header ${header.name} must be printable ASCII without CR or LF`,
      );
    }
    value += slotValue;
  }
  return foldHeader(`${header.name}:`, splitWords(value));
}

// ---- Body ----------------------------------------------------------------------------------------

function buildBody(boundary: string, text: string, html: string): Array<Buffer | BodySlot> {
  const pieces: Array<Buffer | BodySlot> = [];
  const writer = new QpWriter();
  for (const [subtype, content] of [
    ['plain', text],
    ['html', html],
  ] as const) {
    writer.raw(
      `--${boundary}\r\nContent-Type: text/${subtype}; charset=utf-8\r\n` +
        'Content-Transfer-Encoding: quoted-printable\r\n\r\n',
    );
    encodePart(content, writer, pieces);
  }
  writer.raw(`--${boundary}--\r\n`);
  pieces.push(Buffer.from(writer.take(), 'latin1'));
  return pieces;
}

/**
 * Every decoded line ends with a hard CRLF, the last one too: that CRLF belongs to the boundary
 * delimiter (RFC 2046 §5.1.1), so the part decodes to exactly `content`. A slot stands on physical
 * lines of its own (soft breaks around it), so wrapping the static text never depends on its value.
 */
function encodePart(content: string, writer: QpWriter, pieces: Array<Buffer | BodySlot>): void {
  for (const line of content.split(lineBreak)) {
    const segments = line.split(slotMarker);
    // split() with a capture group alternates text and slot names: text at even, slots at odd indexes.
    for (let index = 0; index < segments.length; index += 1) {
      const segment = segments[index] as string;
      const isLast = index === segments.length - 1;
      if (index % 2 === 0) {
        if (!(isLast && segment === '' && index > 0)) writer.text(segment, isLast);
        continue;
      }
      writer.softBreak();
      const before = writer.take();
      if (before !== '') pieces.push(Buffer.from(before, 'latin1'));
      pieces.push({ slot: segment, endsLine: index === segments.length - 2 && segments.at(-1) === '' });
    }
  }
}

/** One reader's value, as its own QP lines: soft break at the end unless it ends the decoded line. */
function encodeSlotValue(value: string, endsLine: boolean): string {
  return encodeUrlSafe(value, endsLine) ?? encodeAnyValue(value, endsLine);
}

/**
 * The fast path, taken for every URL and address: printable ASCII without "=" or space is its own QP
 * encoding, so it is only cut into lines of 76 (a soft break's "=" included), never at a ".". Going
 * through QpWriter a character at a time made a third of all the garbage a send allocates.
 */
function encodeUrlSafe(value: string, endsLine: boolean): string | undefined {
  if (!qpSafe.test(value) || value.charCodeAt(0) === dot) return undefined;
  const lastWidth = endsLine ? qpWidth : qpWidth - 1;
  if (value.length <= lastWidth) return endsLine ? `${value}\r\n` : value === '' ? '' : `${value}=\r\n`;
  let out = '';
  let at = 0;
  while (value.length - at > lastWidth) {
    let end = at + qpWidth - 1;
    // A line must not start with "." (SMTP dot-stuffing): end the line before the dots instead.
    while (value.charCodeAt(end) === dot && end > at + 1) end -= 1;
    if (value.charCodeAt(end) === dot) return undefined;
    out += `${value.slice(at, end)}=\r\n`;
    at = end;
  }
  return `${out}${value.slice(at)}${endsLine ? '\r\n' : '=\r\n'}`;
}

function encodeAnyValue(value: string, endsLine: boolean): string {
  const writer = new QpWriter();
  const lines = value.split(lineBreak);
  lines.forEach((line, index) => {
    writer.text(line, endsLine || index < lines.length - 1);
  });
  writer.softBreak();
  return writer.take();
}

/**
 * Quoted-printable (RFC 2045 §6.7) whose output is already in DKIM relaxed body form (RFC 6376 §3.4.4):
 * a space is literal only when it neither ends a line nor follows a space, a tab is always =09, so
 * relaxed canonicalisation changes nothing and the body hash is a plain SHA-256. A "." (SMTP
 * dot-stuffing, RFC 5321 §4.5.2) or "From " (mbox) never starts a physical line.
 */
class QpWriter {
  private done = '';
  private line = '';

  raw(text: string): void {
    this.done += text;
  }

  /** Encodes `text` (no line breaks) onto the current line; `endsLine` closes it with a hard CRLF. */
  text(text: string, endsLine: boolean): void {
    let offset = 0;
    for (const char of text) {
      offset += char.length;
      const last = endsLine && offset === text.length;
      let token = this.token(char, text, offset - char.length, last);
      if (this.line.length + token.length > (last ? qpWidth : qpWidth - 1)) {
        this.softBreak();
        token = this.token(char, text, offset - char.length, last);
      }
      this.line += token;
    }
    if (endsLine) {
      this.done += `${this.line}\r\n`;
      this.line = '';
    }
  }

  softBreak(): void {
    if (this.line === '') return;
    this.done += `${this.line}=\r\n`;
    this.line = '';
  }

  take(): string {
    const out = this.done;
    this.done = '';
    return out;
  }

  private token(char: string, text: string, at: number, endsLine: boolean): string {
    const code = char.charCodeAt(0);
    const lineStart = this.line === '';
    if (code === 0x20) return endsLine || this.line.endsWith(' ') ? '=20' : ' ';
    if (lineStart && code === 0x2e) return '=2E';
    if (lineStart && code === 0x46 && text.startsWith('From ', at)) return '=46';
    if (code > 0x20 && code < 0x7f && code !== 0x3d) return char;
    return hexEncode(char);
  }
}
