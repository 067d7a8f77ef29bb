import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMailboxMessage, readMailboxPage } from './mailbox.js';
import { saveToMailbox } from './transport.js';

const mail = (n: number) =>
  Buffer.from(
    `From: Site <site@example.test>\r\nTo: reader${n}@example.com\r\nSubject: Mail ${n}\r\n` +
      `Content-Type: text/html; charset=utf-8\r\n\r\n<p>Body ${n}</p>\r\n`,
  );

async function mailboxOf(count: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'eb-mailbox-'));
  for (let n = 1; n <= count; n += 1)
    await saveToMailbox(dir, `<m${n}@example.test>`, new Date(Date.UTC(2026, 10, 26, 9, 0, n)), mail(n));
  return dir;
}

describe('the local mailbox, a page at a time', () => {
  it('pages newest first and continues after the last mail shown', async () => {
    const dir = await mailboxOf(5);
    const first = await readMailboxPage(dir, undefined, 2);
    expect(first.total).toBe(5);
    expect(first.entries.map((e) => e.subject)).toEqual(['Mail 5', 'Mail 4']);
    const second = await readMailboxPage(dir, first.next, 2);
    expect(second.entries.map((e) => e.subject)).toEqual(['Mail 3', 'Mail 2']);
    const last = await readMailboxPage(dir, second.next, 2);
    expect(last.entries.map((e) => e.subject)).toEqual(['Mail 1']);
    expect(last.next).toBeUndefined();
  });

  it('reads one mail with its parts and headers, and nothing outside the mailbox', async () => {
    const dir = await mailboxOf(1);
    await writeFile(join(dir, 'notes.txt'), 'not a mail');
    const [entry] = (await readMailboxPage(dir, undefined, 10)).entries;
    const message = await readMailboxMessage(dir, entry?.file ?? '');
    expect(message?.html).toContain('<p>Body 1</p>');
    expect(message?.from).toBe('"Site" <site@example.test>');
    expect(message?.headers.map((h) => h.name)).toEqual(['From', 'To', 'Subject', 'Content-Type']);
    for (const name of ['notes.txt', '../secret.eml', `x/${entry?.file}`, 'missing_x.eml'])
      expect(await readMailboxMessage(dir, name), name).toBeUndefined();
  });

  it('is empty when the folder does not exist yet', async () => {
    const page = await readMailboxPage(join(tmpdir(), 'eb-no-such-mailbox'), undefined, 10);
    expect(page).toEqual({ entries: [], total: 0, next: undefined });
  });
});
