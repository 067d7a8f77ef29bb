// The platform's own error budgets: for each objective, how much of the 28-day budget of failures is
// left and how fast the last hour spent it, from data in the database (so every process and every
// restart adds up): request counts per minute, the outbox, and the issues' cursors.
import type { Clock } from '../clock.js';
import type { Db } from '../db/open-database.js';
import {
  confirmationCounts,
  type EventCounts,
  issueDeliveryCounts,
} from '../delivery/delivery-objectives.js';
import { requestCounts } from './request-minutes.js';

export type SloName = 'availability' | 'confirmation' | 'delivery';

export interface ErrorBudget {
  slo: SloName;
  label: string;
  /** The target as a share: 0.999. */
  target: number;
  /** Events in the window that met the objective, and all events in it. */
  good: number;
  total: number;
  /** Share of the 28-day budget left: 1 = untouched, 0 = spent; below 0 when overspent. */
  remaining: number;
  /** Over the last hour: 1 spends exactly the budget over the window, 14.4 spends 2 % of it in that hour. */
  burnRate: number;
  windowDays: 28;
}

/** Targets in percent, as site.yml writes them. */
export type SloTargets = Readonly<Record<SloName, number>>;

export const budgetWindowDays = 28;
export const burnWindowMs = 3600_000;

const objectives: {
  slo: SloName;
  label: string;
  counts(db: Db, from: Date, to: Date): Promise<EventCounts>;
}[] = [
  {
    slo: 'availability',
    label: 'Requests answered without a server error',
    counts: (db, from, to) => requestCounts(db.kysely, from, to),
  },
  { slo: 'confirmation', label: 'Confirmation mails sent within 60\u00a0s', counts: confirmationCounts },
  {
    slo: 'delivery',
    label: 'Readers whose issue left within 1\u00a0h of publishing',
    counts: (db, from, to) => issueDeliveryCounts(db.kysely, from, to),
  },
];

export interface BudgetSources {
  db: Db;
  targets: SloTargets;
  now: Date;
}

export async function errorBudgets({ db, targets, now }: BudgetSources): Promise<ErrorBudget[]> {
  const windowStart = new Date(now.getTime() - budgetWindowDays * 86_400_000);
  const hourStart = new Date(now.getTime() - burnWindowMs);
  return Promise.all(
    objectives.map(async ({ slo, label, counts }) => {
      const [window, hour] = [await counts(db, windowStart, now), await counts(db, hourStart, now)];
      return budgetOf(slo, label, targets[slo], window, hour);
    }),
  );
}

/**
 * What the dashboard asks, given the admin's dependencies (AdminDependencies fits this shape; named
 * structurally so that observability does not depend on the admin): targets from site.yml as it is now.
 */
export function errorBudgetsFor(deps: {
  services: { db: Db };
  live: { snapshot: { site: { slo: SloTargets } } };
  clock: Clock;
}): Promise<ErrorBudget[]> {
  return errorBudgets({
    db: deps.services.db,
    targets: deps.live.snapshot.site.slo,
    now: deps.clock.now(),
  });
}

/** The arithmetic of the SRE book: the budget is the share of events allowed to fail, 1 - target. */
export function budgetOf(
  slo: SloName,
  label: string,
  targetPercent: number,
  window: EventCounts,
  hour: EventCounts,
): ErrorBudget {
  // Rounded so that 99.9 % is 0.999, not 0.9990000000000001.
  const target = Math.round(targetPercent * 1e6) / 1e8;
  const allowed = 1 - target;
  const failed = (counts: EventCounts) =>
    counts.total === 0 ? 0 : (counts.total - counts.good) / counts.total;
  return {
    slo,
    label,
    target,
    good: window.good,
    total: window.total,
    remaining: 1 - failed(window) / allowed,
    burnRate: failed(hour) / allowed,
    windowDays: budgetWindowDays,
  };
}
