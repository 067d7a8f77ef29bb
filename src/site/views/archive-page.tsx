// Every published note, grouped by year, newest first.
import type { NoteMeta } from '../../content/parse-note.js';
import type { Chrome } from './chrome.js';
import { Layout } from './layout.js';
import { NoteList } from './note-list.js';

export function ArchivePage({
  chrome,
  notes,
  yearOf,
}: {
  chrome: Chrome;
  notes: NoteMeta[];
  yearOf: (date: Date) => string;
}) {
  const years = new Map<string, NoteMeta[]>();
  for (const note of notes) {
    const year = yearOf(note.date);
    years.set(year, [...(years.get(year) ?? []), note]);
  }
  return (
    <Layout
      chrome={chrome}
      meta={{
        title: 'All notes',
        description: `Every note published on ${chrome.site.title}.`,
        path: '/notes',
        current: 'notes',
      }}
    >
      <div class="wrap">
        <header class="page-header">
          <h1>All notes</h1>
          <p>
            {notes.length} {notes.length === 1 ? 'note' : 'notes'}, newest first.
          </p>
        </header>
        {notes.length === 0 && <p>The first note is on its way.</p>}
        {[...years].map(([year, yearNotes]) => (
          <section key={year} aria-labelledby={`year-${year}`}>
            <h2 class="year" id={`year-${year}`}>
              {year}
            </h2>
            <NoteList chrome={chrome} notes={yearNotes} />
          </section>
        ))}
      </div>
    </Layout>
  );
}
