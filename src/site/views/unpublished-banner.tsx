// The banner over a note readers cannot see yet: a draft, or a note scheduled for later.
import type { NoteMeta } from '../../content/parse-note.js';
import type { Chrome } from './chrome.js';

export interface Unpublished {
  /** How this page is being seen: `serve --drafts` locally, or a signed preview link. */
  via: 'drafts' | 'preview';
  /** Until when a preview link works. */
  expiresAt?: Date;
}

export function isUnpublished(note: Pick<NoteMeta, 'draft' | 'date'>, now: Date): boolean {
  return note.draft || note.date.getTime() > now.getTime();
}

export function UnpublishedBanner({
  chrome,
  note,
  unpublished,
}: {
  chrome: Chrome;
  note: NoteMeta;
  unpublished: Unpublished;
}) {
  const { site } = chrome;
  const format = new Intl.DateTimeFormat(site.language, {
    timeZone: site.timezone,
    dateStyle: 'long',
    timeStyle: 'short',
  });
  const when = `${format.format(note.date)} (${site.timezone})`;
  return (
    <div class="unpublished-banner narrow" role="note">
      <p>
        <strong>{note.draft ? 'Draft' : `Scheduled for ${when}`}</strong>
        {note.draft ? ` — not published; dated ${when}.` : ' — not published yet.'}{' '}
        {unpublished.via === 'preview'
          ? `A preview for review${unpublished.expiresAt ? `, until ${format.format(unpublished.expiresAt)}` : ''}: not in feeds, lists or search engines.`
          : 'Shown because serve runs with --drafts: not in feeds, lists or search engines.'}
      </p>
    </div>
  );
}
