// The platform's error budgets on the dashboard: per objective its target, how much of the 28-day
// budget is left (a native <meter>, so screen readers announce it and no inline style draws it), how
// fast the last hour spent it, and the counts behind it. Styles: assets/admin/error-budget.css.
import type { ErrorBudget } from '../../observability/error-budget.js';

type Health = { word: string; badge: 'ok' | 'warn' | 'bad' | 'info' };

/** A budget is in trouble when little is left, or when the last hour spends it faster than it lasts. */
function healthOf(budget: ErrorBudget): Health {
  if (budget.total === 0) return { word: 'Nothing judged yet', badge: 'info' };
  if (budget.remaining <= 0) return { word: 'Spent', badge: 'bad' };
  if (budget.remaining < 0.25 || budget.burnRate > 1) return { word: 'At risk', badge: 'warn' };
  return { word: 'Healthy', badge: 'ok' };
}

const percent = (share: number, digits = 1) =>
  `${(share * 100).toLocaleString('en', { maximumFractionDigits: digits })}\u00a0%`;

const count = (n: number) => n.toLocaleString('en');

export function ErrorBudgetPanel({ budgets }: { budgets: ErrorBudget[] }) {
  return (
    <section class="error-budget" aria-labelledby="error-budget-title">
      <h2 id="error-budget-title">Error budget</h2>
      <p class="muted">
        What the platform may still fail in the last 28 days before missing its objectives, and how fast the
        last hour spent it (a burn rate of 1 spends the whole budget in exactly 28 days). The targets are set
        under <code>slo</code> in site.yml.
      </p>
      <ul class="error-budget-list cards">
        {budgets.map((budget) => {
          const health = healthOf(budget);
          const id = `error-budget-${budget.slo}`;
          return (
            <li key={budget.slo} class="card error-budget-slo" aria-labelledby={id}>
              <h3 id={id}>{budget.label}</h3>
              <p>
                <span class={`badge badge-${health.badge}`}>{health.word}</span>{' '}
                <span class="muted">target {percent(budget.target, 3)}</span>
              </p>
              <p class="error-budget-left">
                <label for={`${id}-meter`}>Budget left</label>
                <meter
                  id={`${id}-meter`}
                  class="error-budget-meter"
                  min={0}
                  max={1}
                  low={0.25}
                  high={0.5}
                  optimum={1}
                  value={Math.min(Math.max(budget.remaining, 0), 1)}
                >
                  {percent(budget.remaining)}
                </meter>
                <span class="figure">{percent(budget.remaining)}</span>
              </p>
              <dl class="error-budget-facts">
                <dt>Burn rate, last hour</dt>
                <dd>{budget.burnRate.toLocaleString('en', { maximumFractionDigits: 2 })}×</dd>
                <dt>Good of all, {budget.windowDays} days</dt>
                <dd>{budget.total === 0 ? 'none' : `${count(budget.good)} of ${count(budget.total)}`}</dd>
              </dl>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
