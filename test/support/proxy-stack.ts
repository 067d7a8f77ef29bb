// The shipped nginx site (deploy/nginx/errorbudget.conf) run by Debian's nginx as a child process, in
// front of real errorbudget processes. Only ports, certificate and upstream addresses are changed.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const nginxBinary = '/usr/sbin/nginx';
const _entry = fileURLToPath(new URL('./cli-entry.ts', import.meta.url));
const shippedSite = fileURLToPath(new URL('../../deploy/nginx/errorbudget.conf', import.meta.url));

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

/** A self-signed certificate for localhost and 127.0.0.1, made for the test. */
export function selfSignedCert(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

export interface NginxOptions {
  dir: string;
  upstreams: number[];
  httpsPort: number;
  httpPort: number;
  cert: { cert: string; key: string };
  /** Extra `server`/`location` text for the bench's direct-file comparison. */
  extraHttp?: string;
  /** nginx worker processes (default 1). */
  workers?: number;
}

/** The shipped site with this run's ports, certificate and upstreams, inside a minimal nginx.conf. */
export function nginxConfig(o: NginxOptions): string {
  const site = readFileSync(shippedSite, 'utf8')
    .replace(/ {4}server 127\.0\.0\.1:300\d [^\n]*\n/g, '')
    .replace(
      'keepalive 32;',
      `${o.upstreams.map((p) => `server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`).join('\n    ')}\n    keepalive 32;`,
    )
    .replace(/ {4}listen \[::\]:\d+[^\n]*\n/g, '')
    .replace('listen 80;', `listen 127.0.0.1:${o.httpPort};`)
    .replace('listen 443 ssl http2;', `listen 127.0.0.1:${o.httpsPort} ssl http2;`)
    .replace(/ssl_certificate \S+;/, `ssl_certificate ${o.cert.cert};`)
    .replace(/ssl_certificate_key \S+;/, `ssl_certificate_key ${o.cert.key};`);
  const temp = (name: string) => `${name}_temp_path ${join(o.dir, `${name}-temp`)};`;
  return `pid ${join(o.dir, 'nginx.pid')};
error_log ${join(o.dir, 'error.log')} warn;
worker_processes ${o.workers ?? 1};
${process.getuid?.() === 0 ? 'user root root;' : ''}
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join('\n  ')}
  ${site}
  ${o.extraHttp ?? ''}
}
`;
}

export interface Nginx {
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startNginx(o: NginxOptions): Promise<Nginx> {
  mkdirSync(o.dir, { recursive: true });
  chmodSync(o.dir, 0o755);
  const conf = join(o.dir, 'nginx.conf');
  writeFileSync(conf, nginxConfig(o));
  execFileSync(nginxBinary, ['-t', '-q', '-p', o.dir, '-c', conf], { stdio: 'pipe' });
  const child = spawn(nginxBinary, ['-p', o.dir, '-c', conf, '-g', 'daemon off;'], { stdio: 'ignore' });
  await waitForPort(o.httpsPort, 10_000);
  return {
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('close', () => resolve());
        child.kill('SIGQUIT');
      }),
  };
}

export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const { connect } = await import('node:net');
  const until = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > until) throw new Error(`nothing listens on port ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTPS request through the proxy, from a chosen loopback address (each one a different client). */
export function httpsRequest(
  port: number,
  ca: Buffer,
  path: string,
  o: { method?: string; headers?: Record<string, string>; body?: string; from?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        servername: 'localhost',
        port,
        path,
        method: o.method ?? 'GET',
        ca,
        headers: { host: 'localhost', ...o.headers },
        ...(o.from ? { localAddress: o.from } : {}),
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.setTimeout(15_000, () => req.destroy(new Error(`timeout on ${path}`)));
    req.on('error', reject);
    req.end(o.body);
  });
}
