// A note's email as a reader will get it, for the admin's preview: the issue's rendering of the note,
// composed for one address through the same composer as the issue (headers, links, DKIM), then read
// back as a mail client reads it. Renderings are kept per version of the note: inlining is not cheap.
import type { IssueContent } from '../delivery/issue-store.js';
import { type ParsedMessage, parseMail } from '../mail/mailbox.js';
import { findNote, issueContentOf } from '../server/issue-content.js';
import type { Services } from '../server/open-services.js';
import type { LiveSite } from '../site/live-site.js';

const rendered = new Map<string, Promise<IssueContent>>();
const keep = 16;

export async function noteEmail(
  services: Pick<Services, 'composerFor'>,
  live: LiveSite,
  siteUrl: string,
  slug: string,
  to: string,
  now: Date,
): Promise<ParsedMessage> {
  const note = findNote(live, slug);
  const key = `${slug}\0${note.hash}\0${siteUrl}`;
  let content = rendered.get(key);
  if (!content) {
    if (rendered.size >= keep) rendered.clear();
    content = issueContentOf(live, siteUrl, slug);
    rendered.set(key, content);
    content.catch(() => rendered.delete(key));
  }
  const { html, text, subject } = await content;
  const composer = services.composerFor({ id: 0, note_slug: slug, subject, html, text, snapshot_at: null });
  const mail = await composer.compose({ id: 0, key: 'preview', email: to }, now);
  return parseMail(Buffer.concat(mail.message));
}
