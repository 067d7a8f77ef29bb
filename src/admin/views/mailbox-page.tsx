// The local mailbox as a mail client lists it, newest first, a page at a time.
import type { MailboxPage as Page, ParsedMessage } from '../../mail/mailbox.js';
import { AdminLayout } from './admin-layout.js';
import { MailView } from './mail-view.js';
import type { AdminChrome } from './notes-page.js';
import { ScrollRegion } from './scroll-region.js';

export function MailboxPage({
  chrome,
  page,
  relay,
}: {
  chrome: AdminChrome;
  page: Page;
  /** Set when SMTP_URL sends mail to a relay: the local mailbox then only holds older mail. */
  relay: string | undefined;
}) {
  return (
    <AdminLayout title="Mailbox" section="mailbox" {...chrome}>
      <p>
        {relay
          ? `Mail goes to the ${relay}; this local mailbox only keeps what was sent before SMTP_URL was set.`
          : 'No SMTP relay is configured (SMTP_URL), so every mail the site sends is kept here instead.'}{' '}
        {page.total} {page.total === 1 ? 'mail' : 'mails'}.
      </p>
      {page.entries.length === 0 ? (
        <p>The mailbox is empty.</p>
      ) : (
        <ScrollRegion label="Mails">
          <table>
            <thead>
              <tr>
                <th scope="col">Subject</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
                <th scope="col">Date</th>
              </tr>
            </thead>
            <tbody>
              {page.entries.map((e) => (
                <tr>
                  <td>
                    <a href={`/admin/mailbox/${e.file}`}>{e.subject || '(no subject)'}</a>
                  </td>
                  <td>{e.from}</td>
                  <td>{e.to}</td>
                  <td>{e.date ? e.date.toUTCString() : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
      {page.next ? (
        <p>
          <a href={`/admin/mailbox?before=${encodeURIComponent(page.next)}`}>Older mail →</a>
        </p>
      ) : null}
    </AdminLayout>
  );
}

export function MailboxMessagePage({
  chrome,
  file,
  mail,
}: {
  chrome: AdminChrome;
  file: string;
  mail: ParsedMessage;
}) {
  return (
    <AdminLayout title={mail.subject || 'Mail'} section="mailbox" {...chrome} styles={['mail.css']}>
      <p>
        <a href="/admin/mailbox">← Mailbox</a>
      </p>
      <MailView mail={mail} frameSrc={`/admin/mailbox/${file}/html`} />
    </AdminLayout>
  );
}
