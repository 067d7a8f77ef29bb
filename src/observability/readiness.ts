// /readyz: whether this process can do its job now. The database answers, its schema is the one this
// version expects, and (where this process runs the workers) their loops keep turning. A web process
// started with --no-worker is ready without workers: pages and forms need only the database.

import { migrationPlan } from '../db/migrations.js';
import type { Db } from '../db/open-database.js';
import type { LoopMonitor } from './loop-monitor.js';

export interface ReadinessReport {
  status: 'ready' | 'not ready';
  checks: { database: string; migrations: string; worker: string };
}

export interface ReadinessOptions {
  db: Db;
  /** Undefined where no worker runs (serve --no-worker). */
  loops: () => LoopMonitor | undefined;
  /** A database that takes longer than this to answer is as good as down for a reader. */
  timeoutMs?: number;
}

export async function checkReadiness(o: ReadinessOptions): Promise<ReadinessReport> {
  const loops = o.loops();
  const stale = loops?.problems() ?? [];
  const worker = !loops ? 'not run in this process' : stale.length > 0 ? stale.join('; ') : 'ok';
  let database = 'ok';
  let migrations = 'ok';
  try {
    const plan = await withTimeout(migrationPlan(o.db), o.timeoutMs ?? 2000);
    if (plan.unknown.length > 0)
      migrations = `the database is newer than this errorbudget (${plan.unknown[0]})`;
    else if (plan.pending.length > 0)
      migrations = `${plan.pending.length} not applied: run errorbudget migrate`;
  } catch {
    // The reason stays out of a public answer: it can name hosts and users. The workers log it.
    database = 'does not answer';
    migrations = 'not checked';
  }
  const ready = database === 'ok' && migrations === 'ok' && stale.length === 0;
  return { status: ready ? 'ready' : 'not ready', checks: { database, migrations, worker } };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
