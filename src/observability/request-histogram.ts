// The request latency histogram, counted by hand and exposed through prom-client's registry. Pages are
// the hot path: prom-client's Histogram validates and hashes its labels on every observe, even on a child
// bound to its labels (2.4 µs per observe measured here, against 60 ns for this array increment, while a
// whole page answer takes under 20 µs). Each label set is resolved to its series once.
import type { Metric, Registry } from 'prom-client';

export interface Series {
  readonly labels: Readonly<Record<string, string>>;
  /** Per bucket (not cumulative); the last one is +Inf. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

export class RequestHistogram {
  readonly name = 'errorbudget_http_request_duration_seconds';
  readonly help = 'HTTP requests by route pattern, method and status, and how long they took to answer';
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Series>();

  constructor(
    private readonly bounds: readonly number[],
    registry: Registry,
  ) {
    // prom-client takes any object with `get()` as a metric; its types name only its own classes.
    registry.registerMetric(this as unknown as Metric);
  }

  /** The series of one label set, created on first use; callers on the hot path keep it. */
  seriesOf(route: string, method: string, status: number): Series {
    const key = `${route}\u0000${method}\u0000${status}`;
    let series = this.series.get(key);
    if (!series) {
      series = {
        labels: { route, method, status_code: String(status) },
        counts: new Float64Array(this.bounds.length + 1),
        sum: 0,
        count: 0,
      };
      this.series.set(key, series);
    }
    return series;
  }

  observe(series: Series, seconds: number): void {
    let bucket = 0;
    while (bucket < this.bounds.length && seconds > (this.bounds[bucket] as number)) bucket += 1;
    series.counts[bucket] = (series.counts[bucket] as number) + 1;
    series.sum += seconds;
    series.count += 1;
  }

  /** What prom-client's registry asks for at each scrape, in the shape of its own histograms. */
  get() {
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    for (const series of this.series.values()) {
      let cumulative = 0;
      this.bounds.forEach((bound, i) => {
        cumulative += series.counts[i] as number;
        values.push({
          labels: { ...series.labels, le: bound },
          value: cumulative,
          metricName: `${this.name}_bucket`,
        });
      });
      values.push({
        labels: { ...series.labels, le: '+Inf' },
        value: series.count,
        metricName: `${this.name}_bucket`,
      });
      values.push({ labels: series.labels, value: series.sum, metricName: `${this.name}_sum` });
      values.push({ labels: series.labels, value: series.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
