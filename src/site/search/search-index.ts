// The published notes, indexed in memory with MiniSearch (BM25, prefix search), kept in step with the
// site: only the notes that changed are read again. Drafts and scheduled notes are never given to it.
import MiniSearch from 'minisearch';
import type { Note } from '../../content/load-content.js';
import { noteText } from './note-text.js';
import { type ParsedQuery, phraseMatcher } from './query.js';
import { type Highlighted, Highlighter } from './snippet.js';
import { indexTerms, tokenize } from './terms.js';

interface IndexedNote {
  slug: string;
  title: string;
  summary: string;
  topics: string;
  headings: string;
  text: string;
  /** The text in lower case, for phrases and snippets to search without a case-blind expression. */
  lower: string;
  note: Note;
  /** What the entry was made from: a change to either reads the note again. */
  html: string;
  key: string;
}

export interface SearchHit {
  note: Note;
  title: Highlighted;
  snippet: Highlighted;
}

export interface SearchOutcome {
  hits: SearchHit[];
  /** Notes that matched, of which `hits` are the first. */
  total: number;
  /** No note had every word: these have some of them. */
  partial: boolean;
}

/** Title and headings weigh more than the body; the summary and topic names are written to be found. */
const boost = { title: 5, headings: 2.5, summary: 2, topics: 1.5, text: 1 };
/** Milliseconds of indexing between two turns of the event loop: pages keep being served meanwhile. */
const slice = 8;

export class SearchIndex {
  private readonly index = new MiniSearch<IndexedNote>({
    idField: 'slug',
    fields: Object.keys(boost),
    tokenize,
    processTerm: indexTerms,
  });
  private readonly entries = new Map<string, IndexedNote>();
  private updating: Promise<void> = Promise.resolve();
  private generation = 0;

  /** Makes the index hold exactly these notes; searches wait until it does. */
  update(published: readonly Note[] | Promise<readonly Note[]>, topicName: (slug: string) => string): void {
    const generation = ++this.generation;
    // A failed update fails the searches that wait for it, not every later update.
    this.updating = this.updating
      .catch(() => undefined)
      .then(async () => this.apply(await published, topicName, generation));
  }

  /** Resolves when the last update is in the index. */
  ready(): Promise<void> {
    return this.updating;
  }

  get size(): number {
    return this.entries.size;
  }

  async search(query: ParsedQuery, limit: number): Promise<SearchOutcome> {
    await this.updating;
    const none = { hits: [], total: 0, partial: false };
    const terms = query.words.map((word) => word.term);
    if (terms.length === 0) return none;
    const prefix = new Set(query.words.filter((word) => word.prefix).map((word) => word.term));
    const run = (combineWith: 'AND' | 'OR') =>
      this.index.search(terms.join(' '), {
        combineWith,
        boost,
        prefix: (term) => prefix.has(term),
        weights: { prefix: 0.4, fuzzy: 0 },
        // The query's words are already terms; splitting on spaces keeps "ff3-1" whole.
        tokenize: (text) => text.split(' '),
        processTerm: (term) => term,
      });
    let results = run('AND');
    let partial = false;
    if (results.length === 0 && terms.length > 1 && query.phrases.length === 0) {
      results = run('OR');
      partial = results.length > 0;
    }
    const phrases = query.phrases.map(phraseMatcher);
    const matching: IndexedNote[] = [];
    for (const result of results) {
      const entry = this.entries.get(result.id as string);
      if (
        entry &&
        phrases.every(
          (holds) =>
            holds(entry.lower) || holds(entry.title.toLowerCase()) || holds(entry.summary.toLowerCase()),
        )
      )
        matching.push(entry);
    }
    const highlighter = new Highlighter(query.words);
    return {
      hits: matching.slice(0, limit).map((entry) => ({
        note: entry.note,
        title: highlighter.all(entry.title),
        snippet: highlighter.snippet(entry.text, entry.lower) ??
          highlighter.snippet(entry.summary) ?? [entry.summary],
      })),
      total: matching.length,
      partial,
    };
  }

  private async apply(published: readonly Note[], topicName: (slug: string) => string, generation: number) {
    const wanted = new Map(published.map((note) => [note.slug, note]));
    const keyOf = (note: Note) => [note.hash, ...note.topics.map(topicName)].join('\0');
    for (const [slug, entry] of this.entries) {
      const note = wanted.get(slug);
      if (note && note.html === entry.html && keyOf(note) === entry.key) {
        entry.note = note;
        wanted.delete(slug);
        continue;
      }
      this.index.discard(slug);
      this.entries.delete(slug);
    }
    let since = performance.now();
    for (const note of wanted.values()) {
      // A newer update is queued: it takes over from here, with the notes it wants.
      if (generation !== this.generation) return;
      const entry = entryOf(note, keyOf(note), note.topics.map(topicName).join(' '));
      this.index.add(entry);
      this.entries.set(note.slug, entry);
      if (performance.now() - since > slice) {
        await new Promise((resolve) => setImmediate(resolve));
        since = performance.now();
      }
    }
  }
}

function entryOf(note: Note, key: string, topics: string): IndexedNote {
  const { headings, text } = noteText(note.html);
  return {
    slug: note.slug,
    title: note.title,
    summary: note.summary,
    topics,
    headings: headings.join('\n'),
    text,
    lower: text.toLowerCase(),
    note,
    html: note.html,
    key,
  };
}
