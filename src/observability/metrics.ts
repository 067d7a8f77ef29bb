// The Prometheus metrics of one process, in a registry of its own (tests build several apps in one
// process). Counters move where the work happens, through the small observer interfaces the domains
// take; the outbox gauges are read from the database when Prometheus scrapes, not on every mail.
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { DeliveryObserver } from '../delivery/delivery-observer.js';
import type { OutboxSummary } from '../delivery/outbox.js';
import type { SubscriptionObserver } from '../subscriptions/subscription-observer.js';
import type { ErrorBudget } from './error-budget.js';
import { RequestHistogram, type Series } from './request-histogram.js';

/** Budgets are read from the database at most this often: Prometheus and several scrapers ask often. */
const budgetCacheMs = 5_000;

/** Seconds; pages from memory answer in well under a millisecond, forms in a few. */
const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export class Metrics {
  readonly registry = new Registry();
  readonly contentType = this.registry.contentType;
  private readonly requests: RequestHistogram;
  private readonly pageHits: Counter;
  /** The page path's series by method and status, looked up without building a key string. */
  private readonly pageSeries = new Map<string, Map<number, Series>>();
  private readonly subscriptionsByOutcome: Counter<'action' | 'outcome'>;
  private readonly deliveries: Counter<'path' | 'outcome' | 'reply_class'>;
  private outbox: (() => Promise<OutboxSummary>) | undefined;
  private outboxRead: Promise<OutboxSummary | undefined> | undefined;
  private now: () => Date = () => new Date();
  private budgets: (() => Promise<ErrorBudget[]>) | undefined;
  private budgetRead: { at: number; value: Promise<ErrorBudget[] | undefined> } | undefined;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new RequestHistogram(latencyBuckets, this.registry);
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
        // An unlabelled gauge cannot be absent: NaN says "unknown" rather than a reassuring 0.
        if (!summary) return void this.set(Number.NaN);
        const at = summary.oldestDueAt ? Date.parse(summary.oldestDueAt) : undefined;
        this.set(at === undefined ? 0 : Math.max(0, (self.now().getTime() - at) / 1000));
      },
    });
    this.budgetGauge(
      'errorbudget_slo_target',
      'The objective as a share of events (site.yml slo, in percent there): 0.999 for 99.9 %',
      (b) => b.target,
    );
    this.budgetGauge(
      'errorbudget_error_budget_remaining',
      'Share of the 28-day error budget left: 1 untouched, 0 spent, below 0 overspent',
      (b) => b.remaining,
    );
    this.budgetGauge(
      'errorbudget_error_budget_burn_rate',
      'How fast the last hour spent the budget: 1 spends exactly all of it over 28 days',
      (b) => b.burnRate,
      { window: '1h' },
    );
    this.budgetGauge(
      'errorbudget_slo_events',
      'Events the objective judged in the last 28 days (requests, confirmation mails, readers of issues)',
      (b) => b.total,
    );
    this.budgetGauge(
      'errorbudget_slo_good_events',
      'Of those events, the ones that met the objective',
      (b) => b.good,
    );
  }

  /** The error budget gauges read through this, computed when scraped; without it they are absent. */
  watchErrorBudgets(read: () => Promise<ErrorBudget[]>): void {
    this.budgets = read;
  }

  private readBudgets(): Promise<ErrorBudget[] | undefined> {
    if (!this.budgets) return Promise.resolve(undefined);
    const at = performance.now();
    if (!this.budgetRead || at - this.budgetRead.at > budgetCacheMs)
      this.budgetRead = { at, value: this.budgets().catch(() => undefined) };
    return this.budgetRead.value;
  }

  private budgetGauge(name: string, help: string, value: (budget: ErrorBudget) => number, labels = {}) {
    const self = this;
    new Gauge({
      name,
      help,
      labelNames: ['slo', ...Object.keys(labels)],
      registers: [this.registry],
      async collect() {
        const budgets = await self.readBudgets();
        this.reset();
        for (const budget of budgets ?? []) this.set({ slo: budget.slo, ...labels }, value(budget));
      },
    });
  }

  /** The outbox gauges read through this; without it they say nothing is known. */
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

  /** A page served from memory: the hot path, so two map lookups, one array increment, one counter. */
  pageServed(method: string, status: number, seconds: number): void {
    let byStatus = this.pageSeries.get(method);
    if (!byStatus) {
      byStatus = new Map();
      this.pageSeries.set(method, byStatus);
    }
    let series = byStatus.get(status);
    if (!series) {
      series = this.requests.seriesOf('page', method, status);
      byStatus.set(status, series);
    }
    this.requests.observe(series, seconds);
    this.pageHits.inc();
  }

  /** A request Fastify routed; `route` is its pattern (`/confirm/:token`), never the raw URL. */
  requestServed(route: string, method: string, status: number, seconds: number): void {
    this.requests.observe(this.requests.seriesOf(route, method, status), seconds);
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
