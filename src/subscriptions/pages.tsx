// The pages of subscribing and leaving. Views only: they get plain values, never the database.
import type { ComponentChildren } from 'preact';
import type { SubscriberStatus } from '../db/schema.js';
import type { Chrome } from '../site/views/chrome.js';
import { Layout } from '../site/views/layout.js';
import { SubscribeForm } from '../site/views/subscribe-form.js';

export interface View {
  status: number;
  title: string;
  body: ComponentChildren;
  scripts?: string[];
}

export function renderView(chrome: Chrome, path: string, view: View) {
  return (
    <Layout
      chrome={chrome}
      meta={{ title: view.title, description: view.title, path, noindex: true, scripts: view.scripts }}
    >
      <div class="narrow message-page">
        <h1>{view.title}</h1>
        {view.body}
      </div>
    </Layout>
  );
}

export const checkInbox: View = {
  status: 200,
  title: 'Check your inbox',
  body: (
    <>
      <p>
        If the address can receive mail, a message with a confirmation link is on its way. Open it to finish
        subscribing; the link works for 48 hours.
      </p>
      <p>Nothing arrives? Look in the spam folder, or try again in ten minutes.</p>
    </>
  ),
};

export function badAddress(problem: string): View {
  return {
    status: 400,
    title: 'That address did not work',
    body: (
      <>
        <p class="form-message" data-kind="error">
          {problem}
        </p>
        <SubscribeForm id="retry" source="retry" />
      </>
    ),
  };
}

export function confirmPage(token: string, automatic: boolean): View {
  return {
    status: 200,
    title: 'Confirm your subscription',
    scripts: automatic ? ['/assets/confirm.js'] : [],
    body: (
      <>
        {/* The script says "Confirming…" once it runs; without scripts, this is the truth. */}
        <p data-confirm-note>
          Press the button to confirm that you want to receive the newsletter at this address.
        </p>
        <form method="post" action={`/confirm/${token}`} data-auto-confirm={automatic ? '' : undefined}>
          <input type="hidden" name="automatic" value="" />
          <button type="submit">Confirm my subscription</button>
        </form>
      </>
    ),
  };
}

export function welcomePage(manageUrl: string): View {
  return {
    status: 200,
    title: 'You are subscribed',
    body: (
      <>
        <p>
          Thank you. The next note arrives on Friday morning; a welcome mail with your personal links is on
          its way.
        </p>
        <p>
          <a class="button" href="/notes">
            Read the archive
          </a>{' '}
          <a class="button button-secondary" href={manageUrl}>
            Manage your subscription
          </a>
        </p>
      </>
    ),
  };
}

export const alreadyConfirmed: View = {
  status: 200,
  title: 'Already confirmed',
  body: (
    <p>
      This link has been used already: your subscription is confirmed. The links in the welcome mail let you
      manage it.
    </p>
  ),
};

export const expiredLink: View = {
  status: 410,
  title: 'This link has expired',
  body: (
    <>
      <p>Confirmation links work for 48 hours. Ask for a new one:</p>
      <SubscribeForm id="renew" source="renew" />
    </>
  ),
};

export const unknownLink: View = {
  status: 404,
  title: 'This link is not valid',
  body: (
    <p>
      The link may be incomplete (some mail programs break long links) or no longer in use. Copy the whole
      link from the mail into the address bar, or <a href="/#subscribe">subscribe again</a>.
    </p>
  ),
};

export const canaryPage: View = {
  status: 200,
  title: 'Confirm from the mail',
  body: <p>To confirm your subscription, use the button in the confirmation mail.</p>,
};

export function unsubscribePage(token: string, maskedEmail: string): View {
  return {
    status: 200,
    title: 'Unsubscribe',
    body: (
      <>
        <p>Stop sending the newsletter to {maskedEmail}?</p>
        <form method="post" action={`/unsubscribe/${token}`}>
          <button type="submit">Unsubscribe</button>
        </form>
      </>
    ),
  };
}

export const unsubscribed: View = {
  status: 200,
  title: 'You are unsubscribed',
  body: (
    <p>
      No more newsletters will be sent to you. Changed your mind? <a href="/#subscribe">Subscribe again</a>{' '}
      and you will be asked to confirm.
    </p>
  ),
};

const statusWords: Record<SubscriberStatus, string> = {
  pending: 'waiting for you to confirm',
  active: 'subscribed',
  unsubscribed: 'unsubscribed',
  suppressed: 'not receiving mail (suppressed)',
};

export function managePage(
  token: string,
  s: { email: string; status: SubscriberStatus; since: string; formatDate: (d: Date) => string },
): View {
  const leaving = s.status === 'active' || s.status === 'pending';
  return {
    status: 200,
    title: 'Your subscription',
    body: (
      <>
        <dl class="facts">
          <div>
            <dt>Address</dt>
            <dd>{s.email}</dd>
          </div>
          <div>
            <dt>Status</dt>
            <dd>{statusWords[s.status]}</dd>
          </div>
          <div>
            <dt>Since</dt>
            <dd>{s.formatDate(new Date(s.since))}</dd>
          </div>
        </dl>
        {leaving && (
          <form method="post" action={`/unsubscribe/${token}`} class="manage-action">
            <button type="submit" class="button-secondary">
              Unsubscribe
            </button>
          </form>
        )}
        <section class="manage-section" aria-labelledby="data-title">
          <h2 id="data-title">Your data</h2>
          <p>
            Everything kept about you: your address, its status, the mails sent to you and the consent
            records.
          </p>
          <p>
            <a class="button button-secondary" href={`/manage/${token}/data.json`} download>
              Download my data (JSON)
            </a>
          </p>
        </section>
        <section class="danger-zone" aria-labelledby="erase-title">
          <h2 id="erase-title">Danger zone: erase me</h2>
          <p>
            Erasing removes your address and the records of your consent at once. It cannot be undone: to read
            the newsletter again you would subscribe anew.
          </p>
          <form method="post" action={`/manage/${token}/erase`} class="erase-form">
            <label>
              <input type="checkbox" name="confirm" value="yes" required /> I understand this removes my
              address and the records of my consent, and cannot be undone.
            </label>
            <button type="submit" class="button-danger">
              Erase everything about me
            </button>
          </form>
        </section>
      </>
    ),
  };
}

export const eraseNeedsTick: View = {
  status: 400,
  title: 'Nothing was erased',
  body: (
    <p>Tick the box to confirm that you want everything about you erased, then press the button again.</p>
  ),
};

export const erased: View = {
  status: 200,
  title: 'Everything about you is erased',
  body: (
    <p>
      Your address and the records of your consent are gone. The consent ledger keeps an anonymous entry that
      an erasure happened, so that its history stays verifiable.
    </p>
  ),
};

export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}${'•'.repeat(Math.max(local.length - 1, 1))}@${domain}`;
}

export const crossSite: View = {
  status: 403,
  title: 'This form was sent from another site',
  body: (
    <p>
      Nothing was changed. Your subscription can only be changed from this site's own pages: open the link
      from your email again and press the button there.
    </p>
  ),
};
