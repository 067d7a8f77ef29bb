// A SITE_URL that is a bare IP makes the default From an address mail providers refuse: `serve` says so
// in one log line at start, naming MAIL_FROM.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ServeProcess, startServe, stopped } from './support/serve-process.js';
import { fixtureContent } from './support/site-app.js';
import { type SmtpSink, startSmtpSink } from './support/smtp-sink.js';

describe('serve with a bare-IP SITE_URL', () => {
  let serve: ServeProcess | undefined;
  let sink: SmtpSink | undefined;
  afterEach(async () => {
    if (serve) await stopped(serve.child, 'SIGTERM');
    await sink?.close();
  });

  it('warns once, in one line, that MAIL_FROM should be set', async () => {
    sink = await startSmtpSink();
    serve = await startServe(['--content', fixtureContent, '--site-url', 'http://192.0.2.10:8080'], {
      DATA_DIR: await mkdtemp(join(tmpdir(), 'eb-data-')),
      SMTP_URL: sink.url,
    });
    const warnings = serve
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg: string })
      .filter((entry) => entry.msg.includes('MAIL_FROM'));
    expect(warnings).toEqual([
      {
        ...warnings[0],
        level: 40,
        msg: 'MAIL_FROM is not set and SITE_URL (http://192.0.2.10:8080) is an IP address, so mail goes out from newsletter@192.0.2.10, which mail providers refuse: set MAIL_FROM to an address at your own domain, such as "Your site" <newsletter@example.com>',
      },
    ]);
  }, 180_000);
});
