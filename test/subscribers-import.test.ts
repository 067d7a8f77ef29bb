import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyLedger } from '../src/ledger/ledger.js';
import { exportSubscribers } from '../src/subscriptions/export-subscribers.js';
import {
  type ImportOptions,
  type ImportStatus,
  importSubscribers,
} from '../src/subscriptions/import-subscribers.js';
import { Keys, newSubscriberKey } from '../src/subscriptions/tokens.js';
import { UserError } from '../src/user-error.js';
import { createTestDatabase, engines, type TestDatabase } from './support/databases.js';
import { FakeClock } from './support/fake-clock.js';
import { runCli } from './support/run-cli.js';
import { testSecret } from './support/subscription-app.js';

const keys = new Keys(testSecret);
const startedAt = '2026-11-25T10:00:00.000Z';

const substack = [
  'email,active_subscription,expiry,plan,email_disabled,created_at,first_payment_at',
  'ada@example.com,false,,,false,2024-01-02T03:04:05.000Z,',
  '"grace@example.org","true","2025-01-01","Founding, yearly",false,2024-02-03T00:00:00.000Z,2024-02-03',
  'not-an-address,false,,,false,2024-03-04T00:00:00.000Z,',
  'Ada@Example.COM,false,,,false,2024-04-05T00:00:00.000Z,',
  'linus@example.net,false,,,false,2024-05-06T00:00:00.000Z,',
  'already@example.com,false,,,false,2024-06-07T00:00:00.000Z,',
  '',
].join('\n');

/** Mailchimp writes CRLF, quotes freely, and lets notes run over several lines. */
const mailchimp = [
  '"Email Address","First Name","Last Name","Notes"',
  '"mae@example.com","Mae","Jemison, PhD",""',
  '"ken@example.com","Ken","Thompson","line one\r\nline two\r\nline three"',
  '"dennis@@example.com","Dennis","Ritchie",""',
  '"barbara@example.com","Barbara","Liskov",""',
  '',
].join('\r\n');

/** Hands the text over in small pieces, as a file read would, to cross every boundary. */
function chunked(text: string, size = 7): Readable {
  const pieces: Buffer[] = [];
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.subarray(i, i + size));
  return Readable.from(pieces);
}

