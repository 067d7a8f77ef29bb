// One mail as a mail client shows it: who, to whom, when, the HTML part in a sandboxed frame (no
// scripts, no remote loads: the frame's own answer carries a CSP), the text part, and every header.
import type { ParsedMessage } from '../../mail/mailbox.js';
import { ScrollRegion } from './scroll-region.js';

export function MailView({ mail, frameSrc }: { mail: ParsedMessage; frameSrc: string }) {
  return (
    <article class="mail">
      <dl class="mail-envelope">
        <dt>From</dt>
        <dd>{mail.from}</dd>
        <dt>To</dt>
        <dd>{mail.to}</dd>
        <dt>Subject</dt>
        <dd>{mail.subject}</dd>
        <dt>Date</dt>
        <dd>{mail.date ? mail.date.toUTCString() : '–'}</dd>
      </dl>
      <h2>HTML part</h2>
      {mail.html === undefined ? (
        <p>This mail has no HTML part.</p>
      ) : (
        <iframe
          class="mail-frame"
          src={frameSrc}
          sandbox="allow-same-origin"
          referrerpolicy="no-referrer"
          title={`The HTML part of “${mail.subject}”`}
        />
      )}
      <h2>Text part</h2>
      <pre class="mail-text">{mail.text}</pre>
      <details class="mail-headers">
        <summary>Headers ({mail.headers.length})</summary>
        <ScrollRegion label="Headers">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {mail.headers.map((h) => (
                <tr>
                  <th scope="row">{h.name}</th>
                  <td class="header-value">{h.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      </details>
    </article>
  );
}
