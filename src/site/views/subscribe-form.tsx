// The subscribe form. It works as a plain HTML form; a honeypot field catches naive bots. Each one links
// the privacy notice, which says what subscribing keeps and for how long.
import { privacyPath } from './chrome.js';

export function SubscribeForm({
  id,
  source,
  cta = 'Subscribe',
  action = '/subscribe',
}: {
  id: string;
  source: string;
  cta?: string;
  /** Another origin's /subscribe when a static export sends its readers to a running errorbudget. */
  action?: string;
}) {
  return (
    <form class="subscribe-form" method="post" action={action} data-subscribe>
      <input type="hidden" name="form" value={source} />
      <div class="fields">
        <label class="sr-only" for={`${id}-email`}>
          Email address
        </label>
        <input
          id={`${id}-email`}
          type="email"
          name="email"
          required
          maxlength={254}
          autocomplete="email"
          placeholder="you@example.com"
        />
        <button type="submit">{cta}</button>
      </div>
      <div class="honeypot" aria-hidden="true">
        <label>
          Leave this field empty
          <input type="text" name="website" tabindex={-1} autocomplete="off" />
        </label>
      </div>
      <p class="form-message" role="status" aria-live="polite" />
      <p class="form-privacy">
        <a href={privacyPath}>What subscribing keeps, and for how long</a>
      </p>
    </form>
  );
}
