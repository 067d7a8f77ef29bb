// The newsletter invitation that closes the home page and every note.
import type { Site } from '../../content/schema.js';
import { SubscribeForm } from './subscribe-form.js';

export function NewsletterBlock({
  site,
  source,
  action = '/subscribe',
}: {
  site: Site;
  source: 'newsletter' | 'note';
  /** null: a static export without a server to subscribe at offers the feeds instead. */
  action?: string | null;
}) {
  return (
    <div class="newsletter">
      <h2 id={`${source}-title`}>{site.newsletter.title}</h2>
      <p>{site.newsletter.text}</p>
      {action === null ? (
        <p>
          Follow the new notes in a feed reader: <a href="/feed.xml">RSS</a> · <a href="/atom.xml">Atom</a> ·{' '}
          <a href="/feed.json">JSON Feed</a>
        </p>
      ) : (
        <>
          <SubscribeForm id={source} source={source} action={action} />
          <p class="small-print">{site.newsletter.smallPrint}</p>
        </>
      )}
    </div>
  );
}
