// Reading the local mailbox, for `errorbudget mailbox` and for people trying the site without a relay.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';

export interface MailboxEntry {
  number: number;
  file: string;
  date: Date | undefined;
  to: string;
  subject: string;
  text: string;
}

/** Newest first; numbers are stable for a given mailbox content. */
export async function readMailbox(dir: string): Promise<MailboxEntry[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.eml')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const entries = await Promise.all(
    files.map(async (file, index) => {
      const mail = await simpleParser(await readFile(join(dir, file)));
      const to = Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(', ') : (mail.to?.text ?? '');
      return {
        number: index + 1,
        file,
        date: mail.date,
        to,
        subject: mail.subject ?? '',
        text: mail.text ?? '',
      };
    }),
  );
  return entries.reverse();
}
