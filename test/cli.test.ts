import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/run-cli.js';
import { copyOfFixtureContent, fixtureContent } from './support/site-app.js';

const entry = fileURLToPath(new URL('./support/cli-entry.ts', import.meta.url));

describe('errorbudget CLI', () => {
  it('lists every command in --help, and each command has its own --help', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const command of [
      'serve',
      'check',
      'new',
      'export',
      'migrate',
      'audit',
      'mailbox',
      'subscribers',
      'send',
      'issues',
      'pause',
      'resume',
      'cancel',
      'outbox',
      'worker',
      'backup',
      'restore',
      'admin',
    ]) {
      expect(help.stdout).toContain(command);
    }
    const commands = [...help.stdout.matchAll(/^ {2}([a-z]+) /gm)]
      .map((m) => m[1] ?? '')
      .filter((c) => c !== 'help');
    // Two at a time: seventeen processes one after another take longer than a test may; a loaded
    // machine needs ten seconds a process.
    for (let i = 0; i < commands.length; i += 2) {
      const pair = commands.slice(i, i + 2);
      const results = await Promise.all(pair.map((command) => runCli([command, '--help'])));
      results.forEach((own, k) => {
        expect(own.code, pair[k]).toBe(0);
        expect(own.stdout).toContain(`Usage: errorbudget ${pair[k]}`);
        expect(own.stdout).toMatch(
          /\nData directory: \/.+ \(DATA_DIR\)\nDatabase: (sqlite:\/.+ \(DATABASE_URL\)|none \([\w ]+ does not use the database\))\n/,
        );
      });
    }
  }, 300_000);

  it('check passes on good content', async () => {
    const dir = await copyOfFixtureContent();
    // Dated far ahead, so that the note stays scheduled whatever day the test runs.
    const scheduled = join(dir, 'notes/next-week.md');
    await writeFile(
      scheduled,
      (await readFile(scheduled, 'utf8')).replace(/^date: .*$/m, 'date: 2099-11-27T09:00:00+00:00'),
    );
    const result = await runCli(['check', '--content', dir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      'ok: 4 notes (1 draft, 1 scheduled), 7 topics, 2 warnings\n' +
        'scheduled: 2099-11-27 09:00 Europe/London  notes/next-week.md  "A note scheduled for next week"\n',
    );
  });

  it('check exits 1 naming the file, line and field of every problem, with no stack trace', async () => {
    const dir = await copyOfFixtureContent();
    await writeFile(
      join(dir, 'notes/bad.md'),
      '---\ntitle: Bad\nsummary: s\ndate: 2026-01-01\ntopics: [nope]\n---\n',
    );
    const result = await runCli(['check', '--content', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'errorbudget: 1 problem in the content:\nnotes/bad.md:5: unknown topic "nope"; site.yml has: ai-workloads,',
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('serve refuses to start on bad content', async () => {
    const dir = await copyOfFixtureContent();
    await writeFile(join(dir, 'notes/bad.md'), '---\ntitle: [\n---\n');
    const result = await runCli(['serve', '--content', dir, '--port', '0'], {
      DATA_DIR: await mkdtemp(join(tmpdir(), 'eb-data-')),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^errorbudget: not starting: 1 problem in the content:\nnotes\/bad\.md:2: invalid YAML: a list opened with "\[" is not closed with "\]" on the same line\n$/,
    );
  });

  it('serve starts, says where, and answers on that port', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', entry, 'serve', '--content', fixtureContent, '--port', '0'],
      {
        env: { ...process.env, DATA_DIR: await mkdtemp(join(tmpdir(), 'eb-data-')), LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk) => {
          out += chunk;
          const match = /serving the error budget at (http:\/\/[\d.]+:\d+)/.exec(out);
          if (match?.[1]) resolve(match[1]);
        });
        child.on('close', () => reject(new Error(`serve exited: ${out}`)));
      });
      const response = await fetch(`${url}/notes/restore-drills`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('Restore drills');
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('new creates a draft dated the next publish slot, named from the title', async () => {
    const dir = await copyOfFixtureContent();
    const result = await runCli([
      'new',
      'Why RAID-5 on ESA is different',
      '--topic',
      'vmware-vsan',
      '--content',
      dir,
    ]);
    expect(result.code).toBe(0);
    const source = await readFile(join(dir, 'notes/why-raid-5-on-esa-is-different.md'), 'utf8');
    expect(source).toMatch(/^---\ntitle: Why RAID-5 on ESA is different\n/);
    expect(source).toContain('draft: true');
    expect(source).toMatch(/date: "?\d{4}-\d{2}-\d{2}T09:00:00\+0[01]:00"?/);
    expect(new Date(/date: "?([^"\n]+)/.exec(source)?.[1] ?? '').getUTCDay()).toBe(5);
    expect((await runCli(['check', '--content', dir])).code).toBe(0);
    const again = await runCli(['new', 'Why RAID-5 on ESA is different', '--content', dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
  });

  it('export writes the static site', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'eb-out-')), 'site');
    const result = await runCli(['export', out, '--content', fixtureContent], {
      DATA_DIR: await mkdtemp(join(tmpdir(), 'eb-data-')),
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^wrote \d+ files \(2 notes\)/);
    expect(await readFile(join(out, 'notes/restore-drills.html'), 'utf8')).toContain('<h1>Restore drills');
  });
});