describe.each(engines)('subscriber import and export on %s', (engine) => {
  let t: TestDatabase;
  let clock: FakeClock;
  beforeEach(async () => {
    t = await createTestDatabase(engine);
    clock = new FakeClock(startedAt);
  });
  afterEach(async () => t.drop());

  const run = (
    text: string,
    source: string,
    status: ImportStatus = 'active',
    extra: Partial<ImportOptions> = {},
  ) => importSubscribers({ db: t.db, keys, clock, input: chunked(text), source, status, ...extra });
  const subscribers = () =>
    t.db.kysely.selectFrom('subscribers').selectAll().orderBy('id').execute() as Promise<
      { email: string; status: string; source: string; confirmed_at: string | null; email_hmac: string }[]
    >;
  const ledger = () => t.db.kysely.selectFrom('ledger_events').selectAll().orderBy('seq').execute();

  async function addExisting(email: string, status: 'active' | 'unsubscribed') {
    await t.db.kysely
      .insertInto('subscribers')
      .values({
        key: newSubscriberKey(),
        email,
        email_hmac: keys.emailHmac(email),
        status,
        source: 'hero',
        created_at: '2025-01-01T00:00:00.000Z',
        updated_at: '2025-01-01T00:00:00.000Z',
        unsubscribed_at: status === 'unsubscribed' ? '2025-06-01T00:00:00.000Z' : null,
      })
      .execute();
  }

  it('imports a Substack export: bad rows by line, duplicates counted, present addresses left alone', async () => {
    await addExisting('already@example.com', 'unsubscribed');
    const progress: [number, number][] = [];
    const report = await run(substack, '/somewhere/substack.csv', 'active', {
      onProgress: (rows, bytes) => progress.push([rows, bytes]),
    });
    expect(report).toEqual({
      imported: 3,
      duplicates: 2,
      bad: [{ line: 4, problem: expect.stringMatching(/^"not-an-address": .*exactly one @/) }],
      badCount: 1,
    });
    expect(progress.at(-1)).toEqual([6, Buffer.byteLength(substack)]);

    const rows = await subscribers();
    expect(rows.map((r) => [r.email, r.status, r.source])).toEqual([
      ['already@example.com', 'unsubscribed', 'hero'],
      ['ada@example.com', 'active', 'import:substack.csv'],
      ['grace@example.org', 'active', 'import:substack.csv'],
      ['linus@example.net', 'active', 'import:substack.csv'],
    ]);
    expect(rows.slice(1).every((r) => r.confirmed_at === startedAt)).toBe(true);

    const events = await ledger();
    expect(events.map((e) => [e.kind, e.email_hmac, JSON.parse(e.detail)])).toEqual(
      rows.slice(1).map((r) => ['imported', r.email_hmac, { source: 'substack.csv', status: 'active' }]),
    );
    expect(events.every((e) => e.at === startedAt && e.proof === null)).toBe(true);
    expect(await verifyLedger(t.db.kysely)).toMatchObject({ ok: true, events: 3 });

    clock.advance(60_000);
    const again = await run(substack, '/somewhere/substack.csv');
    expect(again).toMatchObject({ imported: 0, duplicates: 5, badCount: 1 });
    expect(await subscribers()).toHaveLength(4);
    expect(await verifyLedger(t.db.kysely)).toMatchObject({ ok: true, events: 3 });
  });

  it('imports a Mailchimp export as pending, with exact lines after a multi-line CRLF field', async () => {
    const report = await run(mailchimp, 'members_export.csv', 'pending');
    expect(report).toEqual({
      imported: 3,
      duplicates: 0,
      bad: [{ line: 6, problem: expect.stringContaining('"dennis@@example.com"') }],
      badCount: 1,
    });
    const rows = await subscribers();
    expect(rows.map((r) => [r.email, r.status, r.confirmed_at])).toEqual([
      ['mae@example.com', 'pending', null],
      ['ken@example.com', 'pending', null],
      ['barbara@example.com', 'pending', null],
    ]);
    const events = await ledger();
    expect(events.map((e) => JSON.parse(e.detail))).toEqual(
      Array(3).fill({ source: 'members_export.csv', status: 'pending' }),
    );
  });

  it('finds the email column by name in any case, or as told, and says which columns it saw', async () => {
    expect(await run('Name,E-Mail\nAnn,ann@example.com\n', 'a.csv')).toMatchObject({ imported: 1 });
    expect(
      await run('name,contact,mail\nBo,bo@example.com,x\n', 'b.csv', 'active', { emailColumn: 'CONTACT' }),
    ).toMatchObject({ imported: 1, badCount: 0 });

    const missing = run('name,address\nAnn,ann@example.com\n', 'exports/people.csv');
    await expect(missing).rejects.toBeInstanceOf(UserError);
    await expect(missing).rejects.toThrow(
      /^exports\/people\.csv: has no email column: its header has "name", "address", .*--email-column/,
    );
    await expect(run('email,name\n', 'c.csv', 'active', { emailColumn: 'Contact' })).rejects.toThrow(
      'c.csv: has no column "Contact": its header has "email", "name"',
    );
    await expect(run('', 'empty.csv')).rejects.toThrow(/^empty\.csv: is empty/);
    expect(await subscribers()).toHaveLength(2);
  });

  it('reports rows the export marks as having left, and imports none of them', async () => {
    const ghost = [
      'id,email,name,note,subscribed_to_emails,complimentary_plan,stripe_customer_id,created_at',
      '1,stays@example.com,Stays,,true,false,,2024-01-01T00:00:00.000Z',
      '2,left@example.com,Left,,false,false,,2024-01-01T00:00:00.000Z',
      '3,,Nobody,,true,false,,2024-01-01T00:00:00.000Z',
      '4',
    ].join('\n');
    const report = await run(ghost, 'ghost.csv');
    expect(report.imported).toBe(1);
    expect(report.bad).toEqual([
      { line: 3, problem: expect.stringMatching(/left@example\.com .*subscribed_to_emails=false/) },
      { line: 4, problem: 'has an empty email column' },
      { line: 5, problem: expect.stringMatching(/^has 1 field\(s\) and no email column/) },
    ]);
    expect((await subscribers()).map((r) => r.email)).toEqual(['stays@example.com']);
  });

  it('stops at a quote that is never closed, keeping the rows before it', async () => {
    const report = await run('email,name\na@example.com,A\nb@example.com,"B\nc@example.com,C\n', 'q.csv');
    expect(report).toEqual({
      imported: 1,
      duplicates: 0,
      bad: [{ line: 3, problem: expect.stringMatching(/never closed/) }],
      badCount: 1,
    });
  });

  it('imports across batches, counts duplicates between them, and keeps only the first 1000 bad rows', async () => {
    const lines = ['email'];
    for (let i = 0; i < 1200; i++) lines.push(`reader${i}@example.com`);
    for (let i = 0; i < 1200; i += 100) lines.push(`READER${i}@example.com`);
    for (let i = 0; i < 1005; i++) lines.push(`broken${i}`);
    const report = await run(`${lines.join('\n')}\n`, 'big.csv');
    expect(report.imported).toBe(1200);
    expect(report.duplicates).toBe(12);
    expect(report.badCount).toBe(1005);
    expect(report.bad).toHaveLength(1000);
    expect(report.bad[0]).toMatchObject({ line: 1214 });
    expect(report.bad[999]).toMatchObject({ line: 2213 });
    expect(await verifyLedger(t.db.kysely, 500)).toMatchObject({ ok: true, events: 1200 });
  });

  it('exports every subscriber in id order, and the CSV parses back', async () => {
    await addExisting('first@example.com', 'unsubscribed');
    await run(substack, 'substack.csv', 'pending');
    const lines = ['email'];
    for (let i = 0; i < 1500; i++) lines.push(`many${i}@example.com`);
    await run(lines.join('\n'), 'many.csv', 'active');

    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (chunk: Buffer) => chunks.push(chunk));
    const pages: number[] = [];
    const count = await exportSubscribers({ db: t.db, output: sink, onProgress: (n) => pages.push(n) });
    expect(count).toBe(1505);
    expect(pages).toEqual([1000, 1505]);

    const text = Buffer.concat(chunks).toString('utf8');
    expect(text.split('\n', 1)[0]).toBe('email,status,source,created_at,confirmed_at,unsubscribed_at');
    const records = parse(text, { columns: true }) as Record<string, string>[];
    expect(records).toHaveLength(1505);
    expect(records.slice(0, 3)).toEqual([
      {
        email: 'first@example.com',
        status: 'unsubscribed',
        source: 'hero',
        created_at: '2025-01-01T00:00:00.000Z',
        confirmed_at: '',
        unsubscribed_at: '2025-06-01T00:00:00.000Z',
      },
      {
        email: 'ada@example.com',
        status: 'pending',
        source: 'import:substack.csv',
        created_at: startedAt,
        confirmed_at: '',
        unsubscribed_at: '',
      },
      expect.objectContaining({ email: 'grace@example.org' }),
    ]);
    expect(records.at(-1)).toMatchObject({ email: 'many1499@example.com', status: 'active' });

    // What was exported imports again as nothing new; the person who left is reported as such.
    expect(await run(text, 'export.csv')).toMatchObject({
      imported: 0,
      duplicates: 1504,
      bad: [{ line: 2, problem: expect.stringMatching(/first@example\.com .*status=unsubscribed/) }],
    });
  });
});

