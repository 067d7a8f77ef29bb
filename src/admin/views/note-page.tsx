// One note: its state, a link to see it as the site shows it (a signed preview for drafts and
// scheduled notes), its email as readers will get it, a test copy to any address, and "send now".
import type { ParsedMessage } from '../../mail/mailbox.js';
import { formatTime } from '../issue-figures.js';
import type { NoteRow } from '../note-states.js';
import { AdminLayout } from './admin-layout.js';
import { CsrfField } from './csrf-field.js';
import { MailView } from './mail-view.js';
import type { AdminChrome } from './notes-page.js';
import { Notice } from './notice.js';
import { TestSendForm } from './test-send-form.js';

export interface NotePageProps {
  chrome: AdminChrome;
  note: NoteRow;
  /** The signed preview link (drafts, scheduled notes) or the public address (published ones). */
  siteLink: { href: string; label: string };
  mail: ParsedMessage;
  notice?: string | undefined;
  /** Why the action just tried was refused. */
  problem?: string | undefined;
  testForm?: { address: string; problem?: string | undefined } | undefined;
}

export function NotePage({ chrome, note, siteLink, mail, notice, problem, testForm }: NotePageProps) {
  const base = `/admin/notes/${note.slug}`;
  return (
    <AdminLayout title={note.title} section="notes" {...chrome} styles={['mail.css']}>
      <p>
        <a href="/admin/notes">← Notes</a>
      </p>
      <Notice text={notice} problem={problem} />
      <p>
        <span class={`badge badge-${note.state}`}>{note.state}</span> {formatTime(note.date.toISOString())} ·{' '}
        {note.file}
      </p>
      <p>
        <a href={siteLink.href} target="_blank" rel="noopener noreferrer">
          {siteLink.label}
        </a>
      </p>
      {note.issue ? (
        <p>
          Its issue: <a href={`/admin/issues/${note.issue.id}`}>{note.issue.state}</a>
        </p>
      ) : null}
      {note.canSendNow ? (
        <form method="post" action={`${base}/send-now`} class="inline-form">
          <CsrfField token={chrome.csrfToken} />
          <button type="submit">Send this note to every confirmed reader now</button>
        </form>
      ) : null}
      <TestSendForm
        action={`${base}/test`}
        csrfToken={chrome.csrfToken}
        address={testForm?.address ?? chrome.admin.email}
        problem={testForm?.problem}
      />
      <h2>The email, as readers will get it</h2>
      <MailView mail={mail} frameSrc={`${base}/email.html`} />
    </AdminLayout>
  );
}
