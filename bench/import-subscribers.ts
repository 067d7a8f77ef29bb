// Imports a generated Substack export of ROWS subscribers (default 1,000,000) with
// `errorbudget subscribers import` into a fresh SQLite database, and prints the rows per second and
// the peak memory of the importing process, next to the peak of a 1,000-row import: memory should
// not grow with the file. No network: everything is files in a temporary folder, removed at the end.
// Usage: npm run build && npx tsx bench/import-subscribers.ts   (ROWS=1000000; KEEP=1 keeps the files)
// The build is needed because the bench runs the installed command (bin/errorbudget.js → dist/).
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { cli } from './support.js';

const rows = Number(process.env.ROWS ?? 1_000_000);
const referenceRows = 1000;
const header = 'email,active_subscription,expiry,plan,email_disabled,created_at,first_payment_at\n';
const plans = ['', '', '', 'monthly', 'yearly', '"Founding, yearly"'];

/** Writes a Substack-like export, a thousand rows per chunk, at the pace the disk takes them. */
async function writeCsv(file: string, count: number): Promise<void> {
  async function* chunks() {
    yield header;
    const start = Date.UTC(2021, 0, 1);
    for (let from = 0; from < count; from += 1000) {
      let chunk = '';
      for (let i = from; i < Math.min(from + 1000, count); i++) {
        const plan = plans[i % plans.length];
        const paid = plan !== '';
        const created = new Date(start + i * 60_000).toISOString();
        chunk += `reader.${i}@example${i % 97}.com,${paid},${paid ? '2027-01-01' : ''},${plan},false,${created},${paid ? created.slice(0, 10) : ''}\n`;
      }
      yield chunk;
    }
  }
  await pipeline(Readable.from(chunks()), createWriteStream(file));
}

interface Measured {
  seconds: number;
  peakRssMb: number;
  stdout: string;
}

function status(pid: number): Promise<{ rss: number; hwm: number } | undefined> {
  return readFile(`/proc/${pid}/status`, 'utf8').then(
    (text) => ({
      rss: Number(/VmRSS:\s+(\d+) kB/.exec(text)?.[1] ?? 0),
      hwm: Number(/VmHWM:\s+(\d+) kB/.exec(text)?.[1] ?? 0),
    }),
    () => undefined,
  );
}

let running: ChildProcess | undefined;
process.on('exit', () => {
  if (running?.pid !== undefined && running.exitCode === null) process.kill(running.pid, 'SIGKILL');
});

/** Runs one import in its own data folder, sampling the child's memory every 100 ms. */
async function importOnce(dataDir: string, file: string): Promise<Measured> {
  const { DATABASE_URL: _ignored, ...env } = process.env;
  const started = performance.now();
  const child = spawn(process.execPath, [cli, 'subscribers', 'import', file, '--status', 'active'], {
    env: { ...env, DATA_DIR: dataDir, SECRET: 'x'.repeat(40) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  running = child;
  let stdout = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  let peakKb = 0;
  const sample = async () => {
    if (child.pid === undefined) return;
    const s = await status(child.pid);
    if (s) peakKb = Math.max(peakKb, s.rss, s.hwm);
  };
  const timer = setInterval(sample, 100);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    // 'exit' comes before the process is reaped: one last look at its high-water mark.
    child.on('exit', (exitCode) => {
      void sample().then(() => resolve(exitCode));
    });
  });
  clearInterval(timer);
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`errorbudget subscribers import exited ${code}: ${stdout}`);
  return { seconds, peakRssMb: peakKb / 1024, stdout: stdout.trim() };
}

const dir = await mkdtemp(join(tmpdir(), 'eb-import-bench-'));
try {
  const file = join(dir, 'substack.csv');
  const referenceFile = join(dir, 'reference.csv');
  const t = performance.now();
  await writeCsv(file, rows);
  await writeCsv(referenceFile, referenceRows);
  const csvMb = (await stat(file)).size / 2 ** 20;
  console.log(
    `generated ${rows} rows, ${csvMb.toFixed(1)} MB, in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );

  const reference = await importOnce(join(dir, 'data-reference'), referenceFile);
  const full = await importOnce(join(dir, 'data'), file);
  const expected = `imported ${rows}, skipped 0 duplicate(s), 0 bad row(s)`;
  if (full.stdout !== expected) throw new Error(`expected "${expected}", got "${full.stdout}"`);
  const database = (await stat(join(dir, 'data', 'errorbudget.db'))).size / 2 ** 20;

  console.log(`\n| rows | seconds | rows/s | peak RSS | database |\n| ---: | ---: | ---: | ---: | ---: |`);
  for (const [count, m, db] of [
    [referenceRows, reference, undefined],
    [rows, full, database],
  ] as const) {
    console.log(
      `| ${count.toLocaleString('en')} | ${m.seconds.toFixed(1)} | ${Math.round(count / m.seconds).toLocaleString('en')} | ${m.peakRssMb.toFixed(0)} MB | ${db === undefined ? '' : `${db.toFixed(0)} MB`} |`,
    );
  }
  console.log(`\n${full.stdout}`);
} finally {
  if (process.env.KEEP === '1') console.log(`kept ${dir}`);
  else await rm(dir, { recursive: true, force: true });
}
