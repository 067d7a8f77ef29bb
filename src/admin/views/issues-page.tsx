// The issues, newest first, a page at a time, with how far each got.
import type { IssueList } from '../issue-figures.js';
import { AdminLayout } from './admin-layout.js';
import type { AdminChrome } from './notes-page.js';
import { ScrollRegion } from './scroll-region.js';

/** `paged`: a page after the first, which links back to it. */
export function IssuesPage({
  chrome,
  list,
  paged,
}: {
  chrome: AdminChrome;
  list: IssueList;
  paged: boolean;
}) {
  const { issues, next } = list;
  return (
    <AdminLayout title="Issues" section="issues" {...chrome}>
      {paged && issues.length === 0 ? (
        <p>No older issues.</p>
      ) : issues.length === 0 ? (
        <p>
          No issues yet. A note's issue is made when its publish time passes; a published note can also be
          sent from <a href="/admin/notes">its page</a>.
        </p>
      ) : (
        <ScrollRegion label="Issues">
          <table>
            <thead>
              <tr>
                <th scope="col">Issue</th>
                <th scope="col">State</th>
                <th scope="col">Readers</th>
                <th scope="col">Sent</th>
                <th scope="col">Failed</th>
                <th scope="col">Deferred</th>
                <th scope="col">Bounced</th>
                <th scope="col">Started</th>
              </tr>
            </thead>
            <tbody>
              {issues.map((f) => (
                <tr>
                  <td>
                    <a href={`/admin/issues/${f.id}`}>{f.subject}</a>
                  </td>
                  <td>
                    <span class={`badge badge-${f.state}`}>{f.state}</span>
                  </td>
                  <td>{f.text.recipients}</td>
                  <td>{f.text.sent}</td>
                  <td>{f.text.failed}</td>
                  <td>{f.text.deferred}</td>
                  <td>{f.text.bounced}</td>
                  <td>{f.text.started}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
      {paged || next !== undefined ? (
        <nav class="pager" aria-label="Pages">
          {paged ? <a href="/admin/issues">Newest issues</a> : null}
          {next !== undefined ? (
            <a href={`/admin/issues?before=${next}`} rel="next">
              Older issues
            </a>
          ) : null}
        </nav>
      ) : null}
    </AdminLayout>
  );
}
