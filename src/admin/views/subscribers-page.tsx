// The subscriber list: a search by address, a filter by status, a page of 50 at a time (next pages by
// keyset), and the ways in and out: import a CSV, export one.
import type { SubscriberStatus } from '../../db/schema.js';
import { type StatusCounts, subscriberStatuses } from '../../subscriptions/status-counts.js';
import type { SubscriberPage, SubscriberQuery } from '../subscriber-queries.js';
import { AdminLayout } from './admin-layout.js';
import { CsrfField } from './csrf-field.js';
import { fmt } from './growth-chart.js';
import { StatusBadge, statusLabels } from './subscriber-status.js';

export interface SubscribersPageProps {
  admin: { email: string };
  csrfToken: string;
  query: SubscriberQuery;
  page: SubscriberPage;
  counts: StatusCounts;
  /** A one-line outcome of the last action (an erasure), shown above the list. */
  notice?: string;
}

export function subscribersUrl(q: SubscriberQuery): string {
  const params = new URLSearchParams();
  if (q.search) params.set('q', q.search);
  if (q.status) params.set('status', q.status);
  if (q.after !== undefined) params.set('after', String(q.after));
  const text = params.toString();
  return text ? `/admin/subscribers?${text}` : '/admin/subscribers';
}

export function SubscribersPage({ admin, csrfToken, query, page, counts, notice }: SubscribersPageProps) {
  const total = subscriberStatuses.reduce((n, s) => n + counts[s], 0);
  const shown = query.status ? counts[query.status] : total;
  return (
    <AdminLayout
      title="Subscribers"
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
      <form
        class="inline-form subscriber-search"
        method="get"
        action="/admin/subscribers"
        aria-label="Search subscribers"
      >
        <label>
          Address starts with
          <input type="search" name="q" value={query.search ?? ''} autocomplete="off" spellcheck={false} />
        </label>
        <label>
          Status
          <select name="status">
            <option value="" selected={!query.status}>
              Any ({fmt(total)})
            </option>
            {subscriberStatuses.map((s: SubscriberStatus) => (
              <option key={s} value={s} selected={query.status === s}>
                {statusLabels[s]} ({fmt(counts[s])})
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="button">
          Search
        </button>
      </form>
      <div class="actions">
        <a class="button button-secondary" href="/admin/subscribers/import">
          Import a CSV
        </a>
        <form method="post" action="/admin/subscribers/export">
          <CsrfField token={csrfToken} />
          <button type="submit" class="button button-secondary">
            Export all as CSV
          </button>
        </form>
      </div>
      <h2 id="list-heading">
        {query.search
          ? `Addresses starting with “${query.search}”${query.status ? `, ${statusLabels[query.status].toLowerCase()}` : ''}`
          : `${fmt(shown)} ${query.status ? statusLabels[query.status].toLowerCase() : 'subscribers'}, newest first`}
      </h2>
      {page.rows.length === 0 ? (
        <p>{query.after === undefined ? 'No subscriber matches.' : 'No more subscribers.'}</p>
      ) : (
        <div class="table-scroll">
          <table class="subscriber-table">
            <thead>
              <tr>
                <th scope="col">Address</th>
                <th scope="col">Status</th>
                <th scope="col">Source</th>
                <th scope="col">Since</th>
              </tr>
            </thead>
            <tbody>
              {page.rows.map((row) => (
                <tr key={row.id}>
                  <th scope="row" class="break-all">
                    <a href={`/admin/subscribers/${row.id}`}>{row.email}</a>
                  </th>
                  <td>
                    <StatusBadge status={row.status} />
                  </td>
                  <td class="break-all">{row.source}</td>
                  <td>
                    <time datetime={row.created_at}>{row.created_at.slice(0, 10)}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="pager" aria-label="Pages">
        {query.after !== undefined ? (
          <a href={subscribersUrl({ ...query, after: undefined })}>First page</a>
        ) : null}
        {page.next !== undefined ? (
          <a href={subscribersUrl({ ...query, after: page.next })} rel="next">
            Next page
          </a>
        ) : null}
      </nav>
    </AdminLayout>
  );
}
