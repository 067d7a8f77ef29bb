// The Prometheus metrics of one process, in a registry of its own (tests build several apps in one
// process). Counters move where the work happens, through the small observer interfaces the domains
// take; the outbox gauges are read from the database when Prometheus scrapes, not on every mail.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { DeliveryObserver } from '../delivery/delivery-observer.js';
import type { OutboxSummary } from '../delivery/outbox.js';
import type { SubscriptionObserver } from '../subscriptions/subscription-observer.js';

/** Seconds; pages from memory answer in well under a millisecond, forms in a few. */
const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

type RequestLabels = 'route' | 'method' | 'status_code';

export class Metrics {
  readonly registry = new Registry();
  readonly contentType = this.registry.contentType;
  private readonly requests: Histogram<RequestLabels>;
  private readonly pageHits: Counter;
  /** Children bound to their labels once: the page path observes without hashing label objects. */
  private readonly pageLatency = new Map<string, { observe(seconds: number): void }>();
  private readonly subscriptionsByOutcome: Counter<'action' | 'outcome'>;
  private readonly deliveries: Counter<'path' | 'outcome' | 'reply_class'>;
  private outbox: (() => Promise<OutboxSummary>) | undefined;
  private outboxRead: Promise<OutboxSummary | undefined> | undefined;
  private now: () => Date = () => new Date();

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Histogram({
      name: 'errorbudget_http_request_duration_seconds',
      help: 'HTTP requests by route pattern, method and status, and how long they took to answer',
      labelNames: ['route', 'method', 'status_code'],
      buckets: latencyBuckets,
      registers,
    });
    this.pageHits = new Counter({
      name: 'errorbudget_page_cache_hits_total',
      help: 'Requests answered from the in-memory page cache (200, 304 and canonical redirects)',
      registers,
    });
    this.subscriptionsByOutcome = new Counter({
      name: 'errorbudget_subscriptions_total',
      help: 'Subscription actions by outcome (request: recorded; decide: mailed or not; confirm; unsubscribe)',
      labelNames: ['action', 'outcome'],
      registers,
    });
    this.deliveries = new Counter({
      name: 'errorbudget_deliveries_total',
      help: 'Mails handed to the relay, by path (outbox, issue), outcome and the class of the relay reply',
      labelNames: ['path', 'outcome', 'reply_class'],
      registers,
    });
    const self = this;
    new Gauge({
      name: 'errorbudget_outbox_depth',
      help: 'Transactional mails waiting in the outbox, by status (queued, sending)',
      labelNames: ['status'],
      registers,
      async collect() {
        const summary = await self.readOutbox();
        this.reset();
        if (!summary) return;
        this.set({ status: 'queued' }, summary.queued);
        this.set({ status: 'sending' }, summary.sending);
      },
    });
    new Gauge({
      name: 'errorbudget_outbox_oldest_due_seconds',
      help: 'Age of the oldest outbox mail that is due and not yet sent (0 when none waits)',
      registers,
      async collect() {
        const summary = await self.readOutbox();
        this.reset();
        if (!summary) return;
        const at = summary.oldestDueAt ? Date.parse(summary.oldestDueAt) : undefined;
        this.set(at === undefined ? 0 : Math.max(0, (self.now().getTime() - at) / 1000));
      },
    });
  }

  /** The outbox gauges read through this; without it (a pages-only app) they stay empty. */
  watchOutbox(summary: () => Promise<OutboxSummary>, now: () => Date): void {
    this.outbox = summary;
    this.now = now;
  }

  /** One scrape reads the outbox once, however many gauges use it. */
  private readOutbox(): Promise<OutboxSummary | undefined> {
    if (!this.outbox) return Promise.resolve(undefined);
    this.outboxRead ??= this.outbox()
      // The database being down must not fail the whole scrape: /readyz reports the outage.
      .catch(() => undefined)
      .finally(() => {
        this.outboxRead = undefined;
      });
    return this.outboxRead;
  }

  /** A page served from memory: the hot path, so one bound observe and one increment. */
  pageServed(method: string, status: number, seconds: number): void {
    const key = `${method} ${status}`;
    let child = this.pageLatency.get(key);
    if (!child) {
      child = this.requests.labels({ route: 'page', method, status_code: String(status) });
      this.pageLatency.set(key, child);
    }
    child.observe(seconds);
    this.pageHits.inc();
  }

  /** A request Fastify routed; `route` is its pattern (`/confirm/:token`), never the raw URL. */
  requestServed(route: string, method: string, status: number, seconds: number): void {
    this.requests.observe({ route, method, status_code: String(status) }, seconds);
  }

  readonly subscriptions: SubscriptionObserver = {
    subscription: (action, outcome) => this.subscriptionsByOutcome.inc({ action, outcome }),
  };

  readonly delivery: DeliveryObserver = {
    delivered: (path, outcome, replyClass) => this.deliveries.inc({ path, outcome, reply_class: replyClass }),
  };

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
