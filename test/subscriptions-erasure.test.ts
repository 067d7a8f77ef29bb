// Erasure erases: after a person erases themselves their address is in no table (every table the
// database lists, not a chosen few), no log line and no mail file of the local mailbox.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import { simpleParser } from 'mailparser';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { engines } from './support/databases.js';
import { form, type SubscriptionApp, startSubscriptionApp } from './support/subscription-app.js';

describe.each(engines)('erasure on %s', (engine) => {
  let t: SubscriptionApp;
  afterEach(async () => t?.close());

  async function tableNames(): Promise<string[]> {
    const query =
      engine === 'sqlite'
        ? sql<{ name: string }>`select name from sqlite_master where type = 'table'`
        : sql<{
            name: string;
          }>`select table_name as name from information_schema.tables where table_schema = current_schema()`;
    return (await query.execute(t.db)).rows.map((r) => r.name);
  }

  async function tablesMentioning(needle: string): Promise<string[]> {
    const found: string[] = [];
    for (const table of await tableNames()) {
      const rows = (await sql`select * from ${sql.table(table)}`.execute(t.db)).rows;
      if (JSON.stringify(rows).toLowerCase().includes(needle)) found.push(table);
    }
    return found;
  }

  const mailbox = () => join(t.dataDir, 'mailbox');
  async function mailFiles(): Promise<string[]> {
    const names = (await readdir(mailbox())).filter((n) => n.endsWith('.eml'));
    return Promise.all(names.map((n) => readFile(join(mailbox(), n), 'utf8')));
  }
  async function linkInMailbox(path: string, to: string): Promise<string> {
    for (const raw of await mailFiles()) {
      const mail = await simpleParser(raw);
      const match = new RegExp(`https?://\\S+?${path}\\S+`).exec(mail.text ?? '');
      if (match && raw.includes(to)) return t.path(match[0]);
    }
    throw new Error(`no ${path} link for ${to}`);
  }

  it('leaves the address in no table, no log line and no mail file', async () => {
    const logLines: string[] = [];
    t = await startSubscriptionApp(engine, {
      env: { SMTP_URL: undefined },
      log: pino({ level: 'trace' }, { write: (line: string) => logLines.push(line) }),
    });
    const post = (url: string, payload: string) =>
      t.app.inject({ method: 'POST', url, headers: form, payload });
    const address = 'Erase.Me+news@Example.com';
    await post('/subscribe', `email=${encodeURIComponent(address)}&form=hero`);
    await post('/subscribe', 'email=stays@example.com&form=hero');
    await t.deliver();
    await post(await linkInMailbox('/confirm/', 'Erase.Me'), '');
    await t.deliver();
    // A second request while confirmed, and a cross-site attempt, both leave traces to clean up.
    await post('/subscribe', `email=${encodeURIComponent(address)}&form=hero`);
    const manage = await linkInMailbox('/manage/', 'Erase.Me');
    await t.app.inject({
      method: 'POST',
      url: `${manage}/erase`,
      headers: { ...form, origin: 'https://evil.example' },
      payload: 'confirm=yes',
    });
    const needle = 'erase.me+news@example.com';
    expect(await tablesMentioning(needle)).not.toEqual([]);

    expect((await post(`${manage}/erase`, 'confirm=yes')).statusCode).toBe(200);

    expect(await tableNames()).toEqual(
      expect.arrayContaining(['subscribers', 'subscribe_requests', 'ledger_events']),
    );
    expect(await tablesMentioning(needle)).toEqual([]);
    expect(await tablesMentioning('stays@example.com')).toContain('subscribers');
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.filter((l) => l.toLowerCase().includes('erase.me'))).toEqual([]);
    const files = await mailFiles();
    expect(files.filter((f) => f.toLowerCase().includes('erase.me'))).toEqual([]);
    expect(files.some((f) => f.includes('stays@example.com'))).toBe(true);
  });
});
