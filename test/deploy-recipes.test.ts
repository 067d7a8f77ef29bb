// The shipped deploy recipes, checked as far as this machine allows: systemd parses every unit, the
// hardening and restart policy are there, the container runs deploy/build.sh as a non-root user with a
// health check, compose runs web and worker processes on PostgreSQL, and every TRUST_PROXY they set is
// one errorbudget accepts.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseTrustProxy } from '../src/config/trust-proxy.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const deploy = join(root, 'deploy');
const read = (path: string) => readFileSync(join(deploy, path), 'utf8');
const units = readdirSync(join(deploy, 'systemd'));
const systemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
if (!systemdAnalyze) {
  if (process.env.CI === 'true')
    throw new Error('CI=true but systemd-analyze is missing (apt-get install -y systemd)');
  console.warn(
    'notice: systemd-analyze is not installed (apt-get install -y systemd); the unit check is skipped',
  );
}

const caddy = spawnSync('caddy', ['version']).status === 0;
if (!caddy)
  console.warn('notice: caddy is not installed (apt-get install -y caddy); the Caddyfile is not validated');

describe('the systemd units', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eb-units-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.skipIf(!systemdAnalyze)('pass systemd-analyze verify without a warning', () => {
    // Only the paths of this machine change: verify checks that ExecStart's program exists.
    const names: string[] = [];
    for (const unit of units) {
      const text = read(`systemd/${unit}`)
        .replaceAll('/usr/bin/node', process.execPath)
        .replaceAll('/opt/errorbudget', root.replace(/\/$/, ''));
      const name = unit.replace('@.service', '@3000.service');
      writeFileSync(join(dir, name), text);
      names.push(`./${name}`);
    }
    const result = spawnSync('systemd-analyze', ['verify', '--man=no', ...names], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it.each(units.filter((u) => u.endsWith('.service')))('%s runs hardened as its own user', (unit) => {
    const text = read(`systemd/${unit}`);
    for (const line of [
      'User=errorbudget',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ReadWritePaths=/var/lib/errorbudget',
      'CapabilityBoundingSet=',
      'UMask=0077',
    ])
      expect(text.split('\n')).toContain(line);
    if (!unit.includes('backup')) expect(text).toMatch(/^Restart=on-failure$/m);
    expect(text).not.toMatch(/^MemoryDenyWriteExecute=yes/m);
  });

  it('backs up on a timer that catches up after downtime, into an archive named by time', () => {
    expect(read('systemd/errorbudget-backup.timer')).toMatch(/^OnCalendar=.+\n[\s\S]*^Persistent=true$/m);
    expect(read('systemd/errorbudget-backup.service')).toMatch(
      /errorbudget\.js backup "\/var\/backups\/errorbudget\/errorbudget-\$\$\(date -u \+%%Y%%m%%dT%%H%%M%%SZ\)\.tar\.gz"/,
    );
  });

  it('sets a TRUST_PROXY that errorbudget accepts, and no other', () => {
    for (const unit of units) {
      for (const [, value] of read(`systemd/${unit}`).matchAll(/TRUST_PROXY=(\S+)/g))
        expect(parseTrustProxy(value as string)).toEqual(['127.0.0.1']);
    }
  });
});

describe('the container', () => {
  const dockerfile = read('Dockerfile');
  const compose = parse(read('compose.yaml'), { merge: true }) as {
    services: Record<
      string,
      {
        command?: string[];
        environment?: Record<string, string>;
        depends_on?: object;
        healthcheck?: object;
        image?: string;
        stop_grace_period?: string;
      }
    >;
  };

  it('is built in a separate stage by deploy/build.sh and runs as a non-root user with a health check', () => {
    const stages = dockerfile.match(/^FROM /gm) ?? [];
    expect(stages.length).toBe(2);
    expect(dockerfile).toMatch(/^RUN deploy\/build\.sh \/app$/m);
    expect(dockerfile).toMatch(/^COPY --from=build \/app \/app$/m);
    expect(dockerfile).toMatch(/^USER errorbudget$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK [\s\S]*\/healthz/m);
    expect(existsSync(join(deploy, 'build.sh'))).toBe(true);
    expect(execFileSync('bash', ['-n', join(deploy, 'build.sh')]).toString()).toBe('');
  });

  it('composes PostgreSQL, two web processes and a worker, trusting only the proxy network', () => {
    const { postgres, web1, web2, worker } = compose.services;
    expect(postgres?.healthcheck).toBeDefined();
    for (const web of [web1, web2])
      expect(web?.command?.slice(2)).toEqual(['serve', '--no-worker', '--no-watch']);
    expect(worker?.command?.slice(2)).toEqual(['worker', '--no-watch']);
    for (const service of [web1, web2, worker]) {
      // Longer than SHUTDOWN_SECONDS' default (25 s), so a stopping container drains before it is killed.
      expect(service?.stop_grace_period).toBe('30s');
      expect(service?.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
      expect(service?.environment?.DATABASE_URL).toMatch(
        /^postgres:\/\/errorbudget:.*@postgres:5432\/errorbudget$/,
      );
    }
    for (const web of [web1, web2])
      expect(parseTrustProxy(web?.environment?.TRUST_PROXY ?? '')).toEqual(['172.30.0.1']);
    expect(worker?.environment?.METRICS_PORT).toBe('9464');
    expect(worker?.healthcheck).toMatchObject({
      test: expect.arrayContaining([expect.stringContaining('127.0.0.1:9464/healthz')]),
    });
  });
});

describe('the proxies', () => {
  it('nginx replaces a client X-Forwarded-For rather than appending to it, and sends HSTS', () => {
    const conf = read('nginx/errorbudget.conf');
    expect(conf).toMatch(/proxy_set_header X-Forwarded-For \$remote_addr;/);
    expect(conf).not.toContain('$proxy_add_x_forwarded_for');
    expect(conf).toMatch(/add_header Strict-Transport-Security "max-age=\d+" always;/);
  });

  it.skipIf(!caddy)('Caddy accepts the Caddyfile', async () => {
    const home = await mkdtemp(join(tmpdir(), 'eb-caddy-'));
    try {
      const result = spawnSync(
        'caddy',
        ['validate', '--config', join(deploy, 'Caddyfile'), '--adapter', 'caddyfile'],
        {
          encoding: 'utf8',
          env: { ...process.env, HOME: home, XDG_DATA_HOME: home, XDG_CONFIG_HOME: home },
        },
      );
      expect(result.stdout + result.stderr).toContain('Valid configuration');
      expect(result.status).toBe(0);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('Caddy proxies to the same processes and trusts no client forwarding header', () => {
    const caddy = read('Caddyfile');
    expect(caddy).toMatch(/reverse_proxy 127\.0\.0\.1:3000 127\.0\.0\.1:3001/);
    expect(caddy).not.toMatch(/^\s*trusted_proxies/m);
  });
});
