// The consent and admin ledger, newest first, one kind or all, and the chain check run from the page.
import type { FullVerification } from '../../ledger/verify-with-checkpoints.js';
import { describeBreak } from '../../ledger/verify-with-checkpoints.js';
import { formatTime } from '../issue-figures.js';
import type { LedgerPage as Page } from '../ledger-queries.js';
import { AdminLayout } from './admin-layout.js';
import { CsrfField } from './csrf-field.js';
import type { AdminChrome } from './notes-page.js';
import { ScrollRegion } from './scroll-region.js';

export interface LedgerPageProps {
  chrome: AdminChrome;
  page: Page;
  kinds: string[];
  kind: string | undefined;
  verification?: FullVerification | undefined;
}

export function LedgerPage({ chrome, page, kinds, kind, verification }: LedgerPageProps) {
  const more = (before: number) =>
    `/admin/ledger?${kind ? `kind=${encodeURIComponent(kind)}&` : ''}before=${before}`;
  return (
    <AdminLayout title="Ledger" section="ledger" {...chrome}>
      <form method="post" action="/admin/ledger/verify" class="inline-form">
        <CsrfField token={chrome.csrfToken} />
        <button type="submit">Verify the chain</button>
      </form>
      {verification ? <VerificationResult verification={verification} /> : null}
      <form method="get" action="/admin/ledger" class="filter">
        <label for="ledger-kind">Kind</label>
        <select id="ledger-kind" name="kind">
          <option value="" selected={kind === undefined}>
            every kind
          </option>
          {kinds.map((k) => (
            <option value={k} selected={k === kind}>
              {k}
            </option>
          ))}
        </select>
        <button type="submit">Show</button>
      </form>
      {page.rows.length === 0 ? (
        <p>No events{kind ? ` of kind ${kind}` : ''}.</p>
      ) : (
        <ScrollRegion label="Events">
          <table>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">When</th>
                <th scope="col">Kind</th>
                <th scope="col">Person</th>
                <th scope="col">Detail</th>
                <th scope="col">Proof</th>
              </tr>
            </thead>
            <tbody>
              {page.rows.map((r) => (
                <tr>
                  <td>{r.seq}</td>
                  <td>{formatTime(r.at)}</td>
                  <td>{r.kind}</td>
                  <td>
                    <code>{r.emailHmac.length > 16 ? `${r.emailHmac.slice(0, 12)}…` : r.emailHmac}</code>
                  </td>
                  <td>
                    <code class="detail">{r.detail}</code>
                  </td>
                  <td>{r.hasProof ? 'kept' : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
      {page.next !== undefined ? (
        <p>
          <a href={more(page.next)}>Older events →</a>
        </p>
      ) : null}
    </AdminLayout>
  );
}

function VerificationResult({ verification }: { verification: FullVerification }) {
  const { result, checkpointsFound, checkpointFile } = verification;
  return (
    <div class={result.ok ? 'notice notice-ok' : 'notice notice-error'} role="status">
      {result.ok ? (
        <p>
          <strong>The chain verifies:</strong> {result.events} events, head <code>{result.head}</code>.
        </p>
      ) : (
        <p>
          <strong>The chain is broken:</strong> {describeBreak(result)} ({result.events} events verified
          before it).
        </p>
      )}
      {checkpointsFound ? null : (
        <p>
          No signed checkpoints at {checkpointFile} yet (serve and worker write them), so events removed from
          the end could go unnoticed.
        </p>
      )}
    </div>
  );
}
