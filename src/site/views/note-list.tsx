// Notes as lists show them: a date and reading-time line, the title as a link, the summary.
import type { NoteMeta as Listed } from '../../content/parse-note.js';
import { type Chrome, noteUrl } from './chrome.js';

export function NoteMeta({ chrome, note }: { chrome: Chrome; note: Listed }) {
  return (
    <p class="meta">
      <time dateTime={note.date.toISOString()}>{chrome.formatDate(note.date)}</time> · {note.readingMinutes}{' '}
      min read
    </p>
  );
}

export function NoteTeaser({
  chrome,
  note,
  heading,
}: {
  chrome: Chrome;
  note: Listed;
  heading: 'h2' | 'h3';
}) {
  const Heading = heading;
  return (
    <>
      <NoteMeta chrome={chrome} note={note} />
      <Heading>
        <a href={noteUrl(note)}>{note.title}</a>
      </Heading>
      <p>{note.summary}</p>
    </>
  );
}

export function NoteList({
  chrome,
  notes,
  heading = 'h3',
}: {
  chrome: Chrome;
  notes: Listed[];
  heading?: 'h2' | 'h3';
}) {
  return (
    <ol class="note-list">
      {notes.map((note) => (
        <li key={note.slug}>
          <NoteTeaser chrome={chrome} note={note} heading={heading} />
        </li>
      ))}
    </ol>
  );
}
