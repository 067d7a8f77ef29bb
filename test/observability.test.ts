import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestDatabase } from './support/databases.js';
import { processSetting } from './support/process-setting.js';
import { runCli } from './support/run-cli.js';
import { printed, type ServeProcess, startServe, startWorker, stopped } from './support/serve-process.js';
import { fixtureContent } from './support/site-app.js';
import { linkIn, type SmtpSink } from './support/smtp-sink.js';

const token = 'metrics-token-0123456789abcdef0123456789';

/** The value of one sample in Prometheus' text format, or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function eventually(read: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  for (const until = Date.now() + timeoutMs; Date.now() < until; ) {
    if (await read()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition not met in time');
}

describe('health, readiness and metrics of a web and a worker process', () => {
  let t: TestDatabase;
  let smtp: SmtpSink;
  let env: Record<string, string>;
  const running: ServeProcess[] = [];
  beforeEach(async () => {
    ({ t, smtp, env } = await processSetting('sqlite'));
  });
  afterEach(async () => {
    for (const p of running.splice(0)) await stopped(p.child, 'SIGTERM');
    await smtp.close();
    await t.drop();
  });

  it('serves metrics only with the token or on loopback, and counts subscribing and delivering', async () => {
    const web = await startServe(['--content', fixtureContent, '--no-worker'], {
      ...env,
      METRICS_TOKEN: token,
    });
    running.push(web);
    const worker = await startWorker(['--content', fixtureContent], { ...env, METRICS_PORT: '0' });
    running.push(worker);
    const bearer = { authorization: `Bearer ${token}` };

    // The web process: /metrics on its public port needs the bearer token.
    const anonymous = await fetch(`${web.url}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect(await anonymous.text()).not.toContain('errorbudget_');
    expect((await fetch(`${web.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(
      401,
    );
    expect((await fetch(`${web.url}/metrics`, { headers: bearer })).status).toBe(200);
    const health = await fetch(`${web.url}/healthz`);
    expect(health.status).toBe(200);
    // `rendering`: notes a fresh start has still to render behind its first answers.
    expect(await health.json()).toEqual({ status: 'ok', notes: 2, rendering: expect.any(Number) });
    const ready = await fetch(`${web.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { database: 'ok', migrations: 'ok', worker: 'not run in this process' },
    });

    // The worker: no public port; its own listener on loopback, without a token there.
    expect(worker.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${worker.url}/metrics`)).status).toBe(200);
    const workerReady = await fetch(`${worker.url}/readyz`);
    expect(await workerReady.json()).toEqual({
      status: 'ready',
      checks: { database: 'ok', migrations: 'ok', worker: 'ok' },
    });

    // A page from memory, a subscription whose first mail the relay defers once, and a confirmation.
    expect((await fetch(`${web.url}/`)).status).toBe(200);
    smtp.reject(1, 451);
    const subscribed = await fetch(`${web.url}/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'counted@example.com', form: 'hero' }),
    });
    expect(subscribed.status).toBe(200);
    const [confirmation] = await smtp.waitFor(1, 30_000);
    if (!confirmation) throw new Error('no confirmation');
    const confirmPath = new URL(linkIn(confirmation, '/confirm/')).pathname;
    const confirmed = await fetch(`${web.url}${confirmPath}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain('You are subscribed');

    const webMetrics = await (await fetch(`${web.url}/metrics`, { headers: bearer })).text();
    expect(sample(webMetrics, 'errorbudget_page_cache_hits_total')).toBeGreaterThanOrEqual(1);
    expect(
      sample(
        webMetrics,
        'errorbudget_http_request_duration_seconds_count{route="page",method="GET",status_code="200"}',
      ),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(
        webMetrics,
        'errorbudget_http_request_duration_seconds_count{route="/subscribe",method="POST",status_code="200"}',
      ),
    ).toBe(1);
    // The route's pattern, never the token in the URL.
    expect(
      sample(
        webMetrics,
        'errorbudget_http_request_duration_seconds_count{route="/confirm/:token",method="POST",status_code="303"}',
      ),
    ).toBe(1);
    expect(webMetrics).not.toContain(confirmPath);
    expect(sample(webMetrics, 'errorbudget_subscriptions_total{action="request",outcome="recorded"}')).toBe(
      1,
    );
    expect(sample(webMetrics, 'errorbudget_subscriptions_total{action="confirm",outcome="confirmed"}')).toBe(
      1,
    );
    expect(webMetrics).toContain('process_cpu_user_seconds_total');
    expect(webMetrics).toContain('nodejs_eventloop_lag_seconds');

    // The held issue of a published note, resumed: the worker mails it to the new reader.
    const resumed = await runCli(['resume', 'restore-drills'], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    await smtp.waitFor(3, 30_000);
    let workerMetrics = '';
    await eventually(async () => {
      workerMetrics = await (await fetch(`${worker.url}/metrics`)).text();
      return (
        sample(
          workerMetrics,
          'errorbudget_deliveries_total{path="issue",outcome="sent",reply_class="accepted"}',
        ) === 1
      );
    });
    expect(
      sample(
        workerMetrics,
        'errorbudget_deliveries_total{path="outbox",outcome="retry",reply_class="transient"}',
      ),
    ).toBe(1);
    // The confirmation (on its second try) and the welcome mail.
    expect(
      sample(
        workerMetrics,
        'errorbudget_deliveries_total{path="outbox",outcome="sent",reply_class="accepted"}',
      ),
    ).toBe(2);
    expect(
      sample(workerMetrics, 'errorbudget_subscriptions_total{action="decide",outcome="confirmation-queued"}'),
    ).toBe(1);
    expect(sample(workerMetrics, 'errorbudget_outbox_depth{status="queued"}')).toBe(0);
    expect(sample(workerMetrics, 'errorbudget_outbox_oldest_due_seconds')).toBe(0);
  });

  it('logs JSON lines with ISO-8601 times, and error pages carry the id of their log line', async () => {
    const web = await startServe(['--content', fixtureContent, '--no-worker'], env);
    running.push(web);
    // Without METRICS_TOKEN there are no metrics on the public port at all.
    expect((await fetch(`${web.url}/metrics`)).status).toBe(404);
    const response = await fetch(`${web.url}/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml', accept: 'text/html' },
      body: '<email>someone@example.com</email>',
    });
    expect(response.status).toBe(415);
    const id = response.headers.get('x-request-id');
    expect(id).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(await response.text()).toContain(`Reference: ${id}`);
    const lines = web
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines)
      expect(JSON.parse(line).time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // Another request gets another id, whichever process would answer it.
    const again = await fetch(`${web.url}/subscribe`, {
      method: 'POST',
      body: 'email=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(again.headers.get('x-request-id')).not.toBe(id);
  });

  it('a metrics listener on a public address needs the token', async () => {
    const refused = await runCli(['worker', '--content', fixtureContent], {
      ...env,
      METRICS_PORT: '0',
      METRICS_HOST: '0.0.0.0',
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'errorbudget: configuration: METRICS_HOST: 0.0.0.0 is not a loopback address; metrics there need METRICS_TOKEN, or they would be public\n',
    );
    const worker = await startWorker(['--content', fixtureContent], {
      ...env,
      METRICS_PORT: '0',
      METRICS_HOST: '0.0.0.0',
      METRICS_TOKEN: token,
    });
    running.push(worker);
    const url = await printed(worker, /health and metrics at (http:\/\/\S+?:\d+)/);
    const port = new URL(url).port;
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
    expect(
      (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${token}` } }))
        .status,
    ).toBe(200);
    // Health and readiness carry nothing secret: no token needed.
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });
});
