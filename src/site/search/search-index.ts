// The published notes, indexed in memory with MiniSearch (BM25, prefix search), kept in step with the
// site: only the notes that changed are read again. Drafts and scheduled notes are never given to it.
// While `serve` renders the notes behind its start, each note is indexed as its body is rendered, newest
// first, and (with `answerWhileFilling`) a search answers at once from the notes indexed so far.
import MiniSearch from 'minisearch';
import type { NoteMeta } from '../../content/parse-note.js';
import { noteText } from './note-text.js';
import type { ParsedQuery } from './query.js';
import { type Highlighted, Highlighter } from './snippet.js';
import { indexTerms, tokenize } from './terms.js';
import { holdsPhrase, Lexicon, phraseRuns, type WordPositions, wordPositions } from './word-positions.js';

interface IndexedNote {
  note: NoteMeta;
  /** What the entry was made from: a change to either reads the note again. */
  html: string;
  key: string;
  /** Where each word lies, for phrases and snippets; the text itself is only sliced for the snippet. */
  text: WordPositions;
  title: WordPositions;
  summary: WordPositions;
}

/** What MiniSearch reads of a note; it keeps none of it. */
interface Fields {
  slug: string;
  title: string;
  summary: string;
  topics: string;
  headings: string;
  text: string;
}

interface Wanted {
  note: NoteMeta;
  key: string;
  topics: string;
}

export interface SearchHit {
  note: NoteMeta;
  title: Highlighted;
  snippet: Highlighted;
}

export interface SearchOutcome {
  /** The results on the page asked for, best first. */
  hits: SearchHit[];
  /** Notes that matched, of which `hits` are those from `offset` on. */
  total: number;
  offset: number;
  /** No note had every word: these have some of them. */
  partial: boolean;
  /** Published notes not in the index yet (their bodies are still being rendered after a start). */
  unindexed: number;
}

/** Title and headings weigh more than the body; the summary and topic names are written to be found. */
const boost = { title: 5, headings: 2.5, summary: 2, topics: 1.5, text: 1 };
/** Milliseconds of indexing between two turns of the event loop: pages keep being served meanwhile. */
const slice = 8;

export class SearchIndex {
  private readonly index = new MiniSearch<Fields>({
    idField: 'slug',
    fields: Object.keys(boost),
    tokenize,
    processTerm: indexTerms,
  });
  private readonly lexicon = new Lexicon();
  private readonly entries = new Map<string, IndexedNote>();
  /** The notes the index is to hold, newest first. */
  private wanted = new Map<string, Wanted>();
  private htmlOf: (note: NoteMeta) => string | undefined = () => undefined;
  /** Wanted notes whose bodies can be read now, to index in this order. */
  private toIndex: string[] = [];
  private working: Promise<void> | undefined;
  /** Whether the index has held every wanted note once: from then on a search waits for an update. */
  private filled = false;

  /**
   * `answerWhileFilling` (serve): until the index first holds every published note, a search answers
   * from the notes indexed so far instead of waiting for the last one to be rendered.
   */
  constructor(private readonly options: { answerWhileFilling?: boolean } = {}) {}

  /**
   * Makes the index hold exactly these notes: a note whose body `htmlOf` can give now is indexed behind,
   * in slices; the others once `rendered` says their body is there.
   */
  update(
    published: readonly NoteMeta[],
    topicName: (slug: string) => string,
    htmlOf: (note: NoteMeta) => string | undefined,
  ): Promise<void> {
    this.htmlOf = htmlOf;
    this.wanted = new Map(
      published.map((note) => {
        const topics = note.topics.map(topicName).join(' ');
        return [note.slug, { note, key: `${note.hash}\0${topics}`, topics }];
      }),
    );
    for (const [slug, entry] of this.entries) {
      const wanted = this.wanted.get(slug);
      const html = wanted && htmlOf(wanted.note);
      if (wanted && wanted.key === entry.key && (html === undefined || html === entry.html)) {
        entry.note = wanted.note;
        continue;
      }
      this.index.discard(slug);
      this.entries.delete(slug);
    }
    this.toIndex = [...this.wanted.keys()].filter((slug) => !this.entries.has(slug));
    return this.work();
  }

