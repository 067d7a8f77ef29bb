// The newsletter invitation that closes the home page and every note.
import type { Site } from '../../content/schema.js';
import { SubscribeForm } from './subscribe-form.js';

export function NewsletterBlock({ site, source }: { site: Site; source: 'newsletter' | 'note' }) {
  return (
    <div class="newsletter">
      <h2 id={`${source}-title`}>{site.newsletter.title}</h2>
      <p>{site.newsletter.text}</p>
      <SubscribeForm id={source} source={source} />
      <p class="small-print">{site.newsletter.smallPrint}</p>
    </div>
  );
}
