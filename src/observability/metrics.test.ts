import { describe, expect, it } from 'vitest';
import { Metrics } from './metrics.js';

const sample = (text: string, series: string) =>
  text
    .split('\n')
    .find((line) => line.startsWith(`${series} `))
    ?.slice(series.length + 1);

describe('Metrics', () => {
  it('reads the outbox at scrape time: depth by status and the age of the oldest due mail', async () => {
    const metrics = new Metrics();
    let reads = 0;
    metrics.watchOutbox(
      async () => {
        reads += 1;
        return { queued: 3, sending: 1, failed: 7, sent: 40, oldestDueAt: '2026-11-26T12:00:00.000Z' };
      },
      () => new Date('2026-11-26T12:01:30.000Z'),
    );
    const text = await metrics.text();
    expect(sample(text, 'errorbudget_outbox_depth{status="queued"}')).toBe('3');
    expect(sample(text, 'errorbudget_outbox_depth{status="sending"}')).toBe('1');
    expect(sample(text, 'errorbudget_outbox_oldest_due_seconds')).toBe('90');
    // Both gauges from one query.
    expect(reads).toBe(1);
  });

  it('still answers a scrape when the database does not, with the outbox unknown', async () => {
    const metrics = new Metrics();
    metrics.watchOutbox(
      async () => {
        throw new Error('connection refused');
      },
      () => new Date(),
    );
    metrics.delivery.delivered('outbox', 'retry', 'transient');
    const text = await metrics.text();
    expect(
      sample(text, 'errorbudget_deliveries_total{path="outbox",outcome="retry",reply_class="transient"}'),
    ).toBe('1');
    expect(sample(text, 'errorbudget_outbox_depth{status="queued"}')).toBeUndefined();
    // prom-client's spelling of NaN, which Prometheus reads as NaN: unknown, not a reassuring 0.
    expect(sample(text, 'errorbudget_outbox_oldest_due_seconds')).toBe('Nan');
  });
});
