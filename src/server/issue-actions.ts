// What a writer can ask of a note's mail, from the terminal (`send`) or the admin: send the issue now,
// or send one marked test copy to one address. One place, so both doors apply the same rules.
import type { Issue } from '../db/schema.js';
import { createIssue, findIssue, resumeIssue } from '../delivery/issue-store.js';
import type { RelayConnection } from '../delivery/relay.js';
import { isMailable } from '../delivery/schedule-issues.js';
import type { LiveSite } from '../site/live-site.js';
import { normaliseEmail } from '../subscriptions/email-address.js';
import { UserError } from '../user-error.js';
import { findNote, issueContentOf } from './issue-content.js';
import type { Services } from './open-services.js';

/**
 * Makes the note's issue (once, as the scheduler would) and sets it sending, releasing it if it waits
 * for a person or was paused. Returns the issue; `done` means everyone already has it, and nobody is
 * mailed twice. The sending itself is the workers' (or the caller's `sendAll`).
 */
export async function startIssueNow(
  services: Pick<Services, 'db'>,
  live: LiveSite,
  siteUrl: string,
  slug: string,
  now: Date,
): Promise<Issue> {
  const { db } = services;
  const note = findNote(live, slug);
  if (note.draft) throw new UserError('is a draft: publish it first (remove draft: true)', slug);
  if (!isMailable({ ...note, newsletter: true }, now))
    throw new UserError(`is not published yet: it goes out by itself at ${note.date.toISOString()}`, slug);
  let issue = await findIssue(db.kysely, slug);
  if (!issue) issue = await createIssue(db.kysely, await issueContentOf(live, siteUrl, slug), now);
  issue ??= await findIssue(db.kysely, slug);
  if (!issue) throw new Error(`the issue of ${slug} vanished`);
  if (issue.state === 'cancelled')
    throw new UserError('its issue was cancelled; a cancelled issue is not sent again', slug);
  if (issue.state === 'held' || issue.state === 'paused') {
    const resumed = await resumeIssue(db.kysely, db.engine, slug, now);
    if (!resumed.ok) throw new UserError(resumed.problem, slug);
    issue = resumed.issue;
  }
  return issue;
}

export interface TestCopy {
  subject: string;
  address: string;
  /** Where it went: the relay or the local mailbox. */
  via: string;
}

/**
 * One copy of the note's email, marked as a test ("[Test]" subject and a banner), to one address,
 * through the same relay as the issue. It belongs to no issue: no batch, no count, no reader row.
 */
export async function sendTestCopy(
  services: Pick<Services, 'composerFor' | 'relay'>,
  live: LiveSite,
  siteUrl: string,
  slug: string,
  to: string,
  now: Date,
  where = '--test',
): Promise<TestCopy> {
  const address = normaliseEmail(to);
  if (!address.ok) throw new UserError(address.problem, where);
  const content = await issueContentOf(live, siteUrl, slug, true);
  const composer = services.composerFor({
    id: 0,
    note_slug: content.slug,
    subject: content.subject,
    html: content.html,
    text: content.text,
    snapshot_at: null,
  });
  const mail = await composer.compose({ id: 0, key: 'test-copy', email: address.email }, now);
  let outcome: Awaited<ReturnType<RelayConnection['send']>>;
  try {
    const connection = await services.relay.open();
    try {
      outcome = await connection.send(mail.envelope, mail.message, mail.messageId);
    } finally {
      await connection.quit().catch(() => connection.destroy());
    }
  } catch (error) {
    // The relay down or refusing the connection is the operator's to fix: one line, not a stack.
    throw new UserError(
      `could not hand it to the ${services.relay.description}: ${(error as Error).message}`,
      where,
    );
  }
  if (!outcome.accepted)
    throw new UserError(`the relay refused it: ${outcome.reply.code} ${outcome.reply.text}`, where);
  return { subject: content.subject, address: address.email, via: services.relay.description };
}
