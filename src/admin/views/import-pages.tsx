// Importing a CSV from the admin, in three steps: upload, check the preview (which column holds the
// addresses, what status the readers get, how many rows), then watch the import run. The progress page
// reads right on every load; admin-import.js refreshes its figures while it is open.
import type { ImportJob } from '../import-jobs.js';
import { AdminLayout } from './admin-layout.js';
import { CsrfField } from './csrf-field.js';
import { fmt } from './growth-chart.js';

interface Common {
  admin: { email: string };
  csrfToken: string;
}

export function UploadPage({ admin, csrfToken, problem }: Common & { problem?: string }) {
  return (
    <AdminLayout title="Import subscribers" section="subscribers" admin={admin} csrfToken={csrfToken}>
      <p>
        <a href="/admin/subscribers">All subscribers</a>
      </p>
      {problem ? (
        <p class="notice notice-error" role="alert">
          {problem}
        </p>
      ) : null}
      <p>
        A CSV export from Substack, Ghost, Mailchimp or listmonk, with a header row. You will see its columns
        and its size before anything is imported. Addresses already here are left as they are; people the
        export says have left that list are not imported.
      </p>
      <form class="stack" method="post" action="/admin/subscribers/import" enctype="multipart/form-data">
        <CsrfField token={csrfToken} />
        <label>
          CSV file
          <input type="file" name="file" accept=".csv,text/csv" required />
        </label>
        <button type="submit" class="button">
          Upload and preview
        </button>
      </form>
    </AdminLayout>
  );
}

function columnRole(job: ImportJob, index: number): string {
  const p = job.preview;
  if (index === p.emailColumn)
    return p.emailFoundBy === 'header' ? 'email (by its name)' : 'email (by its values)';
  if (p.nameColumns.includes(index)) return 'name (not imported)';
  if (p.optOutColumns.includes(index)) return 'says who left: those rows are skipped';
  return 'not imported';
}

export function PreviewPage({ admin, csrfToken, job }: Common & { job: ImportJob }) {
  const { preview } = job;
  return (
    <AdminLayout title={`Import ${job.name}`} section="subscribers" admin={admin} csrfToken={csrfToken}>
      <p>
        <strong>{fmt(preview.rows)}</strong> row{preview.rows === 1 ? '' : 's'} under a header of{' '}
        {preview.headers.length} column{preview.headers.length === 1 ? '' : 's'} ({fmt(job.bytes)} bytes).
      </p>
      <h2 id="columns">Columns</h2>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Column</th>
              <th scope="col">Used as</th>
              <th scope="col">First rows</th>
            </tr>
          </thead>
          <tbody>
            {preview.headers.map((header, i) => (
              <tr key={`${i}-${header}`}>
                <th scope="row">{header || `(column ${i + 1})`}</th>
                <td>{columnRole(job, i)}</td>
                <td class="break-all">
                  {preview.sample
                    .map((row) => row[i] ?? '')
                    .filter((v) => v !== '')
                    .join(', ')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form class="stack" method="post" action={`/admin/subscribers/import/${job.id}/start`}>
        <CsrfField token={csrfToken} />
        <label>
          Addresses are in the column
          <select name="emailColumn">
            {preview.headers.map((header, i) => (
              <option key={`${i}-${header}`} value={String(i)} selected={i === preview.emailColumn}>
                {header || `(column ${i + 1})`}
              </option>
            ))}
          </select>
        </label>
        <fieldset>
          <legend>The imported readers are</legend>
          <label>
            <input type="radio" name="status" value="pending" checked /> pending: kept, not mailed until they
            subscribe here
          </label>
          <label>
            <input type="radio" name="status" value="active" /> active: they confirmed on the old platform and
            may be mailed
          </label>
        </fieldset>
        <button type="submit" class="button">
          Import {fmt(preview.rows)} row{preview.rows === 1 ? '' : 's'}
        </button>
      </form>
    </AdminLayout>
  );
}

/** The figures the page and its script show; also what the page answers as JSON. */
export function jobProgress(job: ImportJob) {
  return {
    state: job.state,
    rows: job.progress.rows,
    totalRows: job.preview.rows,
    imported: job.report?.imported ?? null,
    duplicates: job.report?.duplicates ?? null,
    bad: job.report?.badCount ?? null,
    error: job.error ?? null,
  };
}

export function progressWords(p: ReturnType<typeof jobProgress>): string {
  if (p.state === 'failed') return `Stopped after ${fmt(p.rows)} rows: ${p.error}`;
  if (p.state === 'done')
    return `Done: ${fmt(p.imported ?? 0)} imported, ${fmt(p.duplicates ?? 0)} already here, ${fmt(p.bad ?? 0)} not imported.`;
  return `${fmt(p.rows)} of ${fmt(p.totalRows)} rows read…`;
}

export function ProgressPage({ admin, csrfToken, job }: Common & { job: ImportJob }) {
  const p = jobProgress(job);
  const running = job.state === 'running';
  return (
    <AdminLayout
      title={`Import ${job.name}`}
      section="subscribers"
      admin={admin}
      csrfToken={csrfToken}
      scripts={running ? ['admin-import.js'] : undefined}
    >
      <div class="import-progress" data-progress-url={`/admin/subscribers/import/${job.id}`}>
        <progress
          id="import-bar"
          max={Math.max(p.totalRows, 1)}
          value={p.state === 'done' ? Math.max(p.totalRows, 1) : p.rows}
        >
          {p.rows} of {p.totalRows}
        </progress>
        <p id="import-status" role="status" aria-live="polite">
          {progressWords(p)}
        </p>
      </div>
      {running ? (
        <p class="import-refresh">
          <a href={`/admin/subscribers/import/${job.id}`}>Refresh</a> to see how far it has got.
        </p>
      ) : null}
      {job.report && job.report.bad.length > 0 ? (
        <section aria-labelledby="bad-rows">
          <h2 id="bad-rows">Rows not imported</h2>
          <ul>
            {job.report.bad.slice(0, 100).map((b) => (
              <li key={b.line}>
                line {b.line}: {b.problem}
              </li>
            ))}
          </ul>
          {job.report.badCount > 100 ? <p>… and {fmt(job.report.badCount - 100)} more.</p> : null}
        </section>
      ) : null}
      <p>
        <a href="/admin/subscribers">All subscribers</a>
      </p>
    </AdminLayout>
  );
}
