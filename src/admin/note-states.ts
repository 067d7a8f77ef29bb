// Every note with where it stands: a draft, scheduled for later, or published, and the state of its
// issue when one was made. Read from the live site's content and the issues table; nothing stored.
import type { Kysely } from 'kysely';
import type { NoteMeta } from '../content/parse-note.js';
import type { Database, IssueState } from '../db/schema.js';
import { isMailable } from '../delivery/schedule-issues.js';

export type NoteState = 'draft' | 'scheduled' | 'published';

export interface NoteRow {
  slug: string;
  title: string;
  file: string;
  date: Date;
  state: NoteState;
  /** false: `newsletter: false`, on the site and never mailed. */
  mailed: boolean;
  issue: { id: number; state: IssueState } | undefined;
  /** Published, mailed, and no issue yet: the writer may start it now. */
  canSendNow: boolean;
}

export function noteStateOf(note: Pick<NoteMeta, 'draft' | 'date'>, now: Date): NoteState {
  if (note.draft) return 'draft';
  return note.date.getTime() > now.getTime() ? 'scheduled' : 'published';
}

export async function noteRows(
  db: Kysely<Database>,
  notes: readonly NoteMeta[],
  now: Date,
): Promise<NoteRow[]> {
  const issues = await db.selectFrom('issues').select(['id', 'note_slug', 'state']).execute();
  const bySlug = new Map(issues.map((i) => [i.note_slug, { id: Number(i.id), state: i.state }]));
  return notes.map((note) => {
    const issue = bySlug.get(note.slug);
    return {
      slug: note.slug,
      title: note.title,
      file: note.file,
      date: note.date,
      state: noteStateOf(note, now),
      mailed: note.newsletter !== false,
      issue,
      canSendNow: issue === undefined && isMailable(note, now),
    };
  });
}
