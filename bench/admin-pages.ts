// The admin at scale: 1,000,000 subscribers (statuses and sign-up dates spread over a year, as a real
// list has them) in SQLite and in PostgreSQL, the real `errorbudget serve` on each, an admin logged in
// over HTTP, and the median and p95 of warm requests for the subscriber list, a deep page of it, a
// status filter, searches by address prefix and the dashboard.
// Usage: npm run build && npx tsx bench/admin-pages.ts
//   ROWS=1000000  REQUESTS=40 (per page, after 5 to warm)  ENGINES=sqlite,postgres
//   TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test): the bench works in a schema
//   of its own there, dropped at the end.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CompiledQuery, type KyselyPlugin, sql } from 'kysely';
import pg from 'pg';
import { readDashboard } from '../src/admin/dashboard-queries.js';
import { findSubscribers } from '../src/admin/subscriber-queries.js';
import { type Db, openDatabase } from '../src/db/open-database.js';
import { statusCounts } from '../src/subscriptions/status-counts.js';
import { submitPassword } from '../test/support/admin-app.js';
import { cli, freePort, median, root, start, stop, stopOnExit, waitFor200 } from './support.js';

const rows = Number(process.env.ROWS ?? 1_000_000);
const requests = Number(process.env.REQUESTS ?? 40);
const engines = (process.env.ENGINES ?? 'sqlite,postgres').split(',');
const postgresUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const admin = { email: 'bench@errorbudget.test', password: 'a bench password, long enough' };
const secret = 'bench-secret-0123456789abcdef0123456789abcdef';
const runFile = promisify(execFile);

const firstNames = [
  'anna',
  'ben',
  'chloe',
  'david',
  'emma',
  'felix',
  'grace',
  'hugo',
  'ines',
  'jonas',
  'karin',
  'liam',
  'maria',
  'noah',
  'olivia',
  'paul',
  'quinn',
  'rosa',
  'sam',
  'tara',
];
const lastNames = [
  'smith',
  'mueller',
  'garcia',
  'rossi',
  'dubois',
  'nowak',
  'jensen',
  'silva',
  'kim',
  'tanaka',
  'novak',
  'berg',
  'costa',
  'wright',
  'meyer',
];
const domains = [
  'gmail.com',
  'outlook.com',
  'proton.me',
  'fastmail.com',
  'example.org',
  'company.io',
  'uni.edu',
  'web.de',
];
const list = (words: string[]) => JSON.stringify(words);

/**
 * One statement per engine, generating every row in the database: ids grow with the sign-up date over
 * the year before now; 80 % active, 8 % pending, 9 % unsubscribed, 3 % suppressed. The counts'
 * triggers run as they do for any insert.
 */
async function fill(db: Db): Promise<void> {
  const yearAgo = new Date(Date.now() - 365 * 86_400_000).toISOString();
  const secondsPerRow = (365 * 86_400) / rows;
  if (db.engine === 'sqlite') {
    // A cache to hold the indexes being built, as a long-running server's would be warm.
    await sql`pragma cache_size = -400000`.execute(db.kysely);
    await sql`
      with recursive n(i) as (select 1 union all select i + 1 from n where i < ${sql.lit(rows)}),
      g as (
        select i, (i * 7919) % 100 as roll,
          strftime('%Y-%m-%dT%H:%M:%fZ', ${yearAgo}, '+' || cast(i * ${sql.lit(secondsPerRow)} as integer) || ' seconds') as at
        from n
      )
      insert into subscribers (key, email, email_hmac, status, source, created_at, updated_at, confirmed_at, unsubscribed_at)
      select lower(hex(randomblob(11))),
        json_extract(${list(firstNames)}, '$[' || (i % ${sql.lit(firstNames.length)}) || ']') || '.' ||
          json_extract(${list(lastNames)}, '$[' || ((i / 20) % ${sql.lit(lastNames.length)}) || ']') || i || '@' ||
          json_extract(${list(domains)}, '$[' || (i % ${sql.lit(domains.length)}) || ']'),
        lower(hex(randomblob(32))),
        case when roll < 80 then 'active' when roll < 88 then 'pending' when roll < 97 then 'unsubscribed' else 'suppressed' end,
        case when i % 10 = 0 then 'import:substack.csv' else 'form:hero' end,
        at, at,
        case when roll < 88 and roll >= 80 then null else at end,
        case when roll >= 88 and roll < 97 then at else null end
      from g
    `.execute(db.kysely);
    return;
  }
  await sql`
    insert into subscribers (key, email, email_hmac, status, source, created_at, updated_at, confirmed_at, unsubscribed_at)
    select substr(md5('k' || i), 1, 22),
      (${firstNames}::text[])[1 + i % ${sql.lit(firstNames.length)}] || '.' ||
        (${lastNames}::text[])[1 + (i / 20) % ${sql.lit(lastNames.length)}] || i || '@' ||
        (${domains}::text[])[1 + i % ${sql.lit(domains.length)}],
      md5('h' || i) || md5('m' || i),
      case when roll < 80 then 'active' when roll < 88 then 'pending' when roll < 97 then 'unsubscribed' else 'suppressed' end,
      case when i % 10 = 0 then 'import:substack.csv' else 'form:hero' end,
      at, at,
      case when roll < 88 and roll >= 80 then null else at end,
      case when roll >= 88 and roll < 97 then at else null end
    from (
      select i, (i::bigint * 7919) % 100 as roll,
        to_char((${yearAgo}::timestamptz + make_interval(secs => i * ${sql.lit(secondsPerRow)})) at time zone 'utc',
          'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at
      from generate_series(1, ${sql.lit(rows)}) i
    ) g
  `.execute(db.kysely);
  // What autovacuum would do shortly after such a load.
  await sql`analyze subscribers`.execute(db.kysely);
}

