// Requests/s and p99 latency of POST /subscribe on SQLite: every request is a new address, so each one
// writes a subscriber, two ledger events, a confirmation and an outbox row in one transaction, while
// the delivery worker writes the mails to the local mailbox. For scale, the same run measures GET of a
// note page from the same process.
// Usage: npm run build && npx tsx bench/subscribe-throughput.ts   (ROUNDS=5 SECONDS=6)
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/db/open-database.js';
import { cli, freePort, median, root, run, start, stop, waitFor200, wrk } from './support.js';

const rounds = Number(process.env.ROUNDS ?? 5);
const seconds = Number(process.env.SECONDS ?? 6);
const connections = 16;

const work = await mkdtemp(join(tmpdir(), 'eb-bench-'));
const script = join(work, 'subscribe.lua');
// Each wrk thread numbers its own addresses; the random prefix keeps rounds from repeating one another.
await writeFile(
  script,
  `local n = 0
local prefix = tostring(math.random(1, 1e9))
request = function()
  n = n + 1
  return wrk.format("POST", "/subscribe", { ["Content-Type"] = "application/x-www-form-urlencoded" },
    "form=hero&email=reader-" .. prefix .. "-" .. n .. "@example.com")
end
`,
);

const port = await freePort();
const dataDir = join(work, 'data');
const server = start(
  process.execPath,
  [cli, 'serve', '--content', join(root, 'content'), '--port', String(port), '--no-watch'],
  {
    DATA_DIR: dataDir,
    SUBSCRIBE_RATE_LIMIT: String(1e9),
    LOG_LEVEL: 'warn',
  },
);
try {
  const origin = `http://127.0.0.1:${port}`;
  await waitFor200(`${origin}/healthz`, performance.now());
  const subscribe = [];
  const page = [];
  for (let round = 0; round < rounds; round++) {
    const { stdout } = await run(
      'wrk',
      ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', script, `${origin}/subscribe`],
      {
        timeout: (seconds + 30) * 1000,
      },
    );
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
    const p99 = /\s99%\s+([\d.]+)(us|ms|s)/.exec(stdout);
    const errors = /Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1];
    if (errors) throw new Error(`${errors} subscribe requests failed:\n${stdout}`);
    const scale = p99?.[2] === 'us' ? 0.001 : p99?.[2] === 's' ? 1000 : 1;
    subscribe.push({ rps, p99: Number(p99?.[1]) * scale });
    const get = await wrk(
      `${origin}/notes/five-backup-architecture-patterns-for-fintech`,
      seconds,
      connections,
    );
    page.push({ rps: get.requestsPerSecond, p99: get.p99Ms });
  }
  const db = openDatabase(`sqlite:${join(dataDir, 'errorbudget.db')}`);
  const subscribers = await db.kysely
    .selectFrom('subscribers')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  const events = await db.kysely
    .selectFrom('ledger_events')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  await db.close();

  const line = (name: string, runs: { rps: number; p99: number }[]) =>
    `${name.padEnd(34)} ${median(runs.map((r) => r.rps))
      .toFixed(0)
      .padStart(
        8,
      )} req/s   p99 ${median(runs.map((r) => r.p99)).toFixed(2)} ms   (runs: ${runs.map((r) => r.rps.toFixed(0)).join(', ')})`;
  console.log(`${rounds} rounds of ${seconds} s, wrk -t1 -c${connections}, medians`);
  console.log(line('POST /subscribe (SQLite, new address)', subscribe));
  console.log(line('GET note page, same process', page));
  console.log(
    `subscribe / page: ${((100 * median(subscribe.map((r) => r.rps))) / median(page.map((r) => r.rps))).toFixed(1)}%`,
  );
  console.log(`written: ${subscribers.n} subscribers, ${events.n} ledger events`);
} finally {
  await stop(server);
  await rm(work, { recursive: true, force: true });
}
