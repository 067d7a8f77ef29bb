import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/run-cli.js';
import { copyOfFixtureContent } from './support/site-app.js';

const entry = fileURLToPath(new URL('./support/cli-entry.ts', import.meta.url));

/** The fixture's restore-drills note carries a script and an event handler on purpose. */
const fixtureWarnings = [
  'warning: notes/restore-drills.md:29: removed a <script> element: a note cannot run scripts (the page allows none)',
  'warning: notes/restore-drills.md:29: removed onclick from <p>, which a note cannot use',
];

function note(fields: string, body = '\nText.\n'): string {
  return `---\n${fields}\n---\n${body}`;
}

/** A loaded machine (two cores shared by many) can take tens of seconds to start each command. */
const slow = 120_000;

describe('errorbudget speaks plainly', { timeout: 4 * slow }, () => {
  it('prints the help and exits 0 when run with no command', async () => {
    const result = await runCli([], {}, slow);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^Usage: errorbudget \[options\] \[command\]\n/);
    expect(result.stdout).toContain('\nCommands:\n');
  });

  it('check lists every problem of every note in one run, counted one by one, in plain words', async () => {
    const dir = await copyOfFixtureContent();
    await writeFile(
      join(dir, 'notes/bad.md'),
      note(
        'title: Bad\nsummary: s\ndate: 2026-11-10 09:00\ntopics: [backup-recovry]\nupdated: 2026-11-01',
        '\nSee the chart.\n\n![chart](../images/missing.png)\n',
      ),
    );
    await writeFile(join(dir, 'notes/unclosed.md'), '---\ntitle: Unclosed\nsummary: s\n\nThe body.\n');
    await writeFile(
      join(dir, 'notes/quote.md'),
      note('title: "Half quoted\nsummary: s\ndate: 2026-11-10\ntopics: [backup-recovery]'),
    );
    await writeFile(
      join(dir, 'notes/shape.md'),
      note('title: Shape\nsummary: s\ndate: 2026-11-10\ntopics: {a: 1}\ndraft: yes please'),
    );
    const result = await runCli(['check', '--content', dir], {}, slow);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      [
        ...fixtureWarnings,
        'errorbudget: 7 problems in the content:',
        'notes/bad.md:5: unknown topic "backup-recovry"; did you mean "backup-recovery"?',
        'notes/bad.md:6: updated (2026-11-01T09:00:00.000Z) is earlier than date (2026-11-10T09:00:00.000Z); a revision comes after the note',
        'notes/bad.md:11: image "../images/missing.png" does not exist (looked for images/missing.png)',
        'notes/quote.md:2: invalid YAML: a " is opened but never closed',
        'notes/shape.md:5: topics must be a list such as [ai-workloads]',
        'notes/shape.md:6: draft must be true or false',
        'notes/unclosed.md:1: the front matter is not closed: add a line "---" after its last field',
        '',
      ].join('\n'),
    );
  });

  it('check names a site.yml section that is not a group of fields, without validator jargon', async () => {
    const dir = await copyOfFixtureContent();
    const site = join(dir, 'site.yml');
    const { readFile } = await import('node:fs/promises');
    const yaml = (await readFile(site, 'utf8')).replace(/^publish:\n(?: {2}.*\n)+/m, 'publish: friday\n');
    await writeFile(site, yaml);
    const line = yaml.split('\n').indexOf('publish: friday') + 1;
    const result = await runCli(['check', '--content', dir], {}, slow);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `errorbudget: 1 problem in the content:\nsite.yml:${line}: publish must be a group of indented fields\n`,
    );
  });

  it('check says what passed, lists scheduled notes with their times, and warns about removed HTML', async () => {
    const dir = await copyOfFixtureContent();
    await rm(join(dir, 'notes/next-week.md'));
    await writeFile(
      join(dir, 'notes/far.md'),
      note('title: Far ahead\nsummary: s\ndate: 2099-01-02\ntopics: [backup-recovery]\nnewsletter: false'),
    );
    await writeFile(
      join(dir, 'notes/later.md'),
      note(
        'title: Later\nsummary: s\ndate: 2098-07-03 10:30\ntopics: [backup-recovery]',
        '\n<form>Words</form>\n',
      ),
    );
    const result = await runCli(['check', '--content', dir], {}, slow);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      [
        'warning: notes/later.md:8: removed the <form> tag, which a note cannot use (its text stays)',
        ...fixtureWarnings,
        '',
      ].join('\n'),
    );
    expect(result.stdout).toBe(
      [
        'ok: 5 notes (1 draft, 2 scheduled), 7 topics, 3 warnings',
        'scheduled: 2098-07-03 10:30 Europe/London  notes/later.md  "Later"',
        'scheduled: 2099-01-02 09:00 Europe/London  notes/far.md  "Far ahead" (on the site only, not mailed)',
        '',
      ].join('\n'),
    );
  });

  it('says in every command’s --help which data directory and database it uses, without a password', async () => {
    const data = await mkdtemp(join(tmpdir(), 'eb-data-'));
    const serve = await runCli(['serve', '--help'], { DATA_DIR: data }, slow);
    const check = await runCli(['check', '--help'], { DATA_DIR: data }, slow);
    expect([serve.code, check.code]).toEqual([0, 0]);
    expect(serve.stdout).toContain(
      `\nData directory: ${data} (DATA_DIR)\nDatabase: sqlite:${data}/errorbudget.db (DATABASE_URL)\n`,
    );
    expect(check.stdout).toContain(
      `\nData directory: ${data} (DATA_DIR)\nDatabase: none (check does not use the database)\n`,
    );
    const pg = await runCli(
      ['outbox', '--help'],
      { DATA_DIR: data, DATABASE_URL: 'postgres://writer:s3cret@127.0.0.1:5432/site' },
      slow,
    );
    expect(pg.stdout).toContain('\nDatabase: postgres://writer:***@127.0.0.1:5432/site (DATABASE_URL)\n');
    expect(pg.stdout).not.toContain('s3cret');
  });

  it('stops quietly when the reader of its output goes away (errorbudget mailbox | head)', async () => {
    const data = await mkdtemp(join(tmpdir(), 'eb-data-'));
    await mkdir(join(data, 'mailbox'));
    // Far more than a pipe holds, so the command is still writing when head exits.
    await Promise.all(
      Array.from({ length: 1500 }, (_, index) =>
        writeFile(
          join(data, 'mailbox', `2026-11-26T10-00-00-000Z_${String(index).padStart(5, '0')}@example.com.eml`),
          `From: site@example.com\r\nTo: reader${index}@example.com\r\nSubject: Issue number ${index} of a newsletter with a long subject\r\nDate: Thu, 26 Nov 2026 10:00:00 +0000\r\n\r\nBody\r\n`,
        ),
      ),
    );
    const result = await new Promise<{ status: string; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(
        'bash',
        [
          '-c',
          `"${process.execPath}" --import tsx "${entry}" mailbox | head -n 1; echo "\${PIPESTATUS[0]}" >&2`,
        ],
        { env: { ...process.env, DATA_DIR: data, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
      });
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
      });
      child.on('close', () => resolve({ status: stderr.trim().split('\n').at(-1) ?? '', stdout, stderr }));
    });
    expect(result.stdout).toMatch(
      /^1500 {2}2026-11-26T10:00:00\.000Z {2}reader1499@example\.com {2}Issue number 1499/,
    );
    expect(result.stderr).toBe('0\n');
  });
});