/** The plan each engine chooses for the list's queries, as EXPLAIN shows it: no scan of the table. */
async function printPlans(db: Db, middleId: number): Promise<void> {
  const captured: CompiledQuery[] = [];
  const executor = db.kysely.getExecutor();
  const capture: KyselyPlugin = {
    transformQuery(args) {
      captured.push(executor.compileQuery(args.node, args.queryId));
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  const watched: Db = { ...db, kysely: db.kysely.withPlugin(capture) };
  const searchPage = await findSubscribers(db, { search: 'maria.' });
  const cases: [string, () => Promise<unknown>][] = [
    ['first page', () => findSubscribers(watched, {})],
    ['page in the middle', () => findSubscribers(watched, { after: middleId })],
    ['suppressed, next page', () => findSubscribers(watched, { status: 'suppressed', after: middleId })],
    ['search, next page', () => findSubscribers(watched, { search: 'maria.', after: searchPage.next ?? 1 })],
  ];
  for (const [label, run] of cases) {
    captured.length = 0;
    await run();
    const query = captured.at(-1) as CompiledQuery;
    const explain = db.engine === 'postgres' ? 'explain ' : 'explain query plan ';
    const { rows } = await db.kysely.executeQuery<Record<string, unknown>>(
      CompiledQuery.raw(explain + query.sql, [...query.parameters]),
    );
    const lines = rows.map((row) => String(row.detail ?? row['QUERY PLAN']).trim());
    console.log(`  plan, ${label}: ${lines.join(' | ')}`);
  }
}

/** The session cookie, logged in through the form as a browser does (the tests' own login). */
async function login(baseUrl: string): Promise<string> {
  const { response, cookie } = await submitPassword(baseUrl, admin.email, admin.password);
  if (!cookie) throw new Error(`login failed with ${response.status}`);
  return cookie;
}

async function timed(
  baseUrl: string,
  path: string,
  cookie: string,
): Promise<{ times: number[]; bytes: number }> {
  const once = async () => {
    const started = performance.now();
    const response = await fetch(`${baseUrl}${path}`, { headers: { accept: 'text/html', cookie } });
    const body = await response.text();
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
    return { ms: performance.now() - started, bytes: body.length };
  };
  for (let i = 0; i < 5; i++) await once();
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < requests; i++) {
    const r = await once();
    times.push(r.ms);
    bytes = r.bytes;
  }
  return { times, bytes };
}

function report(label: string, times: number[], suffix = ''): void {
  const sorted = [...times].sort((a, b) => a - b);
  const p95 = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)] ?? 0;
  console.log(
    `  ${label.padEnd(38)} median ${median(sorted).toFixed(1).padStart(6)} ms   p95 ${p95.toFixed(1).padStart(6)} ms${suffix}`,
  );
}

