// What errorbudget leaves on disk is its owner's alone: the data folder 0700 and the database (with its
// -wal and -shm), the mailbox, the secret, the ledger checkpoints and subscriber exports 0600, whatever
// the umask of the process; a data folder or database found open to others is narrowed, with a note.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './support/run-cli.js';
import { stopped } from './support/serve-process.js';
import { fixtureContent } from './support/site-app.js';

const entry = fileURLToPath(new URL('./support/cli-entry.ts', import.meta.url));
const modeOf = async (path: string) => `0${((await stat(path)).mode & 0o777).toString(8)}`;

/** `errorbudget ARGS` under umask 000, the loosest a process can have: every mode below is our own doing. */
function underUmask000(args: string[], env: Record<string, string>) {
  return spawn(
    '/bin/sh',
    ['-c', 'umask 000; exec "$@"', 'sh', process.execPath, '--import', 'tsx', entry, ...args],
    { env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

function serving(child: ChildProcess): Promise<{ url: string; output: () => string }> {
  let out = '';
  return new Promise((resolve, reject) => {
    const collect = (chunk: Buffer) => {
      out += chunk;
      const match = /serving .+? at (http:\/\/[\d.]+:\d+)/.exec(out);
      if (match?.[1]) resolve({ url: match[1], output: () => out });
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.on('close', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
}

async function until<T>(what: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await what();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const children: ChildProcess[] = [];
afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => stopped(child, 'SIGKILL')));
});

describe('privacy on disk', () => {
  it('creates the data folder 0700 and the database, mailbox, secret and checkpoints 0600 under umask 000', async () => {
    const dataDir = join(await mkdtemp(join(tmpdir(), 'eb-disk-')), 'data');
    const child = underUmask000(['serve', '--port', '0', '--no-watch', '--content', fixtureContent], {
      DATA_DIR: dataDir,
    });
    children.push(child);
    const { url } = await serving(child);
    const answer = await fetch(`${url}/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=reader%40example.com&form=hero',
      redirect: 'manual',
    });
    expect(answer.status).toBe(303);
    const mailbox = join(dataDir, 'mailbox');
    const [mail] = await until(async () => {
      const files = (await readdir(mailbox).catch(() => [])).filter((f) => f.endsWith('.eml'));
      return files.length > 0 ? files : undefined;
    });
    // The render cache is written behind the first answer.
    const cache = await until(() => modeOf(join(dataDir, 'cache')).catch(() => undefined));
    const db = join(dataDir, 'errorbudget.db');
    // While the server runs, SQLite's write-ahead log and shared-memory index exist beside the database.
    expect({
      data: await modeOf(dataDir),
      database: await modeOf(db),
      wal: await modeOf(`${db}-wal`),
      shm: await modeOf(`${db}-shm`),
      secret: await modeOf(join(dataDir, 'secret')),
      mailbox: await modeOf(mailbox),
      mail: await modeOf(join(mailbox, mail as string)),
      cache,
    }).toEqual({
      data: '0700',
      database: '0600',
      wal: '0600',
      shm: '0600',
      secret: '0600',
      mailbox: '0700',
      mail: '0600',
      cache: '0700',
    });
    await stopped(child, 'SIGTERM');
    // The last checkpoint of the ledger's head is written as the process stops.
    expect(await modeOf(join(dataDir, 'ledger-checkpoints'))).toBe('0600');

    const exported = join(dataDir, '..', 'subscribers.csv');
    const exporting = underUmask000(['subscribers', 'export', exported], { DATA_DIR: dataDir });
    children.push(exporting);
    await new Promise((resolve) => exporting.on('close', resolve));
    expect(exporting.exitCode).toBe(0);
    expect(await modeOf(exported)).toBe('0600');
  }, 240_000);

  it('narrows a data folder and database open to other users, saying so in one line each', async () => {
    const dataDir = join(await mkdtemp(join(tmpdir(), 'eb-disk-')), 'data');
    await mkdir(dataDir);
    expect((await runCli(['migrate'], { DATA_DIR: dataDir }, 120_000)).code).toBe(0);
    const db = join(dataDir, 'errorbudget.db');
    await chmod(dataDir, 0o755);
    await chmod(db, 0o644);
    await chmod(join(dataDir, 'secret'), 0o640);

    const again = await runCli(['migrate'], { DATA_DIR: dataDir }, 120_000);
    expect(again.code).toBe(0);
    expect(again.stderr).toBe(
      [
        `errorbudget: ${dataDir} was open to other users (0755); it is now 0700`,
        `errorbudget: ${db} was open to other users (0644); it is now 0600`,
        `errorbudget: ${join(dataDir, 'secret')} was open to other users (0640); it is now 0600`,
        '',
      ].join('\n'),
    );
    expect([await modeOf(dataDir), await modeOf(db), await modeOf(join(dataDir, 'secret'))]).toEqual([
      '0700',
      '0600',
      '0600',
    ]);
    // Once narrowed, nothing more is said.
    expect((await runCli(['migrate'], { DATA_DIR: dataDir }, 120_000)).stderr).toBe('');
  }, 240_000);
});
