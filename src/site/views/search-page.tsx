// The search results: each note's title, date, topics and the words around the match, marked. Kept out
// of search engines: a results page is not content.
import { type ParsedQuery, queryLimits } from '../search/query.js';
import type { SearchOutcome } from '../search/search-index.js';
import type { Highlighted } from '../search/snippet.js';
import { type Chrome, noteUrl, topicUrl } from './chrome.js';
import { Layout, type PageMeta } from './layout.js';

export const searchPath = '/search';

/** Results on a page: snippets are made for these alone, and more are a link away. */
export const resultsPerPage = 10;

function pageUrl(text: string, page: number): string {
  return `${searchPath}?q=${encodeURIComponent(text)}${page > 1 ? `&page=${page}` : ''}`;
}

/** What a search page says before the results, and the form to search again. */
function SearchForm({ chrome, text }: { chrome: Chrome; text: string }) {
  return (
    <search class="search-form">
      <form action={chrome.searchAction} method="get">
        <label for="search-q">Search the notes</label>
        <div class="fields">
          <input id="search-q" type="search" name="q" value={text} />
          <button type="submit">Search</button>
        </div>
        <p class="hint">
          Words match their other forms (“drill” finds “drills”) and their beginnings; “quotes” find a phrase;
          terms such as RAID-5 or 3.5.1.2 match exactly.
        </p>
      </form>
    </search>
  );
}

function Marked({ parts }: { parts: Highlighted }) {
  return <>{parts.map((part) => (typeof part === 'string' ? part : <mark>{part.mark}</mark>))}</>;
}

function Results({ chrome, query, outcome }: { chrome: Chrome; query: ParsedQuery; outcome: SearchOutcome }) {
  const { hits, total, offset } = outcome;
  const page = Math.floor(offset / resultsPerPage) + 1;
  // While the index is first filled, what matched is out of the notes indexed so far.
  const soFar = outcome.unindexed > 0 ? ' indexed so far' : '';
  return (
    <>
      <p class="search-summary" role="status">
        {total === 0
          ? `No note${soFar} matches “${query.text}”.`
          : `${total} ${total === 1 ? 'note' : 'notes'}${soFar} ${total === 1 ? 'matches' : 'match'} “${query.text}”${outcome.partial ? ' in part: none has all of its words' : ''}.`}
        {hits.length > 0 &&
          total > hits.length &&
          ` Results ${offset + 1}–${offset + hits.length}, the most relevant first.`}
        {total > 0 && hits.length === 0 && ' This page is past the last of them.'}
      </p>
      {total === 0 && (
        <p>
          Try fewer or other words, or browse <a href="/notes">all notes</a> and{' '}
          <a href="/topics">the topics</a>.
        </p>
      )}
      <ol class="search-results" start={offset > 0 ? offset + 1 : undefined}>
        {hits.map(({ note, title, snippet }) => (
          <li key={note.slug}>
            <p class="meta">
              <time dateTime={note.date.toISOString()}>{chrome.formatDate(note.date)}</time>
              {note.topics.flatMap((slug) => {
                const topic = chrome.topicsBySlug.get(slug);
                return topic ? [' · ', <a href={topicUrl(topic)}>{topic.name}</a>] : [];
              })}
            </p>
            <h2>
              <a href={noteUrl(note)}>
                <Marked parts={title} />
              </a>
            </h2>
            <p class="snippet">
              <Marked parts={snippet} />
            </p>
          </li>
        ))}
      </ol>
      {total > 0 && (offset > 0 || offset + hits.length < total) && (
        <nav class="pager" aria-label="More results">
          {offset > 0 && (
            <a class="prev" href={pageUrl(query.text, hits.length === 0 ? 1 : page - 1)} rel="prev">
              <span>← {hits.length === 0 ? 'First results' : 'Previous results'}</span>
            </a>
          )}
          {offset + hits.length < total && hits.length > 0 && (
            <a class="next" href={pageUrl(query.text, page + 1)} rel="next">
              <span>More results →</span>
            </a>
          )}
        </nav>
      )}
    </>
  );
}

/** After a start, until every note's body is rendered and indexed: what a search did not look at. */
function StillIndexing({ unindexed }: { unindexed: number }) {
  return (
    <p class="notice" role="status">
      The site has just started and is still indexing its archive: {unindexed}{' '}
      {unindexed === 1 ? 'note was' : 'notes were'} not searched yet. Search again in a minute for complete
      results.
    </p>
  );
}

/** A results page is not content: kept out of search engines, with no canonical address. */
function searchMeta(chrome: Chrome, title: string, scripts: string[]): PageMeta {
  return {
    title,
    description: `Search the notes of ${chrome.site.title}.`,
    path: searchPath,
    noindex: true,
    current: 'search',
    scripts,
  };
}

export function SearchPage({
  chrome,
  query,
  outcome,
}: {
  chrome: Chrome;
  query: ParsedQuery;
  outcome: SearchOutcome;
}) {
  return (
    <Layout chrome={chrome} meta={searchMeta(chrome, query.text ? `Search: ${query.text}` : 'Search', [])}>
      <div class="narrow search-page">
        <h1>Search</h1>
        <SearchForm chrome={chrome} text={query.text} />
        {query.cut && (
          <p class="notice">
            Only the first {queryLimits.characters} characters and {queryLimits.words} words were searched.
          </p>
        )}
        {query.text !== '' && outcome.unindexed > 0 && <StillIndexing unindexed={outcome.unindexed} />}
        {query.text === '' ? null : query.words.length === 0 ? (
          <p class="search-summary" role="status">
            “{query.text}” has no words or numbers to search for.
          </p>
        ) : (
          <Results chrome={chrome} query={query} outcome={outcome} />
        )}
      </div>
    </Layout>
  );
}

/**
 * The search page of a static export: no server answers it, so its one script searches the index the
 * export wrote. Without JavaScript it says so, and where to look instead.
 */
export function StaticSearchPage({ chrome }: { chrome: Chrome }) {
  return (
    <Layout chrome={chrome} meta={searchMeta(chrome, 'Search', ['/assets/static-search.js'])}>
      <div class="narrow search-page">
        <h1>Search</h1>
        <SearchForm chrome={chrome} text="" />
        <div id="search-output" aria-live="polite">
          <p class="search-summary">
            Searching this copy of the site needs JavaScript, which is off or blocked here. Browse{' '}
            <a href="/notes">all notes</a> or <a href="/topics">the topics</a> instead.
          </p>
        </div>
      </div>
    </Layout>
  );
}