async function benchEngine(engine: string): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'eb-admin-bench-'));
  const schema = `bench_admin_${process.pid}`;
  let databaseUrl = `sqlite:${join(dataDir, 'errorbudget.db')}`;
  if (engine === 'postgres') {
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    await client.query(`create schema ${schema}`);
    await client.end();
    databaseUrl = `${postgresUrl}${postgresUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  }
  const port = await freePort();
  const env = {
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    CONTENT_DIR: join(root, 'content'),
    SITE_URL: `http://127.0.0.1:${port}`,
    SECRET: secret,
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
  };
  let server: ReturnType<typeof start> | undefined;
  try {
    // `admin create` opens the database, and so migrates it, as any command does.
    const child = execFile(process.execPath, [cli, 'admin', 'create', admin.email, '--password-stdin'], {
      env: { ...process.env, ...env },
    });
    child.stdin?.end(`${admin.password}\n`);
    await new Promise<void>((resolve, reject) =>
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`admin create exited ${code}`)))),
    );
    const db = openDatabase(engine === 'postgres' ? postgresUrl : databaseUrl, { schema });
    const filling = performance.now();
    await fill(db);
    const fillSeconds = (performance.now() - filling) / 1000;
    const { n } = await db.kysely
      .selectFrom('subscribers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const middle = await db.kysely
      .selectFrom('subscribers')
      .select('id')
      .orderBy('id')
      .offset(Math.floor(rows / 2))
      .limit(1)
      .executeTakeFirst();
    console.log(
      `${engine}: ${Number(n).toLocaleString('en-US')} subscribers created in ${fillSeconds.toFixed(1)} s`,
    );
    await printPlans(db, middle?.id ?? 1);
    // The queries alone, in this process, warm: what the pages spend in the database.
    const queries: [string, () => Promise<unknown>][] = [
      ['query: first page', () => findSubscribers(db, {})],
      ['query: page in the middle', () => findSubscribers(db, { after: middle?.id ?? 1 })],
      ['query: suppressed only', () => findSubscribers(db, { status: 'suppressed' })],
      ['query: search "maria."', () => findSubscribers(db, { search: 'maria.' })],
      ['query: counts by status', () => statusCounts(db)],
      ['query: dashboard (all of it)', () => readDashboard(db, new Date())],
    ];
    for (const [label, run] of queries) {
      await run(); // the first may fold the counts the bulk insert left
      for (let i = 0; i < 4; i++) await run();
      const times: number[] = [];
      for (let i = 0; i < requests; i++) {
        const started = performance.now();
        await run();
        times.push(performance.now() - started);
      }
      report(label, times);
    }
    await db.close();

    server = start(process.execPath, [cli, 'serve', '--no-worker', '--no-watch'], env);
    stopOnExit(server.pid);
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitFor200(`${baseUrl}/healthz`, performance.now());
    const cookie = await login(baseUrl);
    const pages: [string, string][] = [
      ['reference: settings (no query)', '/admin/settings'],
      ['subscribers, first page', '/admin/subscribers'],
      ['subscribers, page in the middle', `/admin/subscribers?after=${middle?.id ?? 1}`],
      ['subscribers, suppressed only', '/admin/subscribers?status=suppressed'],
      ['search "maria." (5 % of rows)', '/admin/subscribers?q=maria.'],
      ['search "olivia.kim12" (few rows)', '/admin/subscribers?q=olivia.kim12'],
      ['search "zz" (no row)', '/admin/subscribers?q=zz'],
      ['dashboard', '/admin'],
    ];
    for (const [label, path] of pages) {
      const r = await timed(baseUrl, path, cookie);
      report(`GET ${label}`, r.times, `   (${Math.round(r.bytes / 1024)} KiB)`);
    }
  } finally {
    if (server) await stop(server);
    if (engine === 'postgres') {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    }
    await rm(dataDir, { recursive: true, force: true });
  }
}

const uptime = async () => (await runFile('uptime')).stdout.trim();
console.log(
  `${rows.toLocaleString('en-US')} subscribers, ${requests} warm requests per page; before: ${await uptime()}`,
);
for (const engine of engines) await benchEngine(engine);
console.log(
  `after: ${await uptime()} (load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')})`,
);
