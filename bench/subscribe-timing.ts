// Can a stranger tell a new address from a confirmed one by how long POST /subscribe takes? 200
// requests for new addresses and 200 for confirmed ones, in a shuffled interleaving, one at a time,
// against `errorbudget serve` on SQLite and on PostgreSQL. Prints both medians and the Mann–Whitney U
// z-score (normal approximation with tie correction; rank-based, so a few slow outliers from the
// noisy machine do not dominate it as they would Welch's t). |z| < 2: no difference a test can tell.
// Usage: npm run build && npx tsx bench/subscribe-timing.ts   (SAMPLES=200, POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test)
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type Engine, openDatabase } from '../src/db/open-database.js';
import { cli, freePort, median, root, start, stop, waitFor200 } from './support.js';

const samples = Number(process.env.SAMPLES ?? 200);
const postgresUrl = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** z of the Mann–Whitney U statistic; positive when `a` tends to be slower than `b`. */
export function mannWhitneyZ(a: number[], b: number[]): number {
  const all = [...a.map((v) => ({ v, g: 0 })), ...b.map((v) => ({ v, g: 1 }))].sort((x, y) => x.v - y.v);
  const ranks = new Array<number>(all.length);
  let ties = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]?.v === all[i]?.v) j++;
    for (let k = i; k <= j; k++) ranks[k] = (i + j) / 2 + 1;
    const t = j - i + 1;
    ties += t ** 3 - t;
    i = j + 1;
  }
  const rankSumA = all.reduce((sum, x, i) => sum + (x.g === 0 ? (ranks[i] ?? 0) : 0), 0);
  const [n1, n2] = [a.length, b.length];
  const n = n1 + n2;
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1))));
  return (u - (n1 * n2) / 2) / sigma;
}

async function subscribe(origin: string, email: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${origin}/subscribe`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `form=hero&email=${encodeURIComponent(email)}`,
    redirect: 'manual',
  });
  await response.arrayBuffer();
  const elapsed = performance.now() - started;
  if (response.status !== 303) throw new Error(`subscribe answered ${response.status}`);
  return elapsed;
}

async function probe(engine: Engine): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'eb-timing-'));
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  if (engine === 'postgres') {
    await admin.connect();
    await admin.query(`create schema ${schema}`);
  }
  const databaseUrl =
    engine === 'postgres'
      ? `${postgresUrl}?options=${encodeURIComponent(`-c search_path=${schema}`)}`
      : `sqlite:${join(work, 'errorbudget.db')}`;
  const port = await freePort();
  const server = start(
    process.execPath,
    [cli, 'serve', '--content', join(root, 'content'), '--port', String(port), '--no-watch'],
    {
      DATA_DIR: join(work, 'data'),
      DATABASE_URL: databaseUrl,
      SUBSCRIBE_RATE_LIMIT: String(1e9),
      LOG_LEVEL: 'warn',
    },
  );
  const db = openDatabase(
    engine === 'postgres' ? postgresUrl : databaseUrl,
    engine === 'postgres' ? { schema } : {},
  );
  try {
    const origin = `http://127.0.0.1:${port}`;
    await waitFor200(`${origin}/healthz`, performance.now());
    const run = randomBytes(3).toString('hex');
    const known = Array.from({ length: samples }, (_, i) => `known-${run}-${i}@example.com`);
    for (const email of known) await subscribe(origin, email);
    // Confirmed, as if each had clicked their link: wait for the worker to decide every request first.
    for (;;) {
      const { n } = await db.kysely
        .selectFrom('subscribers')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      if (Number(n) >= samples) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await db.kysely.updateTable('subscribers').set({ status: 'active' }).execute();
    // Warm-up for both paths, then a shuffled order with as many of each kind.
    for (let i = 0; i < 30; i++) await subscribe(origin, `warm-${run}-${i}@example.com`);
    const order = [...Array(samples).fill('new'), ...Array(samples).fill('known')] as ('new' | 'known')[];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [order[i], order[j]] = [order[j] ?? 'new', order[i] ?? 'new'];
    }
    const times = { new: [] as number[], known: [] as number[] };
    let [fresh, old] = [0, 0];
    for (const kind of order) {
      const email = kind === 'new' ? `new-${run}-${fresh++}@example.com` : (known[old++] ?? '');
      times[kind].push(await subscribe(origin, email));
    }
    const z = mannWhitneyZ(times.new, times.known);
    console.log(
      `${engine.padEnd(8)} new ${median(times.new).toFixed(3)} ms, confirmed ${median(times.known).toFixed(3)} ms (median of ${samples} each); Mann–Whitney z = ${z.toFixed(2)}`,
    );
  } finally {
    await stop(server);
    await db.close();
    if (engine === 'postgres') {
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    }
    await rm(work, { recursive: true, force: true });
  }
}

for (const engine of ['sqlite', 'postgres'] as const) await probe(engine);
