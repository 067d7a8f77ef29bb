// What the nginx recipe (deploy/nginx/errorbudget.conf) costs and gains, over TLS: one note page
// through nginx to one `serve --no-worker` process, against nginx serving the same bytes itself, and
// through nginx to two web processes against one, in turn within each round. nginx runs 2 workers
// (one per core), wrk 1 thread.
// Usage: npm run build && npx tsx bench/proxy-overhead.ts   (ROUNDS=3 SECONDS=5 CONNECTIONS=32)

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Nginx, selfSignedCert, startNginx } from '../test/support/proxy-stack.js';
import { cli, freePort, median, root, start, stop, type WrkResult, waitFor200, wrk } from './support.js';

const rounds = Number(process.env.ROUNDS ?? 3);
const seconds = Number(process.env.SECONDS ?? 5);
const connections = Number(process.env.CONNECTIONS ?? 32);
const slug = 'five-backup-architecture-patterns-for-fintech';

const work = await mkdtemp(join(tmpdir(), 'eb-proxy-bench-'));
const children: ReturnType<typeof start>[] = [];
const nginxes: Nginx[] = [];
try {
  const cert = selfSignedCert(work);
  const webPorts = [await freePort(), await freePort()];
  const env = {
    DATA_DIR: join(work, 'data'),
    CONTENT_DIR: join(root, 'content'),
    LOG_LEVEL: 'warn',
    TRUST_PROXY: '127.0.0.1',
  };
  for (const port of webPorts) {
    children.push(
      start(process.execPath, [cli, 'serve', '--no-worker', '--no-watch', '--port', String(port)], env),
    );
    await waitFor200(`http://127.0.0.1:${port}/notes/${slug}`, performance.now());
  }
  // The same bytes nginx would get from errorbudget, as a file nginx serves itself.
  const page = Buffer.from(
    await (
      await fetch(`http://127.0.0.1:${webPorts[0]}/notes/${slug}`, {
        headers: { 'accept-encoding': 'identity' },
      })
    ).arrayBuffer(),
  );
  await writeFile(join(work, 'note.html'), page);
  const directPort = await freePort();
  const direct = `server { listen 127.0.0.1:${directPort} ssl http2; ssl_certificate ${cert.cert}; ssl_certificate_key ${cert.key};
    access_log off; location / { root ${work}; default_type text/html; try_files /note.html =404; } }`;

  const results: Record<string, WrkResult[]> = {
    'nginx, file': [],
    'nginx → 1 process': [],
    'nginx → 2 processes': [],
  };
  const measure = async (name: string, port: number) => {
    const url = `https://127.0.0.1:${port}/notes/${slug}`;
    (results[name] as WrkResult[]).push(
      await wrk(url, seconds, connections, ['Host: localhost', 'Accept-Encoding: identity']),
    );
  };
  // Two nginx instances with the shipped site, one per upstream set, measured in turn within each round,
  // so that load from elsewhere falls on all three alike.
  const one = { port: await freePort(), upstreams: [webPorts[0] as number] };
  const two = { port: await freePort(), upstreams: webPorts };
  for (const [i, setup] of [one, two].entries())
    nginxes.push(
      await startNginx({
        dir: join(work, `nginx-${setup.upstreams.length}`),
        upstreams: setup.upstreams,
        httpsPort: setup.port,
        httpPort: await freePort(),
        cert,
        ...(i === 0 ? { extraHttp: direct } : {}),
        workers: 2,
      }),
    );
  for (let round = 0; round < rounds; round++) {
    await measure('nginx, file', directPort);
    await measure('nginx → 1 process', one.port);
    await measure('nginx → 2 processes', two.port);
  }

  const rps = (name: string) => median((results[name] ?? []).map((r) => r.requestsPerSecond));
  const p99 = (name: string) => median((results[name] ?? []).map((r) => r.p99Ms));
  console.log(
    `note page over TLS (${page.length} bytes, identity), wrk -t1 -c${connections}, ${rounds} × ${seconds} s, medians:`,
  );
  for (const name of Object.keys(results))
    console.log(
      `  ${name.padEnd(22)} ${rps(name).toFixed(0).padStart(7)} req/s   p99 ${p99(name).toFixed(2)} ms`,
    );
  console.log(
    `  through the proxy / nginx serving the file: ${((100 * rps('nginx → 1 process')) / rps('nginx, file')).toFixed(0)}%`,
  );
  console.log(
    `  two processes / one process behind nginx:   ${(rps('nginx → 2 processes') / rps('nginx → 1 process')).toFixed(2)}×`,
  );
} finally {
  for (const nginx of nginxes) await nginx.stop();
  for (const child of children) await stop(child);
  await rm(work, { recursive: true, force: true });
}
