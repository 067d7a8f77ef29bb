import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorBudgets } from '../src/observability/error-budget.js';
import { engines, type TestDatabase } from './support/databases.js';
import { processSetting } from './support/process-setting.js';
import { type ServeProcess, startServe, stopped } from './support/serve-process.js';
import { fixtureContent } from './support/site-app.js';
import type { SmtpSink } from './support/smtp-sink.js';

/** Three `serve` starts, each 15 s on this two-core machine under load: a bound, not a figure. */
const slow = 240_000;

describe.each(engines)('the availability budget of real serve processes on %s', (engine) => {
  let t: TestDatabase;
  let smtp: SmtpSink;
  let env: Record<string, string>;
  const running: ServeProcess[] = [];
  beforeEach(async () => {
    ({ t, smtp, env } = await processSetting(engine));
  });
  afterEach(async () => {
    for (const p of running.splice(0)) await stopped(p.child, 'SIGKILL');
    await smtp.close();
    await t.drop();
  });

  const serve = async () => {
    const web = await startServe(['--content', fixtureContent, '--no-worker'], env);
    running.push(web);
    return web;
  };
  const stop = async (web: ServeProcess) => {
    running.splice(running.indexOf(web), 1);
    await stopped(web.child, 'SIGTERM');
  };
  const statuses = (web: ServeProcess, paths: string[]) =>
    Promise.all(paths.map(async (path) => (await fetch(`${web.url}${path}`)).status));
  const availability = async () => {
    const budgets = await errorBudgets({
      db: t.db,
      targets: { availability: 99.9, confirmation: 99, delivery: 99 },
      now: new Date(),
    });
    return budgets.find((b) => b.slo === 'availability');
  };

  it('adds up what two processes answered, and what a restarted one answers after', {
    timeout: slow,
  }, async () => {
    const first = await serve();
    const second = await serve();
    expect(await statuses(first, ['/', '/notes/restore-drills', '/no-such-page'])).toEqual([200, 200, 404]);
    expect(await statuses(second, ['/', '/notes'])).toEqual([200, 200]);
    // Each writes its counts as it stops (SIGTERM), into the same minutes.
    await stop(first);
    await stop(second);
    expect(await availability()).toMatchObject({ good: 5, total: 5, remaining: 1, burnRate: 0 });

    const restarted = await serve();
    expect(await statuses(restarted, ['/'])).toEqual([200]);
    await stop(restarted);
    expect(await availability()).toMatchObject({ good: 6, total: 6 });
  });
});
