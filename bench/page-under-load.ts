// Requests/s and p99 of one note page served by `errorbudget serve`, alone and while 50 subscribe
// requests per second for new addresses run against the same process (SQLite, local mailbox).
// Aim: the page keeps at least 80 % of its requests/s and its p99 stays under 10 ms.
// Usage: npm run build && npx tsx bench/page-under-load.ts   (ROUNDS=3 SECONDS=6 RATE=50)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, freePort, median, root, start, stop, type WrkResult, waitFor200, wrk } from './support.js';

const rounds = Number(process.env.ROUNDS ?? 3);
const seconds = Number(process.env.SECONDS ?? 6);
const rate = Number(process.env.RATE ?? 50);
const connections = 32;

/** Paced, not closed-loop: one request every 1/rate s whatever the answers take, as real readers do. */
function subscribeLoader(base: string) {
  let sent = 0;
  let failed = 0;
  const pending = new Set<Promise<void>>();
  const timer = setInterval(() => {
    const n = sent++;
    const request = fetch(`${base}/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `email=bench-${process.pid}-${n}%40example.com&form=bench`,
      redirect: 'manual',
    })
      .then((r) => {
        if (r.status >= 400) failed++;
      })
      .catch(() => {
        failed++;
      });
    const tracked = request.finally(() => pending.delete(tracked));
    pending.add(tracked);
  }, 1000 / rate);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(pending);
      return { sent, failed };
    },
  };
}

const work = await mkdtemp(join(tmpdir(), 'eb-bench-'));
const port = await freePort();
const server = start(
  process.execPath,
  [cli, 'serve', '--content', join(root, 'content'), '--port', String(port), '--no-watch'],
  {
    DATA_DIR: join(work, 'data'),
    LOG_LEVEL: 'warn',
    SUBSCRIBE_RATE_LIMIT: '1000000',
  },
);
try {
  const base = `http://127.0.0.1:${port}`;
  await waitFor200(`${base}/`, performance.now());
  const home = await (await fetch(`${base}/`)).text();
  const path = /href="(\/notes\/[^"#]+)"/.exec(home)?.[1];
  if (!path) throw new Error('the home page links no note');
  await wrk(`${base}${path}`, 2, connections); // warm-up: JIT, TCP buffers
  const alone: WrkResult[] = [];
  const loaded: WrkResult[] = [];
  const totals = { sent: 0, failed: 0 };
  for (let round = 0; round < rounds; round++) {
    alone.push(await wrk(`${base}${path}`, seconds, connections));
    const loader = subscribeLoader(base);
    loaded.push(await wrk(`${base}${path}`, seconds, connections));
    const { sent, failed } = await loader.stop();
    totals.sent += sent;
    totals.failed += failed;
  }
  const rps = (r: WrkResult[]) => median(r.map((x) => x.requestsPerSecond));
  const p99 = (r: WrkResult[]) => median(r.map((x) => x.p99Ms));
  console.log(`page ${path}, ${rounds} rounds of ${seconds} s, wrk -t1 -c${connections}, 2 cores`);
  console.log(
    `  alone:              ${rps(alone).toFixed(0).padStart(6)} req/s  p99 ${p99(alone).toFixed(2)} ms`,
  );
  console.log(
    `  with ${rate} subscribes/s: ${rps(loaded).toFixed(0).padStart(6)} req/s  p99 ${p99(loaded).toFixed(2)} ms  (${((100 * rps(loaded)) / rps(alone)).toFixed(0)} % of alone)`,
  );
  console.log(`  subscribes sent ${totals.sent}, failed ${totals.failed}`);
} finally {
  await stop(server);
  await rm(work, { recursive: true, force: true });
}
