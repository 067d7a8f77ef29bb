import { describe, expect, it } from 'vitest';
import type { Issue } from '../db/schema.js';
import type { IssueProgress } from '../delivery/issue-progress.js';
import { issueFigures } from './issue-figures.js';

const issue = (over: Partial<Issue>): Issue => ({
  id: 7,
  note_slug: 'restore-drills',
  subject: 'Restore drills',
  summary: '',
  note_url: '',
  html: '',
  text: '',
  state: 'sending',
  hold_reason: null,
  last_error: null,
  published_at: '2026-11-13T09:00:00.000Z',
  created_at: '2026-11-26T09:00:00.000Z',
  snapshot_at: '2026-11-26T09:00:00.000Z',
  snapshot_max_subscriber_id: 1500,
  recipients: 1500,
  finished_at: null,
  ...over,
});

const progress = (over: Partial<IssueProgress>): IssueProgress => ({
  issue: issue({}),
  sent: 0,
  failed: 0,
  retrying: 0,
  bounced: 0,
  remaining: 1500,
  rate: undefined,
  etaSeconds: undefined,
  ...over,
});

describe('an issue’s figures as the admin prints them', () => {
  it('counts the settled readers and formats each figure once, for the page and the stream alike', () => {
    const f = issueFigures(
      progress({ sent: 1234, failed: 6, retrying: 10, remaining: 250, rate: 41.25, etaSeconds: 6.1 }),
    );
    expect(f.settled).toBe(1240);
    expect(f.final).toBe(false);
    expect(f.text).toMatchObject({
      sent: '1,234',
      deferred: '10',
      percent: '82 %',
      rate: '41.3 mails/s',
      eta: '7 s',
      started: '2026-11-26 09:00:00 UTC',
      finished: '–',
    });
  });

  it('is final once done or cancelled, and an issue without readers is complete', () => {
    const done = issueFigures(progress({ issue: issue({ state: 'done', recipients: 0 }), remaining: 0 }));
    expect(done.final).toBe(true);
    expect(done.text.percent).toBe('100 %');
    expect(issueFigures(progress({ issue: issue({ state: 'cancelled' }) })).final).toBe(true);
    expect(issueFigures(progress({ issue: issue({ state: 'held', snapshot_at: null }) })).text.started).toBe(
      '–',
    );
  });

  it('says hours and minutes for a long wait', () => {
    expect(issueFigures(progress({ etaSeconds: 3 * 3600 + 125 })).text.eta).toBe('3 h 3 min');
    expect(issueFigures(progress({ etaSeconds: 125 })).text.eta).toBe('3 min');
  });
});
