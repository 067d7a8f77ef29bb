import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';

describe('loadConfig', () => {
  it('needs nothing to start: every setting has a default', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'eb-config-'));
    const config = loadConfig({}, {}, cwd);
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      siteUrl: 'http://127.0.0.1:3000',
      dataDir: join(cwd, 'data'),
      databaseUrl: `sqlite:${join(cwd, 'data', 'errorbudget.db')}`,
      smtpUrl: undefined,
      subscribeRateLimit: 10,
      trustProxy: false,
    });
  });

  it('reads .env, lets the environment override it, and the command line override both', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'eb-config-'));
    await writeFile(
      join(cwd, '.env'),
      'PORT=4000\nSITE_URL=https://example.org/\nTRUST_PROXY=10.0.0.1, 10.0.0.2\n',
    );
    expect(loadConfig({}, {}, cwd)).toMatchObject({
      port: 4000,
      siteUrl: 'https://example.org',
      trustProxy: ['10.0.0.1', '10.0.0.2'],
    });
    expect(loadConfig({ PORT: '5000' }, {}, cwd).port).toBe(5000);
    expect(loadConfig({ PORT: '5000' }, { PORT: '6000' }, cwd).port).toBe(6000);
  });

  it.each([
    ['10.0.0.1, 10.0.0.2', ['10.0.0.1', '10.0.0.2']],
    ['10.0.0.0/8,fd00::/8,::1', ['10.0.0.0/8', 'fd00::/8', '::1']],
    ['2', 2],
    ['false', false],
    ['0', false],
  ])('trusts only the proxies TRUST_PROXY=%s names', (value, trustProxy) => {
    expect(loadConfig({ TRUST_PROXY: value }, {}, tmpdir()).trustProxy).toEqual(trustProxy);
  });

  it('takes a site folder of its own (one with a site.yml) as the content folder when run inside it', async () => {
    const site = await mkdtemp(join(tmpdir(), 'eb-own-site-'));
    expect(loadConfig({}, {}, site).contentDir).toBe(join(site, 'content'));
    await writeFile(join(site, 'site.yml'), 'title: x\n');
    expect(loadConfig({}, {}, site).contentDir).toBe(site);
    expect(loadConfig({ CONTENT_DIR: 'elsewhere' }, {}, site).contentDir).toBe(join(site, 'elsewhere'));
  });

  it('reads SUBSCRIBE_ORIGINS as a list of origins, none by default', () => {
    expect(loadConfig({}, {}, tmpdir()).subscribeOrigins).toEqual([]);
    expect(
      loadConfig({ SUBSCRIBE_ORIGINS: 'https://example.com, http://127.0.0.1:8080/' }, {}, tmpdir())
        .subscribeOrigins,
    ).toEqual(['https://example.com', 'http://127.0.0.1:8080']);
  });

  it('keeps ledger checkpoints in the data folder unless LEDGER_CHECKPOINT_FILE says otherwise', () => {
    const cwd = tmpdir();
    expect(loadConfig({ DATA_DIR: 'd' }, {}, cwd).ledgerCheckpointFile).toBe(
      join(cwd, 'd', 'ledger-checkpoints'),
    );
    expect(loadConfig({ LEDGER_CHECKPOINT_FILE: '/mnt/other/cp' }, {}, cwd).ledgerCheckpointFile).toBe(
      '/mnt/other/cp',
    );
  });

  it('keeps metrics off and on loopback unless told, and stops within 25 s by default', () => {
    const config = loadConfig({}, {}, tmpdir());
    expect(config.metrics).toEqual({ port: undefined, host: '127.0.0.1', token: undefined });
    expect(config.shutdownMs).toBe(25_000);
    const token = 'x'.repeat(32);
    expect(
      loadConfig({ METRICS_PORT: '9464', METRICS_HOST: '10.0.0.5', METRICS_TOKEN: token }, {}, tmpdir())
        .metrics,
    ).toEqual({ port: 9464, host: '10.0.0.5', token });
  });

  it.each([
    [{ PORT: 'eighty' }, 'configuration: PORT: must be a number'],
    [{ PORT: '70000' }, 'configuration: PORT: must be at most 65535'],
    [{ SITE_URL: 'example.com' }, 'configuration: SITE_URL: must be a URL such as https://example.com'],
    [
      { LOG_LEVEL: 'loud' },
      'configuration: LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent',
    ],
    [{ DATABASE_URL: 'mysql://x' }, 'configuration: DATABASE_URL: must start with sqlite: or postgres://'],
    [{ SMTP_URL: 'http://relay' }, 'configuration: SMTP_URL: must start with smtp:// or smtps://'],
    [{ SECRET: 'short' }, 'configuration: SECRET: must be at least 32 characters'],
    [{ SUBSCRIBE_RATE_LIMIT: '0' }, 'configuration: SUBSCRIBE_RATE_LIMIT: must be at least 1'],
    [
      { TRUST_PROXY: 'true' },
      "configuration: TRUST_PROXY: true would believe any client's X-Forwarded-For; write the proxy addresses or networks (TRUST_PROXY=127.0.0.1 or 10.0.0.0/8, comma-separated) or the number of proxies in front (TRUST_PROXY=1)",
    ],
    [
      { TRUST_PROXY: 'yes please' },
      'configuration: TRUST_PROXY: "yes please" is not an address or network; write',
    ],
    [
      { TRUST_PROXY: '10.0.0.0/33' },
      'configuration: TRUST_PROXY: "10.0.0.0/33" is not an address or network',
    ],
    [{ TRUST_PROXY: '10.0.0.1,*' }, 'configuration: TRUST_PROXY: "*" is not an address or network'],
    [{ METRICS_TOKEN: 'short' }, 'configuration: METRICS_TOKEN: must be at least 32 characters'],
    [
      { METRICS_HOST: '0.0.0.0' },
      'configuration: METRICS_HOST: 0.0.0.0 is not a loopback address; metrics there need METRICS_TOKEN, or they would be public',
    ],
    [{ SHUTDOWN_SECONDS: '0' }, 'configuration: SHUTDOWN_SECONDS: must be at least 1'],
    [
      { SUBSCRIBE_ORIGINS: 'https://example.com/blog' },
      'configuration: SUBSCRIBE_ORIGINS: "https://example.com/blog" is not an origin such as https://example.com',
    ],
    [
      { SUBSCRIBE_ORIGINS: '*' },
      'configuration: SUBSCRIBE_ORIGINS: "*" is not an origin such as https://example.com',
    ],
  ])('rejects %o with one line naming the setting', (env, message) => {
    expect(() => loadConfig(env, {}, tmpdir())).toThrow(message);
  });
});