  /** A note's body has been rendered: indexed next if the index wants this version of it. */
  rendered(note: NoteMeta): void {
    if (this.wanted.get(note.slug)?.note.hash !== note.hash || this.entries.has(note.slug)) return;
    this.toIndex.push(note.slug);
    void this.work().catch(() => undefined);
  }

  /** Resolves when every note whose body is rendered is in the index. */
  ready(): Promise<void> {
    return this.working ?? Promise.resolve();
  }

  get size(): number {
    return this.entries.size;
  }

  /** The page of results from `offset`, `limit` long: snippets are made for those alone. */
  async search(
    query: ParsedQuery,
    { offset = 0, limit }: { offset?: number; limit: number },
  ): Promise<SearchOutcome> {
    if (this.filled || !this.options.answerWhileFilling) await this.working;
    const unindexed = this.wanted.size - this.entries.size;
    const none = { hits: [], total: 0, offset, partial: false, unindexed };
    const terms = query.words.map((word) => word.term);
    if (terms.length === 0) return none;
    const phrases = [];
    for (const tokens of query.phrases) {
      const phrase = phraseRuns(tokens, this.lexicon);
      // A word of the phrase is in no note.
      if (!phrase) return none;
      phrases.push(phrase);
    }
    const prefix = new Set(query.words.filter((word) => word.prefix).map((word) => word.term));
    const run = (combineWith: 'AND' | 'OR') =>
      this.index.search(terms.join(' '), {
        combineWith,
        boost,
        prefix: (term) => prefix.has(term),
        // The query's words are already terms; splitting on spaces keeps "ff3-1" whole.
        tokenize: (text) => text.split(' '),
        processTerm: (term) => term,
      });
    let results = run('AND');
    let partial = false;
    if (results.length === 0 && terms.length > 1 && phrases.length === 0) {
      results = run('OR');
      partial = results.length > 0;
    }
    const shown: IndexedNote[] = [];
    let total = 0;
    for (const result of results) {
      const entry = this.entries.get(result.id as string);
      if (
        entry &&
        phrases.every(
          (phrase) =>
            holdsPhrase(entry.text, phrase) ||
            holdsPhrase(entry.title, phrase) ||
            holdsPhrase(entry.summary, phrase),
        )
      ) {
        if (total >= offset && shown.length < limit) shown.push(entry);
        total++;
      }
    }
    const highlighter = new Highlighter(query.words, this.lexicon);
    return {
      hits: shown.map((entry) => ({
        note: entry.note,
        title: highlighter.all(entry.title),
        snippet: highlighter.snippet(entry.text) ??
          highlighter.snippet(entry.summary) ?? [entry.note.summary],
      })),
      total,
      offset,
      partial,
      unindexed,
    };
  }

  private work(): Promise<void> {
    this.working ??= this.drain();
    return this.working;
  }

  /** Indexes the ready notes in slices of `slice` ms; ends (and lets the next call start) once none is left. */
  private async drain(): Promise<void> {
    try {
      await Promise.resolve();
      let since = performance.now();
      for (let slug = this.toIndex.shift(); slug !== undefined; slug = this.toIndex.shift()) {
        const wanted = this.wanted.get(slug);
        if (!wanted || this.entries.has(slug)) continue;
        const html = this.htmlOf(wanted.note);
        if (html === undefined) continue;
        this.add(wanted, html);
        if (performance.now() - since > slice) {
          await new Promise((resolve) => setImmediate(resolve));
          since = performance.now();
        }
      }
      if (this.entries.size === this.wanted.size) this.filled = true;
    } finally {
      this.working = undefined;
    }
  }

  private add({ note, key, topics }: Wanted, html: string): void {
    const { headings, text } = noteText(html);
    this.index.add({
      slug: note.slug,
      title: note.title,
      summary: note.summary,
      topics,
      headings: headings.join('\n'),
      text,
    });
    this.entries.set(note.slug, {
      note,
      html,
      key,
      text: wordPositions(text, this.lexicon),
      title: wordPositions(note.title, this.lexicon),
      summary: wordPositions(note.summary, this.lexicon),
    });
  }
}
