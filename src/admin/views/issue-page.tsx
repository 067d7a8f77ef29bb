// One issue: its figures (live while it sends, through /progress and issue-progress.js; right on a plain
// refresh without it), why it waits or what the relay said, its controls, and a test copy.
import type { FigureName, IssueFigures } from '../issue-figures.js';
import { AdminLayout } from './admin-layout.js';
import { CsrfField } from './csrf-field.js';
import type { AdminChrome } from './notes-page.js';
import { Notice } from './notice.js';
import { TestSendForm } from './test-send-form.js';

export interface IssuePageProps {
  chrome: AdminChrome;
  issue: IssueFigures;
  notice?: string | undefined;
  /** Why the action just tried was refused. */
  problem?: string | undefined;
  testForm?: { address: string; problem?: string | undefined } | undefined;
}

const rows: [FigureName, string][] = [
  ['recipients', 'Readers'],
  ['sent', 'Sent'],
  ['failed', 'Failed'],
  ['deferred', 'Deferred (retrying)'],
  ['bounced', 'Bounced'],
  ['remaining', 'Remaining'],
  ['rate', 'Rate'],
  ['eta', 'Time left'],
  ['started', 'Started'],
  ['finished', 'Finished'],
];

export function IssuePage({ chrome, issue, notice, problem, testForm }: IssuePageProps) {
  const base = `/admin/issues/${issue.id}`;
  const live = !issue.final;
  return (
    <AdminLayout
      title={`Issue: ${issue.subject}`}
      section="issues"
      {...chrome}
      styles={['mail.css']}
      scripts={live ? ['issue-progress.js'] : []}
    >
      <p>
        <a href="/admin/issues">← Issues</a>
      </p>
      <Notice text={notice} problem={problem} />
      <section
        class="issue-progress"
        aria-labelledby="progress-title"
        {...(live ? { 'data-progress-url': `${base}/progress`, 'data-state': issue.state } : {})}
      >
        <h2 id="progress-title">
          <span class={`badge badge-${issue.state}`} data-figure="state">
            {issue.text.state}
          </span>{' '}
          <span data-figure="percent">{issue.text.percent}</span>
        </h2>
        <progress
          max={Math.max(issue.recipients, 1)}
          value={issue.final && issue.recipients === 0 ? 1 : issue.settled}
        >
          {issue.text.percent}
        </progress>
        <dl class="figures">
          {rows.map(([name, label]) => (
            <div>
              <dt>{label}</dt>
              <dd data-figure={name}>{issue.text[name]}</dd>
            </div>
          ))}
        </dl>
        <p class="live-status" aria-live="polite" />
      </section>
      {issue.holdReason ? (
        <p class="notice notice-error">
          <strong>Waits for a person:</strong> {issue.holdReason}
        </p>
      ) : null}
      {issue.lastError ? (
        <p class="notice notice-error">
          <strong>The relay refuses our mail (the sender's problem, no reader is suppressed):</strong>{' '}
          {issue.lastError}
        </p>
      ) : null}
      <Controls base={base} issue={issue} csrfToken={chrome.csrfToken} />
      <p>
        Note: <a href={`/admin/notes/${issue.slug}`}>{issue.slug}</a>
      </p>
      <TestSendForm
        action={`${base}/test`}
        csrfToken={chrome.csrfToken}
        address={testForm?.address ?? chrome.admin.email}
        problem={testForm?.problem}
      />
    </AdminLayout>
  );
}

function Controls({ base, issue, csrfToken }: { base: string; issue: IssueFigures; csrfToken: string }) {
  const actions: { name: string; label: string }[] = [];
  if (issue.state === 'sending') actions.push({ name: 'pause', label: 'Pause' });
  if (issue.state === 'paused') actions.push({ name: 'resume', label: 'Resume' });
  if (issue.state === 'held') actions.push({ name: 'resume', label: 'Start sending' });
  if (!issue.final) actions.push({ name: 'cancel', label: 'Cancel for good' });
  if (actions.length === 0) return null;
  return (
    <div class="actions">
      {actions.map((a) => (
        <form method="post" action={`${base}/${a.name}`} class="inline-form">
          <CsrfField token={csrfToken} />
          <button type="submit" class={a.name === 'cancel' ? 'button-danger' : undefined}>
            {a.label}
          </button>
        </form>
      ))}
    </div>
  );
}
