// The email of a note, as an issue keeps it: the site's rendering of the note turned into email-safe
// HTML and a text part once, with the readers' personal links left as slots.
import type { NoteMeta } from '../content/parse-note.js';
import type { IssueContent } from '../delivery/issue-store.js';
import type { LiveSite } from '../site/live-site.js';
import { UserError } from '../user-error.js';

export function findNote(live: LiveSite, slug: string): NoteMeta {
  const note = live.snapshot.notes.find((n) => n.slug === slug);
  if (!note) throw new UserError(`no note has the slug "${slug}" (see content/notes/)`, slug);
  return note;
}

/** Loaded when an issue is made, not at start: the HTML-to-text and inlining modules are heavy. */
export async function issueContentOf(
  live: LiveSite,
  siteUrl: string,
  slug: string,
  test = false,
): Promise<IssueContent> {
  const { issueEmail } = await import('../mail/issue-email.js');
  const { site } = live.snapshot;
  // A note mailed while the server still renders in the background is rendered now.
  const note = await live.note(findNote(live, slug));
  if (!note) throw new UserError('has a mistake in its body (see the log); fix it first', slug);
  const url = `${siteUrl}/notes/${note.slug}`;
  const email = issueEmail({
    siteTitle: site.title,
    siteUrl,
    postalAddress: site.mail.postalAddress,
    language: site.language,
    timeZone: site.timezone,
    note: {
      title: note.title,
      summary: note.summary,
      url,
      date: note.date,
      html: note.html,
      codeCss: note.codeCss,
      readingMinutes: note.readingMinutes,
    },
    test,
  });
  return {
    slug: note.slug,
    subject: email.subject,
    summary: note.summary,
    noteUrl: url,
    html: email.html,
    text: email.text,
    publishedAt: note.date,
  };
}
