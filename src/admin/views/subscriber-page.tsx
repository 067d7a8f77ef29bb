// One reader: their status and dates, what the admin can do (suppress, lift a suppression, erase), and
// their history in the consent ledger and the bounce reports.
import type { SubscriberDetail } from '../subscriber-queries.js';
import { AdminLayout } from './admin-layout.js';
import { CsrfField } from './csrf-field.js';
import { StatusBadge } from './subscriber-status.js';

export interface SubscriberPageProps {
  admin: { email: string };
  csrfToken: string;
  detail: SubscriberDetail;
  notice?: string;
}

const eventLabels: Record<string, string> = {
  subscribe_requested: 'Asked to subscribe',
  confirmation_sent: 'Confirmation mail sent',
  confirmed: 'Confirmed',
  unsubscribed: 'Unsubscribed',
  imported: 'Imported',
  erased: 'Erased',
  suppressed: 'Suppressed',
  unsuppressed: 'Suppression lifted',
  proofs_expired: 'Proofs expired',
};

function describeDetail(detail: Record<string, unknown>): string {
  return Object.entries(detail)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' · ');
}

export function SubscriberPage({ admin, csrfToken, detail, notice }: SubscriberPageProps) {
  const { subscriber: s, events, bounces } = detail;
  const action = (path: string) => `/admin/subscribers/${s.id}/${path}`;
  return (
    <AdminLayout
      title={s.email}
      section="subscribers"
      admin={admin}
      csrfToken={csrfToken}
      styles={['subscribers.css']}
    >
      {notice ? (
        <p class="notice notice-ok" role="status">
          {notice}
        </p>
      ) : null}
      <p>
        <a href="/admin/subscribers">All subscribers</a>
      </p>
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={s.status} />
        </dd>
        <dt>Source</dt>
        <dd class="break-all">{s.source}</dd>
        <dt>Since</dt>
        <dd>
          <time datetime={s.created_at}>{s.created_at}</time>
        </dd>
        <dt>Confirmed</dt>
        <dd>{s.confirmed_at ? <time datetime={s.confirmed_at}>{s.confirmed_at}</time> : 'not yet'}</dd>
        <dt>Unsubscribed</dt>
        <dd>{s.unsubscribed_at ? <time datetime={s.unsubscribed_at}>{s.unsubscribed_at}</time> : 'no'}</dd>
      </dl>
      <section aria-labelledby="act">
        <h2 id="act">Actions</h2>
        <div class="actions">
          {s.status === 'suppressed' ? (
            <form method="post" action={action('unsuppress')}>
              <CsrfField token={csrfToken} />
              <button type="submit" class="button">
                Lift the suppression
              </button>
            </form>
          ) : (
            <form method="post" action={action('suppress')}>
              <CsrfField token={csrfToken} />
              <button type="submit" class="button button-secondary">
                Suppress: send no more mail
              </button>
            </form>
          )}
        </div>
        <form class="erase-form" method="post" action={action('erase')}>
          <CsrfField token={csrfToken} />
          <label>
            <input type="checkbox" name="confirm" value="yes" required /> Erase this person: their address,
            their mails and their proofs of consent go; the ledger keeps only a keyed hash.
          </label>
          <button type="submit" class="button button-danger">
            Erase
          </button>
        </form>
      </section>
      <section aria-labelledby="history">
        <h2 id="history">Consent ledger</h2>
        {events.length === 0 ? (
          <p>No event names this address.</p>
        ) : (
          <ol class="history">
            {events.map((e) => (
              <li key={e.seq}>
                <time datetime={e.at}>{e.at.replace('T', ' ').slice(0, 19)}</time>{' '}
                <strong>{eventLabels[e.kind] ?? e.kind}</strong>{' '}
                <span class="muted">
                  #{e.seq}
                  {e.hasProof ? ' · with proof' : ''}
                </span>
                {Object.keys(e.detail).length > 0 ? (
                  <div class="break-all">{describeDetail(e.detail)}</div>
                ) : null}
              </li>
            ))}
          </ol>
        )}
      </section>
      <section aria-labelledby="bounces">
        <h2 id="bounces">Bounces and complaints</h2>
        {bounces.length === 0 ? (
          <p>None.</p>
        ) : (
          <ol class="history">
            {bounces.map((b) => (
              <li key={`${b.at}${b.diagnostic}`}>
                <time datetime={b.at}>{b.at.replace('T', ' ').slice(0, 19)}</time> <strong>{b.class}</strong>
                {b.status ? ` ${b.status}` : ''}
                {b.issueId ? (
                  <>
                    {' '}
                    (<a href={`/admin/issues/${b.issueId}`}>issue {b.issueId}</a>)
                  </>
                ) : null}
                <div class="break-all">{b.diagnostic}</div>
              </li>
            ))}
          </ol>
        )}
      </section>
    </AdminLayout>
  );
}
