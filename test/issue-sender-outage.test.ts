import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { IssueSender } from '../src/delivery/issue-sender.js';
import { mailboxRelay } from '../src/delivery/relay.js';
import { createLogger } from '../src/observability/logger.js';
import { readerActions } from '../src/subscriptions/suppress.js';
import { createTestDatabase } from './support/databases.js';

describe('the issue sender when its database goes away', () => {
  it('counts lanes failing together as one failure: the pause starts at 2 s, not at 2 s doubled per lane', async () => {
    const t = await createTestDatabase('sqlite');
    const lines: { msg: string; retryInMs?: number }[] = [];
    const log = createLogger(
      'warn',
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(JSON.parse(String(chunk)));
          done();
        },
      }),
    );
    const sender = new IssueSender({
      db: t.db,
      clock: systemClock,
      log,
      relay: mailboxRelay(await mkdtemp(join(tmpdir(), 'eb-mailbox-')), () => new Date()),
      actions: readerActions('sqlite'),
      composerFor: () => {
        throw new Error('no issue is sent in this test');
      },
      workerId: 'test',
      lanes: 8,
      pollMs: 50,
    });
    // Every lane's next query fails at once, as when the database is restarted under them.
    await t.db.close();
    sender.start();
    await new Promise((r) => setTimeout(r, 500));
    await sender.stop();
    const failures = lines.filter(
      (l) => l.msg === 'issue delivery: the relay or the database failed; retrying',
    );
    expect(failures.map((f) => f.retryInMs)).toEqual([2000]);
    await t.drop();
  });
});
