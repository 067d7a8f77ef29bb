// Reading the local mailbox, for `errorbudget mailbox`, the admin's mailbox page, and people trying the
// site without a relay. A mail is named by its file (date first, so names sort oldest first).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type AddressObject, simpleParser } from 'mailparser';

export interface MailboxEntry {
  number: number;
  file: string;
  date: Date | undefined;
  from: string;
  to: string;
  subject: string;
  text: string;
}

export interface MailboxMessage extends MailboxEntry {
  /** The HTML part as sent, or undefined for a text-only mail. */
  html: string | undefined;
  /** Every header line in order, unfolded, as a mail client's "show original" lists them. */
  headers: { name: string; value: string }[];
}

/** What saveToMailbox writes: nothing else in the folder is a mail, and no name can leave it. */
const mailFileName = /^[0-9TZ-]+_[A-Za-z0-9@.-]+\.eml$/;

/** The mail files, oldest first. */
export async function mailboxFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => mailFileName.test(f)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Newest first; numbers are stable for a given mailbox content. */
export async function readMailbox(dir: string): Promise<MailboxEntry[]> {
  const files = await mailboxFiles(dir);
  const entries = await Promise.all(files.map(async (file, index) => readMessage(dir, file, index + 1)));
  return entries.reverse();
}

export interface MailboxPage {
  entries: MailboxEntry[];
  total: number;
  /** The file to continue after, when older mails remain. */
  next: string | undefined;
}

/** A page of mails, newest first, after the file `before` (keyset: stable while new mail arrives). */
export async function readMailboxPage(
  dir: string,
  before: string | undefined,
  limit: number,
): Promise<MailboxPage> {
  const files = await mailboxFiles(dir);
  const end = before === undefined ? files.length : files.findIndex((f) => f >= before);
  const upTo = end < 0 ? files.length : end;
  const start = Math.max(upTo - limit, 0);
  const entries = await Promise.all(
    files.slice(start, upTo).map((file, i) => readMessage(dir, file, start + i + 1)),
  );
  return { entries: entries.reverse(), total: files.length, next: start > 0 ? files[start] : undefined };
}

/** One mail in full, or undefined when no mail has that name. */
export async function readMailboxMessage(dir: string, file: string): Promise<MailboxMessage | undefined> {
  if (!mailFileName.test(file)) return undefined;
  const files = await mailboxFiles(dir);
  const index = files.indexOf(file);
  if (index < 0) return undefined;
  return readMessage(dir, file, index + 1);
}

async function readMessage(dir: string, file: string, number: number): Promise<MailboxMessage> {
  return { number, file, ...(await parseMail(await readFile(join(dir, file)))) };
}

export type ParsedMessage = Omit<MailboxMessage, 'number' | 'file'>;

/** A raw RFC 5322 message as a mail client shows it: addresses, subject, both parts, every header. */
export async function parseMail(raw: Buffer): Promise<ParsedMessage> {
  const mail = await simpleParser(raw);
  return {
    date: mail.date,
    from: addresses(mail.from),
    to: addresses(mail.to),
    subject: mail.subject ?? '',
    text: mail.text ?? '',
    html: mail.html === false ? undefined : mail.html,
    headers: mail.headerLines.map((line) => {
      const colon = line.line.indexOf(':');
      return {
        name: line.line.slice(0, colon),
        value: line.line
          .slice(colon + 1)
          .replace(/\r?\n[ \t]+/g, ' ')
          .trim(),
      };
    }),
  };
}

function addresses(field: AddressObject | AddressObject[] | undefined): string {
  if (!field) return '';
  return Array.isArray(field) ? field.map((a) => a.text).join(', ') : field.text;
}
