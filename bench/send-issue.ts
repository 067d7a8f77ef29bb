// Mails an issue of a real note (the newest in content/) to COUNT readers with `errorbudget send <slug>
// --now` into Postfix's smtp-sink, without and with DKIM (RSA-2048), next to smtp-source sending COUNT
// mails of the same size over the same number of connections into the same sink, round after round
// (one sink per round, the three runs back to back). Prints msgs/s and the ratio to smtp-source per
// round, the sender's CPU per mail and peak RSS, the sink's CPU per mail, and the CPU arithmetic of DKIM.
// The sender samples itself (bench/memory-sampler.mjs): its memory when sending began, at the highest
// sample and at the end is split into file pages (node's binary), V8's spaces and native (malloc, buffers).
// MILLION=1 mails one issue to READERS readers from SQLite instead, its RSS sampled every second, next
// to a COUNT-reader send (memory must not grow with the readers) and smtp-source.
// Usage: npm run build && npx tsx bench/send-issue.ts   (ROUNDS=3 COUNT=100000 POOL=8 NOTE=<slug> KEEP=1)
//        npm run build && MILLION=1 npx tsx bench/send-issue.ts   (READERS=1000000 COUNT=100000 DKIM=1)
// The build is needed because the bench runs the installed command (bin/errorbudget.js → dist/); it runs a
// copy taken at start, so a rebuild during the run cannot mix two builds. APP=<folder> runs another build
// (a folder holding bin/, dist/, package.json, assets/ and node_modules/, e.g. a `git archive` of a commit).
// Needs /usr/sbin/smtp-sink and /usr/sbin/smtp-source (Debian's postfix package) and /usr/bin/time; no
// Postfix daemon is started. Everything listens on 127.0.0.1; every process started is ended by PID.
import { spawn } from 'node:child_process';
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { closeSync, existsSync, openSync, rmSync } from 'node:fs';
import {
  cp,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  realpath,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { connect } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import {
  forget,
  freePort,
  type Measured,
  median,
  type ProcSample,
  procSample,
  root,
  run,
  runMeasured,
  stop,
  stopOnExit,
} from './support.js';

const million = process.env.MILLION === '1';
const rounds = million ? 1 : Number(process.env.ROUNDS ?? 3);
const count = Number(process.env.COUNT ?? 100_000);
const readers = Number(process.env.READERS ?? 1_000_000);
const pool = Number(process.env.POOL ?? 8);
const millionWithDkim = process.env.DKIM === '1';
const sampleMs = million ? 1000 : 250;
const app = process.env.APP ?? root;
const sinkBin = '/usr/sbin/smtp-sink';
const sourceBin = '/usr/sbin/smtp-source';
const siteUrl = 'https://errorbudget.example';
const dkimDomain = 'errorbudget.example';
const dkimSelector = 'bench';
const secret = 'bench-secret-not-for-production-0123456789';
// A reader confirmed long before the issue; the issue's snapshot takes every one of them.
const createdAt = '2026-01-01T00:00:00.000Z';
const confirmedAt = '2026-01-01T00:00:01.000Z';

process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mb = (kb: number) => kb / 1024;
const range = (values: number[], digits = 0) =>
  `${fmt(median(values), digits)} [${fmt(Math.min(...values), digits)}–${fmt(Math.max(...values), digits)}]`;

for (const file of [sinkBin, sourceBin, '/usr/bin/time']) {
  if (!existsSync(file)) throw new Error(`${file} is missing: apt-get install -y postfix time`);
}
if (!existsSync(join(app, 'dist', 'cli', 'main.js')))
  throw new Error(`${app}/dist is missing: npm run build`);

/** The command as installed (bin/, dist/, package.json; assets/ and node_modules/ linked), copied now. */
async function copyOfApp(): Promise<string> {
  const copy = join(work, 'app');
  await mkdir(copy);
  for (const part of ['bin', 'dist', 'package.json'])
    await cp(join(app, part), join(copy, part), { recursive: true });
  for (const part of ['assets', 'node_modules'])
    await symlink(await realpath(join(app, part)), join(copy, part));
  return join(copy, 'bin', 'errorbudget.js');
}

let cli = '';

/** The newest published note (slug from `slug:` or the file name), as `send` would mail it. */
async function newestNote(): Promise<string> {
  if (process.env.NOTE) return process.env.NOTE;
  const dir = join(root, 'content', 'notes');
  let best: { slug: string; date: number } | undefined;
  for (const file of await readdir(dir)) {
    if (!file.endsWith('.md') || file.startsWith('.')) continue;
    const front = /^---\r?\n([\s\S]*?)\r?\n---/.exec(await readFile(join(dir, file), 'utf8'))?.[1] ?? '';
    if (/^draft:\s*true\s*$/m.test(front)) continue;
    const date = Date.parse(/^date:\s*["']?([^"'\n]+)/m.exec(front)?.[1] ?? '');
    if (Number.isNaN(date) || date > Date.now()) continue;
    const slug = /^slug:\s*["']?([^"'\s]+)/m.exec(front)?.[1] ?? file.slice(0, -3);
    if (!best || date > best.date) best = { slug, date };
  }
  if (!best) throw new Error(`no published note in ${dir}`);
  return best.slug;
}

// The child gets our environment minus errorbudget's own settings (and no .env: it runs in `work`).
const settings =
  /^(PORT|HOST|SITE_URL|DATA_DIR|CONTENT_DIR|DATABASE_URL|SMTP_URL|MAIL_FROM|SECRET|SUBSCRIBE_RATE_LIMIT|TRUST_PROXY|SMTP_POOL|SEND_RATE|LEASE_SECONDS|DKIM_\w+|BOUNCE_\w+|LOG_LEVEL|NODE_OPTIONS)$/;
const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !settings.test(name)));

interface Folder {
  name: string;
  dataDir: string;
  readers: number;
  env: NodeJS.ProcessEnv;
}

function folder(name: string, readerCount: number, extra: Record<string, string> = {}): Folder {
  const dataDir = join(work, name);
  return {
    name,
    dataDir,
    readers: readerCount,
    env: {
      ...baseEnv,
      DATA_DIR: dataDir,
      CONTENT_DIR: join(root, 'content'),
      SITE_URL: siteUrl,
      SECRET: secret,
      SMTP_POOL: String(pool),
      LOG_LEVEL: 'warn',
      ...extra,
    },
  };
}

const database = (f: Folder) => join(f.dataDir, 'errorbudget.db');

/** Migrations by the command itself, then the readers in one statement, and the probe's render cache. */
async function prepare(f: Folder, renderCache?: string): Promise<void> {
  const t = performance.now();
  await mkdir(f.dataDir, { recursive: true });
  await run(process.execPath, [cli, 'migrate'], { env: f.env, cwd: work });
  const db = new Database(database(f));
  db.prepare(
    `with recursive n(i) as (select 1 union all select i + 1 from n where i < ?)
     insert into subscribers (key, email, email_hmac, status, source, created_at, updated_at, confirmed_at)
     select 'b' || printf('%021d', i), 'reader' || i || '@example.com', printf('%064x', i), 'active', 'bench', ?, ?, ?
     from n`,
  ).run(f.readers, createdAt, createdAt, confirmedAt);
  db.exec('pragma wal_checkpoint(TRUNCATE)');
  db.close();
  // A running site has its notes rendered already: `send` starts warm, as it would after `serve`.
  if (renderCache) await cp(renderCache, join(f.dataDir, 'cache'), { recursive: true });
  const size = (await stat(database(f))).size / 2 ** 20;
  console.log(
    `prepared ${f.name}: ${fmt(f.readers)} active readers, ${fmt(size)} MB database, ${fmt((performance.now() - t) / 1000, 1)} s`,
  );
}

/** Forgets the issue so the next run sends it again from scratch; the readers stay. */
function resetIssue(f: Folder): void {
  const db = new Database(database(f));
  db.exec(`delete from issue_exceptions; delete from issue_batches; delete from issues;
    pragma wal_checkpoint(TRUNCATE);`);
  db.close();
}

interface Sink {
  port: number;
  pid: number;
  messages(): Promise<number>;
  cpuSeconds(): Promise<number>;
  stop(): Promise<void>;
}

let sinks = 0;

/** smtp-sink with running counters (-c) into a file; as root it must drop to a user (-u nobody). */
async function startSink(): Promise<Sink> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const out = join(work, `sink-${++sinks}.out`);
    const fd = openSync(out, 'w');
    const asRoot = process.getuid?.() === 0 ? ['-u', 'nobody'] : [];
    const child = spawn(sinkBin, [...asRoot, '-c', `127.0.0.1:${port}`, '256'], {
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    stopOnExit(child.pid);
    const end = async () => {
      await stop(child);
      forget(child.pid);
    };
    if (child.pid !== undefined && (await listening(port))) {
      const pid = child.pid;
      return {
        port,
        pid,
        async messages() {
          const text = await readFile(out, 'latin1');
          return Number([...text.matchAll(/mesg=(\d+)/g)].at(-1)?.[1] ?? 0);
        },
        async cpuSeconds() {
          return (await procSample(pid))?.cpuSeconds ?? Number.NaN;
        },
        stop: end,
      };
    }
    await end();
    if (attempt === 3) throw new Error(`smtp-sink did not start: ${await readFile(out, 'utf8')}`);
  }
}

async function listening(port: number): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

/** The sink's counter is written when "." arrives; give it a moment to reach the file. */
async function expectReceived(sink: Sink, before: number, expected: number, what: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    if ((await sink.messages()) - before >= expected) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const received = (await sink.messages()) - before;
  if (received !== expected) throw new Error(`${what}: the sink received ${received} mails, not ${expected}`);
}

type Variant = 'smtp-source' | 'errorbudget' | 'errorbudget + DKIM';

interface Result {
  variant: Variant;
  round: number;
  mails: number;
  /** Sending only: smtp-source's whole run; for errorbudget from the issue's snapshot to its end. */
  seconds: number;
  msgsPerSecond: number;
  /** The whole command, start-up (content, database) included. */
  wholeSeconds: number;
  wholeMsgsPerSecond: number;
  ratio?: number;
  wholeRatio?: number;
  /** Sender CPU (all threads) while sending, per mail. */
  cpuMicros: number;
  cpuPercent: number;
  startupSeconds?: number;
  startupCpuSeconds?: number;
  peakRssMb: number;
  rssAtStartMb?: number;
  secondHalfRssMb?: number[];
  timeline?: { at: number; rssMb: number }[];
  /** Where the resident memory was when sending began, at its highest sample, and at the end. */
  memory?: { start: MemorySample; peak: MemorySample; end: MemorySample };
  sinkMicros: number;
  load: number;
}

/** One line of bench/memory-sampler.mjs, written by the measured process itself. */
interface MemorySample {
  t: number;
  rssKb: number;
  fileKb: number;
  anonKb: number;
  v8Kb: number;
  nativeKb: number;
  heapUsedKb: number;
  externalKb: number;
  arrayBuffersKb: number;
  spaces: Record<string, number>;
}

const sampler = join(root, 'bench', 'memory-sampler.mjs');
let memoryFiles = 0;

async function memorySamples(file: string, from: number): Promise<Result['memory']> {
  const lines = (await readFile(file, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean);
  const samples = lines.map((line) => JSON.parse(line) as MemorySample);
  const [first] = samples;
  if (!first) return undefined;
  const nearest = samples.reduce((best, s) => (Math.abs(s.t - from) < Math.abs(best.t - from) ? s : best));
  const peak = samples.reduce((best, s) => (s.rssKb > best.rssKb ? s : best));
  return { start: nearest, peak, end: samples.at(-1) ?? first };
}

/** "rss 147 = file 54 + V8 70 (new 32, old 34, …) + native 23 MB (buffers 4)". */
function describeMemory(s: MemorySample): string {
  const spaces = Object.entries(s.spaces)
    .filter(([, kb]) => kb >= 1024)
    .map(([name, kb]) => `${name} ${fmt(mb(kb))}`)
    .join(', ');
  return `RSS ${fmt(mb(s.rssKb))} = files ${fmt(mb(s.fileKb))} + V8 ${fmt(mb(s.v8Kb))} (${spaces}; ${fmt(mb(s.heapUsedKb))} used) + native ${fmt(mb(s.nativeKb))} (of it buffers ${fmt(mb(s.arrayBuffersKb))})`;
}

let timeFiles = 0;
const timeFile = () => join(work, `time-${++timeFiles}.txt`);

async function smtpSource(sink: Sink, round: number, mails: number, size: number): Promise<Result> {
  const before = await sink.messages();
  const sinkCpu = await sink.cpuSeconds();
  const load = loadavg()[0] ?? 0;
  const args = ['-s', String(pool), '-d', '-m', String(mails), '-l', String(size)];
  const m = await runMeasured(
    sourceBin,
    [...args, '-f', 'bench@errorbudget.example', '-t', 'reader@example.com', `127.0.0.1:${sink.port}`],
    { env: baseEnv, cwd: work, sampleMs: 1000, timeFile: timeFile() },
  );
  if (m.code !== 0) throw new Error(`smtp-source exited ${m.code}: ${m.stderr}`);
  await expectReceived(sink, before, mails, 'smtp-source');
  const cpu = m.userSeconds + m.systemSeconds;
  return {
    variant: 'smtp-source',
    round,
    mails,
    seconds: m.wallSeconds,
    msgsPerSecond: mails / m.wallSeconds,
    wholeSeconds: m.wallSeconds,
    wholeMsgsPerSecond: mails / m.wallSeconds,
    cpuMicros: (cpu / mails) * 1e6,
    cpuPercent: (cpu / m.wallSeconds) * 100,
    peakRssMb: mb(m.maxRssKb),
    sinkMicros: (((await sink.cpuSeconds()) - sinkCpu) / mails) * 1e6,
    load,
  };
}

/** Linear between samples; the process had used no CPU when it was spawned. */
function cpuAt(m: Measured, t: number): number {
  let previous: Pick<ProcSample, 't' | 'cpuSeconds'> = { t: m.startedAt, cpuSeconds: 0 };
  for (const sample of m.samples) {
    if (sample.t >= t) {
      const span = sample.t - previous.t;
      const part = span > 0 ? (t - previous.t) / span : 1;
      return previous.cpuSeconds + part * (sample.cpuSeconds - previous.cpuSeconds);
    }
    previous = sample;
  }
  return previous.cpuSeconds;
}

function rssNear(m: Measured, t: number): number {
  let best: ProcSample | undefined;
  for (const sample of m.samples) if (!best || Math.abs(sample.t - t) < Math.abs(best.t - t)) best = sample;
  return mb(best?.rssKb ?? 0);
}

async function errorbudget(
  f: Folder,
  variant: Variant,
  sink: Sink,
  round: number,
  slug: string,
): Promise<Result> {
  resetIssue(f);
  const before = await sink.messages();
  const sinkCpu = await sink.cpuSeconds();
  const load = loadavg()[0] ?? 0;
  const memoryFile = join(work, `memory-${++memoryFiles}.jsonl`);
  const m = await runMeasured(process.execPath, ['--import', sampler, cli, 'send', slug, '--now'], {
    env: {
      ...f.env,
      SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
      MEMORY_SAMPLES_FILE: memoryFile,
      MEMORY_SAMPLE_MS: String(sampleMs),
    },
    cwd: work,
    sampleMs,
    timeFile: timeFile(),
  });
  if (m.code !== 0) throw new Error(`errorbudget send exited ${m.code}:\n${m.stdout}\n${m.stderr}`);
  const sinkCpuAfter = await sink.cpuSeconds();
  const db = new Database(database(f), { readonly: true });
  const issue = db
    .prepare('select state, recipients, snapshot_at, finished_at from issues where note_slug = ?')
    .get(slug) as
    | { state: string; recipients: number; snapshot_at: string; finished_at: string | null }
    | undefined;
  const totals = db
    .prepare('select sum(sent) as sent, sum(failed) as failed, sum(deferred) as deferred from issue_batches')
    .get() as { sent: number; failed: number; deferred: number };
  db.close();
  if (!issue?.finished_at || issue.state !== 'done' || totals.sent !== f.readers || totals.failed !== 0)
    throw new Error(
      `${variant}: the issue is ${issue?.state}, sent ${totals.sent} of ${f.readers}, failed ${totals.failed}, deferred ${totals.deferred}\n${m.stdout}${m.stderr}`,
    );
  await expectReceived(sink, before, f.readers, variant);
  const from = Date.parse(issue.snapshot_at);
  const to = Date.parse(issue.finished_at);
  const seconds = (to - from) / 1000;
  const totalCpu = m.userSeconds + m.systemSeconds;
  const startupCpu = cpuAt(m, from);
  const sendCpu = totalCpu - startupCpu;
  const secondHalf = m.samples.filter((s) => s.t >= (from + to) / 2 && s.t <= to).map((s) => mb(s.rssKb));
  return {
    variant,
    round,
    mails: f.readers,
    seconds,
    msgsPerSecond: f.readers / seconds,
    wholeSeconds: m.wallSeconds,
    wholeMsgsPerSecond: f.readers / m.wallSeconds,
    cpuMicros: (sendCpu / f.readers) * 1e6,
    cpuPercent: (sendCpu / seconds) * 100,
    startupSeconds: (from - m.startedAt) / 1000,
    startupCpuSeconds: startupCpu,
    peakRssMb: mb(m.maxRssKb),
    rssAtStartMb: rssNear(m, from),
    secondHalfRssMb: secondHalf,
    timeline: Array.from({ length: 11 }, (_, i) => ({
      at: i * 10,
      rssMb: rssNear(m, from + ((to - from) * i) / 10),
    })),
    sinkMicros: ((sinkCpuAfter - sinkCpu) / f.readers) * 1e6,
    load,
    memory: await memorySamples(memoryFile, from),
  };
}

function describe(r: Result): string {
  const head = `round ${r.round}  ${r.variant.padEnd(18)} ${fmt(r.mails).padStart(9)} mails`;
  if (r.variant === 'smtp-source')
    return `${head}  ${fmt(r.seconds, 1)} s  ${fmt(r.msgsPerSecond)} msgs/s  CPU ${fmt(r.cpuMicros)} µs/mail (${fmt(r.cpuPercent)}% of a core)  peak RSS ${fmt(r.peakRssMb, 1)} MB  sink ${fmt(r.sinkMicros)} µs/mail  load ${fmt(r.load, 1)}`;
  const ratio = r.ratio === undefined ? '' : ` (${fmt(r.ratio, 2)}×)`;
  const whole = r.wholeRatio === undefined ? '' : ` (${fmt(r.wholeRatio, 2)}×)`;
  const half = r.secondHalfRssMb?.length
    ? `, second half ${fmt(Math.min(...r.secondHalfRssMb))}–${fmt(Math.max(...r.secondHalfRssMb))} MB`
    : '';
  return `${head}  sending ${fmt(r.seconds, 1)} s ${fmt(r.msgsPerSecond)} msgs/s${ratio}; whole command ${fmt(r.wholeSeconds, 1)} s ${fmt(r.wholeMsgsPerSecond)} msgs/s${whole}
         CPU ${fmt(r.cpuMicros)} µs/mail (${fmt(r.cpuPercent)}% of a core); start-up ${fmt(r.startupSeconds ?? 0, 1)} s, ${fmt(r.startupCpuSeconds ?? 0, 1)} s CPU; RSS ${fmt(r.rssAtStartMb ?? 0)} MB when sending began, peak ${fmt(r.peakRssMb)} MB${half}; sink ${fmt(r.sinkMicros)} µs/mail; load ${fmt(r.load, 1)}${
           r.memory
             ? `\n         memory (MB) when sending began: ${describeMemory(r.memory.start)}\n                     at the highest sample: ${describeMemory(r.memory.peak)}\n                     at the end: ${describeMemory(r.memory.end)}`
             : ''
         }`;
}

/** µs per RSA-2048 signature with a parsed key, on this thread: what DKIM costs per mail at least. */
function rsaMicros(key: KeyObject): number {
  const data = Buffer.alloc(1200, 'h');
  for (let i = 0; i < 20; i++) sign('sha256', data, key);
  let n = 0;
  const t = performance.now();
  while (performance.now() - t < 1000) {
    sign('sha256', data, key);
    n++;
  }
  return ((performance.now() - t) * 1000) / n;
}

/** Sends the issue to one reader into the local mailbox (no SMTP_URL): the bytes every reader gets. */
async function probe(f: Folder, slug: string, publicKey?: string): Promise<number> {
  await prepare(f);
  const out = await run(process.execPath, [cli, 'send', slug, '--now'], { env: f.env, cwd: work });
  const mailbox = join(f.dataDir, 'mailbox');
  const files = (await readdir(mailbox)).filter((name) => name.endsWith('.eml'));
  if (files.length !== 1)
    throw new Error(`probe ${f.name}: ${files.length} mails in the mailbox\n${out.stdout}`);
  const raw = await readFile(join(mailbox, files[0] as string));
  if (publicKey) {
    const resolver = async (name: string, type: string) => {
      if (type === 'TXT' && name === `${dkimSelector}._domainkey.${dkimDomain}`) return [[publicKey]];
      throw Object.assign(new Error(`no ${type} record for ${name}`), { code: 'ENOTFOUND' });
    };
    const { results } = await dkimVerify(raw, { resolver });
    const status = results[0]?.status;
    if (status?.result !== 'pass')
      throw new Error(`DKIM of the issue does not verify: ${JSON.stringify(status)}`);
  }
  return raw.length;
}

const work = await mkdtemp(join(tmpdir(), 'eb-send-bench-'));
// After an interruption too (support.ts has ended the processes by then).
process.on('exit', () => {
  if (process.env.KEEP !== '1') rmSync(work, { recursive: true, force: true });
});
try {
  const slug = await newestNote();
  const built = (await stat(join(app, 'dist', 'cli', 'main.js'))).mtime;
  cli = await copyOfApp();
  const commit = await run('git', ['-C', app, 'describe', '--always', '--dirty']).then(
    (r) => `, checkout ${r.stdout.trim()}`,
    () => '',
  );
  console.log(
    `errorbudget send ${slug} --now, run as \`node bin/errorbudget.js\` from ${app} (dist/ built ${built.toISOString()}${commit}; a copy), Node ${process.version}, ${availableParallelism()} cores, load ${loadavg()
      .map((l) => fmt(l, 1))
      .join(' ')}`,
  );
  const master = await run('pgrep', ['-a', '-x', 'master']).then(
    (r) => r.stdout.trim(),
    () => '',
  );
  if (master)
    console.log(`note: a Postfix master is running (${master}); this bench neither needs nor touches it`);

  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKey = `v=DKIM1; k=rsa; p=${pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
  const keyFile = join(work, 'dkim', 'dkim.pem');
  await mkdir(join(work, 'dkim'), { recursive: true });
  await writeFile(keyFile, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  const dkimEnv = { DKIM_PRIVATE_KEY: keyFile, DKIM_SELECTOR: dkimSelector, DKIM_DOMAIN: dkimDomain };

  const plainSize = await probe(folder('probe', 1), slug);
  const signedSize = await probe(folder('probe-dkim', 1, dkimEnv), slug, publicKey);
  const html = new Database(database(folder('probe', 1)), { readonly: true });
  const content = html.prepare('select length(html) as html, length(text) as text from issues').get() as {
    html: number;
    text: number;
  };
  html.close();
  console.log(
    `the issue mail: ${fmt(plainSize)} bytes (${fmt(plainSize / 1024, 1)} KiB; HTML ${fmt(content.html / 1024, 1)} KiB and text ${fmt(content.text / 1024, 1)} KiB before quoted-printable), ${fmt(signedSize)} bytes signed (RSA-2048, verified by mailauth); smtp-source sends -l ${fmt(plainSize)}`,
  );
  const renderCache = join(work, 'probe', 'cache');
  const rsaBefore = rsaMicros(pair.privateKey);

  const results: Result[] = [];
  if (!million) {
    const plain = folder('plain', count);
    const signed = folder('dkim', count, dkimEnv);
    await prepare(plain, renderCache);
    await prepare(signed, renderCache);
    console.log(
      `\n${rounds} rounds of ${fmt(count)} mails, ${pool} connections each (SMTP_POOL=${pool}, smtp-source -s ${pool} -d), one smtp-sink per round\n`,
    );
    for (let round = 1; round <= rounds; round++) {
      const sink = await startSink();
      try {
        const source = await smtpSource(sink, round, count, plainSize);
        console.log(describe(source));
        for (const [f, variant] of [
          [plain, 'errorbudget'],
          [signed, 'errorbudget + DKIM'],
        ] as const) {
          const r = await errorbudget(f, variant, sink, round, slug);
          r.ratio = r.msgsPerSecond / source.msgsPerSecond;
          r.wholeRatio = r.wholeMsgsPerSecond / source.msgsPerSecond;
          console.log(describe(r));
          results.push(r);
        }
        results.push(source);
      } finally {
        await sink.stop();
      }
    }
  } else {
    const big = folder('million', readers, millionWithDkim ? dkimEnv : {});
    const reference = folder('reference', count, millionWithDkim ? dkimEnv : {});
    await prepare(big, renderCache);
    await prepare(reference, renderCache);
    const variant = millionWithDkim ? 'errorbudget + DKIM' : 'errorbudget';
    console.log(
      `\n${fmt(readers)} readers ${millionWithDkim ? 'with' : 'without'} DKIM, ${pool} connections, RSS sampled every ${sampleMs / 1000} s; references: smtp-source and the same send to ${fmt(count)} readers\n`,
    );
    const sink = await startSink();
    try {
      const source = await smtpSource(sink, 1, count, plainSize);
      console.log(describe(source));
      for (const f of [reference, big]) {
        const r = await errorbudget(f, variant, sink, 1, slug);
        r.ratio = r.msgsPerSecond / source.msgsPerSecond;
        r.wholeRatio = r.wholeMsgsPerSecond / source.msgsPerSecond;
        console.log(describe(r));
        results.push(r);
      }
      results.push(source);
    } finally {
      await sink.stop();
    }
  }
  const rsaAfter = rsaMicros(pair.privateKey);

  // ---- Summary ----
  const of = (variant: Variant, mails?: number) =>
    results.filter((r) => r.variant === variant && (mails === undefined || r.mails === mails));
  const row = (label: string, rs: Result[]) => {
    if (rs.length === 0) return '';
    const ratio =
      rs[0]?.ratio === undefined
        ? '1'
        : range(
            rs.map((r) => r.ratio ?? 0),
            2,
          );
    const whole =
      rs[0]?.variant === 'smtp-source'
        ? ''
        : `${range(rs.map((r) => r.wholeMsgsPerSecond))} (${fmt(median(rs.map((r) => r.wholeRatio ?? 0)), 2)}×)`;
    return `| ${label} | ${range(rs.map((r) => r.msgsPerSecond))} | ${ratio} | ${whole} | ${range(rs.map((r) => r.cpuMicros))} | ${fmt(median(rs.map((r) => r.cpuPercent)))} | ${range(rs.map((r) => r.peakRssMb))} | ${range(rs.map((r) => r.sinkMicros))} |`;
  };
  console.log(
    `\n| sender | msgs/s median [min–max] | ratio to smtp-source, per round | whole command msgs/s (ratio) | sender CPU µs/mail | CPU % of a core | peak RSS MB | sink CPU µs/mail |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`,
  );
  const sourceRows = of('smtp-source');
  console.log(row(`smtp-source -s ${pool} -d (Postfix, C)`, sourceRows));
  if (!million) {
    console.log(row('errorbudget send --now', of('errorbudget')));
    console.log(row('errorbudget send --now, DKIM RSA-2048', of('errorbudget + DKIM')));
  } else {
    const variant = millionWithDkim ? 'errorbudget + DKIM' : 'errorbudget';
    console.log(row(`errorbudget send --now, ${fmt(count)} readers`, of(variant, count)));
    console.log(row(`errorbudget send --now, ${fmt(readers)} readers`, of(variant, readers)));
  }
  console.log(
    '\nmsgs/s of errorbudget: from the issue’s snapshot to its last batch (issues.snapshot_at → finished_at); "whole command" adds the start-up (content, database). CPU: utime+stime of every thread (GNU time), the start-up’s share taken off with /proc samples.',
  );

  if (!million) {
    const plainRows = of('errorbudget');
    const signedRows = of('errorbudget + DKIM');
    const a = median(plainRows.map((r) => r.cpuMicros));
    const b = median(signedRows.map((r) => r.cpuMicros));
    const sinkA = median(plainRows.map((r) => r.sinkMicros));
    const sinkB = median(signedRows.map((r) => r.sinkMicros));
    const sinkC = median(sourceRows.map((r) => r.sinkMicros));
    const c = median(sourceRows.map((r) => r.cpuMicros));
    const sourceRate = median(sourceRows.map((r) => r.msgsPerSecond));
    const cores = availableParallelism();
    const ceiling = (us: number) => (cores * 1e6) / us;
    console.log(`
DKIM arithmetic (medians of ${rounds} rounds; CPU per mail, all threads):
  RSA-2048 signature (node:crypto, parsed KeyObject, one core, this process): ${fmt(rsaBefore)} µs before the rounds, ${fmt(rsaAfter)} µs after
  errorbudget sender: ${fmt(a)} µs without DKIM, ${fmt(b)} µs with → DKIM costs ${fmt(b - a)} µs per mail (the signature alone ${fmt(median([rsaBefore, rsaAfter]))})
  smtp-sink, per mail received: ${fmt(sinkA)} µs from errorbudget, ${fmt(sinkB)} µs from errorbudget + DKIM, ${fmt(sinkC)} µs from smtp-source (which itself uses ${fmt(c)} µs per mail)
  if CPU were the only limit and the ${cores} cores ours alone (sender + sink):
    smtp-source     ${cores} × 10^6 / (${fmt(c)} + ${fmt(sinkC)}) = ${fmt(ceiling(c + sinkC))} msgs/s (measured ${fmt(sourceRate)})
    without DKIM    ${cores} × 10^6 / (${fmt(a)} + ${fmt(sinkA)}) = ${fmt(ceiling(a + sinkA))} msgs/s = ${fmt(ceiling(a + sinkA) / sourceRate, 2)}× the measured smtp-source
    with DKIM       ${cores} × 10^6 / (${fmt(b)} + ${fmt(sinkB)}) = ${fmt(ceiling(b + sinkB))} msgs/s = ${fmt(ceiling(b + sinkB) / sourceRate, 2)}× the measured smtp-source
  0.4× smtp-source = ${fmt(0.4 * sourceRate)} msgs/s needs ${fmt((0.4 * sourceRate * (b + sinkB)) / 1e6, 2)} cores at ${fmt(b)} + ${fmt(sinkB)} µs per mail; ${cores} cores allow at most ${fmt(ceiling(0.4 * sourceRate) - sinkB)} µs of sender CPU per signed mail`);
  } else {
    for (const r of results.filter((x) => x.variant !== 'smtp-source')) {
      const half = r.secondHalfRssMb ?? [];
      console.log(
        `\n${fmt(r.mails)} readers: peak RSS ${fmt(r.peakRssMb)} MB; RSS ${fmt(r.rssAtStartMb ?? 0)} MB when sending began; over the second half ${half.length ? `${fmt(Math.min(...half))}–${fmt(Math.max(...half))} MB, median ${fmt(median(half))}` : '-'} (${half.length} samples)`,
      );
      console.log(
        `  RSS by progress of the send: ${(r.timeline ?? []).map((p) => `${p.at}% ${fmt(p.rssMb)}`).join(', ')} MB`,
      );
    }
    console.log(`\nRSA-2048 signature on this machine: ${fmt(median([rsaBefore, rsaAfter]))} µs`);
  }
} finally {
  if (process.env.KEEP === '1') console.log(`kept ${work}`);
  else await rm(work, { recursive: true, force: true });
}
