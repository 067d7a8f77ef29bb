// The dashboard: readers by status, their growth over 90 days, how the latest issues landed, bounce and
// complaint rates, and (when the error budget module is there) the platform's own error budget.
import type { ComponentChildren } from 'preact';
import { subscriberStatuses } from '../../subscriptions/status-counts.js';
import type { Dashboard } from '../dashboard-queries.js';
import { AdminLayout } from './admin-layout.js';
import { fmt, GrowthChart } from './growth-chart.js';
import { statusLabels } from './subscriber-status.js';

export interface DashboardPageProps {
  admin: { email: string };
  csrfToken: string;
  dashboard: Dashboard;
  /** The platform's error budget panel. */
  errorBudget?: ComponentChildren;
}

export function percent(part: number, whole: number): string {
  if (whole <= 0) return '–';
  const share = (100 * part) / whole;
  return `${share < 10 && share > 0 ? share.toFixed(2) : share.toFixed(1)} %`;
}

export function DashboardPage({ admin, csrfToken, dashboard, errorBudget }: DashboardPageProps) {
  const { counts, growth, issues, bounceRate, complaintRate } = dashboard;
  return (
    <AdminLayout
      title="Dashboard"
      section="dashboard"
      admin={admin}
      csrfToken={csrfToken}
      styles={['dashboard.css', 'error-budget.css']}
    >
      <section aria-labelledby="readers">
        <h2 id="readers">Readers</h2>
        <ul class="cards status-cards">
          {subscriberStatuses.map((status) => (
            <li class="card" key={status}>
              <a href={`/admin/subscribers?status=${status}`}>
                <span class="figure">{fmt(counts[status])}</span> <span>{statusLabels[status]}</span>
              </a>
            </li>
          ))}
        </ul>
        <GrowthChart days={growth} />
      </section>
      <section aria-labelledby="latest-issues">
        <h2 id="latest-issues">Latest issues</h2>
        {issues.length === 0 ? (
          <p>No issue has gone out yet.</p>
        ) : (
          <>
            <p>
              Over these issues: bounces{' '}
              <strong>{bounceRate === undefined ? '–' : percent(bounceRate, 1)}</strong> and complaints{' '}
              <strong>{complaintRate === undefined ? '–' : percent(complaintRate, 1)}</strong> of the mails
              the relay accepted.
            </p>
            <div class="table-scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Issue</th>
                    <th scope="col">State</th>
                    <th scope="col" class="number">
                      Readers
                    </th>
                    <th scope="col" class="number">
                      Delivered
                    </th>
                    <th scope="col" class="number">
                      Failed
                    </th>
                    <th scope="col" class="number">
                      Bounced
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {issues.map((issue) => (
                    <tr key={issue.id}>
                      <th scope="row">
                        <a href={`/admin/issues/${issue.id}`}>{issue.subject}</a>
                        <br />
                        <span class="muted">{issue.publishedAt.slice(0, 10)}</span>
                      </th>
                      <td>{issue.state}</td>
                      <td class="number">{fmt(issue.recipients)}</td>
                      <td class="number">{percent(issue.sent, issue.recipients)}</td>
                      <td class="number">{percent(issue.failed, issue.recipients)}</td>
                      <td class="number">{percent(issue.bounced, issue.sent)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>
      {errorBudget}
    </AdminLayout>
  );
}
