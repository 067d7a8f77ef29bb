// Requests/s and p99 latency of one note page served by `errorbudget serve`, next to the same page as a
// static file from nginx (1 worker, like our 1 process) and from a bare Node `http` server returning a
// Buffer (the floor for any Node server), all on loopback in the same run, driven by wrk.
// Usage: npm run build && npx tsx bench/site-throughput.ts [CONTENT_DIR]   (ROUNDS=5 SECONDS=6)
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { securityHeaders } from '../src/site/security-headers.js';
import { cli, freePort, median, root, run, start, stop, type WrkResult, waitFor200, wrk } from './support.js';

const rounds = Number(process.env.ROUNDS ?? 5);
const seconds = Number(process.env.SECONDS ?? 6);
const connections = 32;
const contentDir = resolve(process.argv[2] ?? join(root, 'content'));

const work = await mkdtemp(join(tmpdir(), 'eb-bench-'));
const children: ReturnType<typeof start>[] = [];
try {
  const site = join(work, 'site');
  await run(process.execPath, [cli, 'export', site, '--content', contentDir], {
    env: { ...process.env, DATA_DIR: join(work, 'data') },
  });
  const notes = (await readdir(join(site, 'notes'))).filter((name) => name.endsWith('.html')).sort();
  if (notes.length === 0) throw new Error(`${contentDir} has no published note`);
  const path = `/notes/${(notes[0] ?? '').replace(/\.html$/, '')}`;
  const file = join(site, `${path}.html`);
  const body = await readFile(file);
  await writeFile(`${file}.gz`, gzipSync(body, { level: 9 }));

  const [ours, nginxPort, barePort] = [await freePort(), await freePort(), await freePort()];
  // nginx sends the same security headers as we do, so both answers carry the same bytes.
  const addHeaders = Object.entries(securityHeaders)
    .map(([name, value]) => `add_header ${name} "${value}";`)
    .join(' ');
  await writeFile(
    join(work, 'nginx.conf'),
    `daemon off; worker_processes 1; pid ${work}/nginx.pid; error_log ${work}/nginx-error.log;
events { worker_connections 4096; }
http { access_log off; include /etc/nginx/mime.types; etag on; gzip_static on;
  client_body_temp_path ${work}; proxy_temp_path ${work}; fastcgi_temp_path ${work}; uwsgi_temp_path ${work}; scgi_temp_path ${work};
  server { listen 127.0.0.1:${nginxPort}; root ${site}; ${addHeaders}
    location / { try_files $uri $uri.html $uri/index.html =404; } } }`,
  );
  const bare = `const b=require('fs').readFileSync(${JSON.stringify(file)});require('http').createServer((q,s)=>{s.writeHead(200,{'content-type':'text/html; charset=utf-8','content-length':b.length});s.end(b)}).listen(${barePort},'127.0.0.1')`;

  children.push(start('nginx', ['-c', join(work, 'nginx.conf')]));
  children.push(start(process.execPath, ['-e', bare]));
  children.push(
    start(process.execPath, [cli, 'serve', '--content', contentDir, '--port', String(ours), '--no-watch'], {
      DATA_DIR: join(work, 'data'),
      LOG_LEVEL: 'warn',
    }),
  );
  const servers = { errorbudget: ours, nginx: nginxPort, 'node http': barePort };
  for (const port of Object.values(servers))
    await waitFor200(`http://127.0.0.1:${port}${path}`, performance.now());

  console.log(
    `page ${path} (${body.length} bytes), ${rounds} rounds of ${seconds} s, wrk -t1 -c${connections}, 2 cores`,
  );
  for (const [label, headers] of [
    ['identity', []],
    ['gzip', ['Accept-Encoding: gzip']],
  ] as const) {
    const results: Record<string, WrkResult[]> = { errorbudget: [], nginx: [], 'node http': [] };
    // Warm-up: JIT, the page's compressed bodies, TCP buffers.
    for (const port of Object.values(servers))
      await wrk(`http://127.0.0.1:${port}${path}`, 2, connections, [...headers]);
    for (let round = 0; round < rounds; round++) {
      const order = Object.entries(servers);
      if (round % 2) order.reverse();
      for (const [name, port] of order)
        results[name]?.push(await wrk(`http://127.0.0.1:${port}${path}`, seconds, connections, [...headers]));
    }
    const rps = (name: string) => median((results[name] ?? []).map((r) => r.requestsPerSecond));
    const p99 = (name: string) => median((results[name] ?? []).map((r) => r.p99Ms));
    console.log(`\n${label}:`);
    for (const name of Object.keys(servers))
      console.log(
        `  ${name.padEnd(12)} ${rps(name).toFixed(0).padStart(7)} req/s  p99 ${p99(name).toFixed(2)} ms  (median of ${rounds})`,
      );
    console.log(
      `  errorbudget / nginx: ${((100 * rps('errorbudget')) / rps('nginx')).toFixed(0)}% of requests/s`,
    );
    console.log(
      `  node http / nginx:   ${((100 * rps('node http')) / rps('nginx')).toFixed(0)}% of requests/s`,
    );
  }
} finally {
  for (const child of children) await stop(child);
  await rm(work, { recursive: true, force: true });
}
