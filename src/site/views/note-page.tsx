// One note: title, date, reading time, topics, table of contents, body, subscribe block, previous/next.
import type { Note } from '../../content/load-content.js';
import type { NoteMeta } from '../../content/parse-note.js';
import type { TocEntry } from '../../content/rendered-note.js';
import { type Chrome, noteUrl, topicUrl } from './chrome.js';
import { Layout } from './layout.js';
import { NewsletterBlock } from './newsletter-block.js';
import { type Unpublished, UnpublishedBanner } from './unpublished-banner.js';

/** Short notes read fine without a table of contents. */
const tocMinimum = { words: 900, headings: 3 };

interface Props {
  chrome: Chrome;
  note: Note;
  /** Path of the note's share card. */
  card: string;
  newer: NoteMeta | undefined;
  older: NoteMeta | undefined;
  /** The stylesheet of this note's code colours, when it has code. */
  codeStylesheet?: string | undefined;
  /** Set for a draft or scheduled note: it gets a banner and stays out of search engines. */
  unpublished?: Unpublished | undefined;
}

export function NotePage({ chrome, note, card, newer, older, unpublished, codeStylesheet }: Props) {
  const { site, siteUrl } = chrome;
  const url = `${siteUrl}${noteUrl(note)}`;
  const topics = note.topics.flatMap((slug) => chrome.topicsBySlug.get(slug) ?? []);
  const jsonLd = {
    '@context': 'https://schema.org',
    '@type': 'Article',
    headline: note.title,
    description: note.summary,
    datePublished: note.date.toISOString(),
    dateModified: (note.updated ?? note.date).toISOString(),
    // The publication speaks for itself unless site.yml names the person who writes it.
    author: site.person
      ? { '@type': 'Person', name: site.person }
      : { '@type': 'Organization', name: site.author, url: `${siteUrl}/` },
    publisher: { '@type': 'Organization', name: site.title, url: `${siteUrl}/` },
    image: [`${siteUrl}${card}`],
    inLanguage: site.language,
    mainEntityOfPage: url,
    url,
    wordCount: note.words,
    keywords: topics.map((topic) => topic.name).join(', '),
  };
  const showToc =
    note.words >= tocMinimum.words &&
    note.toc.filter((entry) => entry.depth === 2).length >= tocMinimum.headings;
  return (
    <Layout
      chrome={chrome}
      meta={{
        title: note.title,
        description: note.summary,
        path: noteUrl(note),
        type: 'article',
        published: note.date,
        jsonLd: unpublished ? undefined : jsonLd,
        noindex: unpublished !== undefined,
        image: card,
        current: 'notes',
        stylesheets: codeStylesheet ? [codeStylesheet] : undefined,
      }}
    >
      {unpublished && <UnpublishedBanner chrome={chrome} note={note} unpublished={unpublished} />}
      <article>
        <header class="note-header narrow">
          <p class="meta">
            {/* data-pagefind-*: what a static export's search shows of the note beside its title. */}
            <time dateTime={note.date.toISOString()} data-pagefind-meta="date">
              {chrome.formatDate(note.date)}
            </time>{' '}
            · {note.readingMinutes} min read
            {note.updated && (
              <>
                {' '}
                · updated <time dateTime={note.updated.toISOString()}>{chrome.formatDate(note.updated)}</time>
              </>
            )}
          </p>
          <h1>{note.title}</h1>
          <p class="summary">{note.summary}</p>
          {topics.length > 0 && (
            <ul class="tags" aria-label="Topics">
              {topics.map((topic) => (
                <li key={topic.slug}>
                  <a href={topicUrl(topic)} data-pagefind-filter="topic">
                    {topic.name}
                  </a>
                </li>
              ))}
            </ul>
          )}
        </header>
        <div class="narrow">
          {showToc && <TableOfContents entries={note.toc} />}
          <div class="prose" dangerouslySetInnerHTML={{ __html: note.html }} />
        </div>
      </article>
      <aside class="narrow note-end" aria-labelledby="note-title">
        <NewsletterBlock site={site} source="note" action={chrome.subscribeAction} />
        <nav class="pager" aria-label="More notes">
          {older && (
            <a class="prev" href={noteUrl(older)} rel="prev">
              <span>← Previous note</span>
              {older.title}
            </a>
          )}
          {newer && (
            <a class="next" href={noteUrl(newer)} rel="next">
              <span>Next note →</span>
              {newer.title}
            </a>
          )}
        </nav>
      </aside>
    </Layout>
  );
}

/**
 * Two copies of the contents, one shown per screen width: on a phone it starts folded (a `<details>`),
 * so that the note's first words are on the first screen; beside a wide column it is simply a list.
 * Only the copy on display is seen by assistive technology; the folded one is a disclosure, not a second
 * navigation landmark.
 */
function TableOfContents({ entries }: { entries: TocEntry[] }) {
  const sections: { entry: TocEntry; children: TocEntry[] }[] = [];
  for (const entry of entries) {
    const last = sections.at(-1);
    if (entry.depth === 3 && last) last.children.push(entry);
    else sections.push({ entry, children: [] });
  }
  const list = (
    <ol>
      {sections.map(({ entry, children }) => (
        <li key={entry.id}>
          <a href={`#${entry.id}`}>{entry.text}</a>
          {children.length > 0 && (
            <ol>
              {children.map((child) => (
                <li key={child.id}>
                  <a href={`#${child.id}`}>{child.text}</a>
                </li>
              ))}
            </ol>
          )}
        </li>
      ))}
    </ol>
  );
  return (
    <>
      <details class="toc toc-small">
        <summary>Contents</summary>
        {list}
      </details>
      <nav class="toc toc-wide" aria-label="Contents">
        <p class="toc-title">Contents</p>
        {list}
      </nav>
    </>
  );
}