describe('errorbudget subscribers', () => {
  async function setUp() {
    const dir = await mkdtemp(join(tmpdir(), 'eb-subscribers-'));
    const env = { DATA_DIR: dir, DATABASE_URL: `sqlite:${dir}/x.db`, SECRET: 'x'.repeat(40) };
    return { dir, env };
  }

  it('imports a file, prints a summary, lists bad rows, and exports to a file or stdout', async () => {
    const { dir, env } = await setUp();
    const file = join(dir, 'substack.csv');
    await writeFile(file, substack);

    const first = await runCli(['subscribers', 'import', file, '--status', 'active'], env);
    expect(first).toMatchObject({
      code: 0,
      stdout: 'imported 4, skipped 1 duplicate(s), 1 bad row(s)\n',
    });
    expect(first.stderr).toMatch(new RegExp(`^${file}:4: "not-an-address": .*\\n$`));

    const second = await runCli(['subscribers', 'import', file], env);
    expect(second.stdout).toBe('imported 0, skipped 5 duplicate(s), 1 bad row(s)\n');

    const out = join(dir, 'out.csv');
    const exported = await runCli(['subscribers', 'export', out], env);
    expect(exported).toMatchObject({ code: 0, stdout: `exported 4 subscriber(s) to ${out}\n`, stderr: '' });
    expect(
      (parse(await readFile(out, 'utf8'), { columns: true }) as { email: string }[]).map((r) => r.email),
    ).toEqual(['ada@example.com', 'grace@example.org', 'linus@example.net', 'already@example.com']);

    const toStdout = await runCli(['subscribers', 'export'], env);
    expect(toStdout.code).toBe(0);
    expect(toStdout.stdout).toBe(await readFile(out, 'utf8'));
  });

  it('exits 1 with one line for a missing file or one without an email column', async () => {
    const { dir, env } = await setUp();
    const missing = await runCli(['subscribers', 'import', 'missing.csv'], env);
    expect(missing).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'errorbudget: missing.csv: no such file\n',
    });

    await writeFile(join(dir, 'no-email.csv'), 'name,phone\nAnn,123\n');
    const noEmail = await runCli(['subscribers', 'import', join(dir, 'no-email.csv')], env);
    expect(noEmail.code).toBe(1);
    expect(noEmail.stderr).toMatch(/^errorbudget: .*no-email\.csv: has no email column: .*\n$/);
    expect(noEmail.stderr.split('\n')).toHaveLength(2);
  });

  it('has --help for both subcommands', async () => {
    for (const command of ['import', 'export']) {
      const help = await runCli(['subscribers', command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: errorbudget subscribers ${command}`);
    }
  });
});
