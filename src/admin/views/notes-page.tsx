// Every note with its state and its issue; drafts and scheduled notes link to their previews.
import { formatTime } from '../issue-figures.js';
import type { NoteRow } from '../note-states.js';
import { AdminLayout } from './admin-layout.js';
import { ScrollRegion } from './scroll-region.js';

export interface AdminChrome {
  admin: { email: string };
  csrfToken: string;
}

export function NotesPage({ chrome, rows }: { chrome: AdminChrome; rows: NoteRow[] }) {
  return (
    <AdminLayout title="Notes" section="notes" {...chrome} styles={['mail.css']}>
      {rows.length === 0 ? (
        <p>No notes yet: write one under content/notes/ (errorbudget new).</p>
      ) : (
        <ScrollRegion label="Notes">
          <table>
            <thead>
              <tr>
                <th scope="col">Note</th>
                <th scope="col">State</th>
                <th scope="col">Date</th>
                <th scope="col">Mail</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr>
                  <td>
                    <a href={`/admin/notes/${row.slug}`}>{row.title}</a>
                    <br />
                    <small>{row.file}</small>
                  </td>
                  <td>
                    <span class={`badge badge-${row.state}`}>{row.state}</span>
                  </td>
                  <td>{formatTime(row.date.toISOString())}</td>
                  <td>
                    {!row.mailed ? (
                      'not mailed (newsletter: false)'
                    ) : row.issue ? (
                      <a href={`/admin/issues/${row.issue.id}`}>issue {row.issue.state}</a>
                    ) : row.state === 'published' ? (
                      'no issue yet'
                    ) : (
                      'mailed when published'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
    </AdminLayout>
  );
}
