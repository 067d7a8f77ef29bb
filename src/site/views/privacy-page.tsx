// The privacy notice at /privacy, written from site.yml: who keeps what about a subscriber, why, for how
// long, and how to have it erased. Every subscribe form links here. It says only what the code does.
import { type Chrome, privacyPath } from './chrome.js';
import { Layout } from './layout.js';

const monthsText = (months: number) => (months === 1 ? '1 month' : `${months} months`);

export function PrivacyPage({ chrome }: { chrome: Chrome }) {
  const { site } = chrome;
  const kept = monthsText(site.privacy.retentionMonths);
  const contact = site.privacy.contact;
  return (
    <Layout
      chrome={chrome}
      meta={{
        title: 'Privacy',
        description: `What ${site.title} keeps about its readers and subscribers, why, for how long, and how to have it erased.`,
        path: privacyPath,
      }}
    >
      <div class="narrow message-page privacy-page">
        <h1>Privacy</h1>
        <p>
          {site.title} is published by {site.author}, {site.mail.postalAddress}, who decides what is kept
          about you (the controller).{' '}
          {contact ? (
            <>
              Questions and requests go to <a href={`mailto:${contact}`}>{contact}</a>.
            </>
          ) : (
            <>Questions and requests go to that postal address.</>
          )}
        </p>

        <h2>Reading the site</h2>
        <p>
          Reading sets no cookies, runs no analytics and loads nothing from any other site. The server keeps
          no log of visits. Your IP address is held in memory for at most a minute, to limit how often one
          address can send the forms, and is not written anywhere.
        </p>

        <h2>Subscribing: what is kept</h2>
        <ul>
          <li>your email address, whether you are subscribed, and when you subscribed, confirmed or left;</li>
          <li>the form you used and the words beside it, which are what you agreed to;</li>
          <li>
            the IP address and the browser's self-description (user agent) from which you asked to subscribe,
            confirmed or unsubscribed;
          </li>
          <li>the mails sent to you, and the replies of mail servers about their delivery.</li>
        </ul>
        <p>
          Each of these steps is also written to a consent ledger, a tamper-evident record of events that
          names you only by a keyed fingerprint of your address.
        </p>

        <h2>Why</h2>
        <p>
          Your address is used only to send you {site.title}, which you asked for; your consent is the basis
          for that, and you can take it back at any time. The time, form, words, IP address and user agent are
          kept as proof that you, and not someone else, asked for it and confirmed it, as the law requires a
          sender to be able to show. Your address goes to no one but the mail servers that carry our mail to
          you, and mails carry no tracking pixels and no tracked links.
        </p>

        <h2>For how long</h2>
        <p>
          The IP address and user agent are deleted {kept} after they were recorded; what stays is a sealed
          record that you consented, when and on which form, which cannot be traced back to an address or a
          browser. Your address is kept while you are subscribed, and after you unsubscribe it is kept marked
          as unsubscribed, so that the record of your leaving stands, until you erase it.
        </p>

        <h2>Seeing and erasing it</h2>
        <p>
          The welcome mail and every issue end with a link to your own page. There you can see what is kept,
          download all of it as a file, unsubscribe, and erase yourself: erasing deletes at once your address,
          the mails sent to you, the delivery replies about them, and the IP addresses and user agents. The
          consent ledger then keeps only an anonymous entry that an erasure happened, so that its history
          stays verifiable. Without that link, write to us as above.
        </p>
      </div>
    </Layout>
  );
}
