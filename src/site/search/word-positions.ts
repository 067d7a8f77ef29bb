// The words of a note as numbers, made once when the note is indexed: where each run of letters and
// digits starts and which one it is, in lower case. Phrases and snippets are then found by comparing
// numbers, without lower-casing or scanning the note's text again for every query.
import { isWordCharacterAt, wordTerm } from './terms.js';

/** The lower-cased runs of letters and digits of every indexed text, each under one number. */
export class Lexicon {
  private readonly numbers = new Map<string, number>();
  private readonly runs: string[] = [];
  private readonly terms: string[] = [];
  /** A query's notes on runs (see `Highlighter`), valid where `stamps` holds its stamp. */
  private memo = new Int32Array(1024);
  private stamps = new Uint32Array(1024);
  private stamp = 0;

  numberOf(run: string): number | undefined {
    return this.numbers.get(run);
  }

  /** The run's number, given one if it is new. */
  add(run: string): number {
    let number = this.numbers.get(run);
    if (number === undefined) {
      number = this.runs.length;
      this.runs.push(run);
      this.terms.push(wordTerm(run));
      this.numbers.set(run, number);
    }
    return number;
  }

  run(number: number): string {
    return this.runs[number] ?? '';
  }

  /** The run's index term as a plain word: stemmed once, here, rather than for every query. */
  term(number: number): string {
    return this.terms[number] ?? '';
  }

  /**
   * A memo by run number for one query, without allocating one per query: valid until the next call,
   * which is enough for a search, whose snippets are made without yielding.
   */
  memoFor(): { get(number: number): number | undefined; set(number: number, value: number): void } {
    const stamp = ++this.stamp;
    if (this.memo.length < this.runs.length) {
      const size = Math.max(this.runs.length, this.memo.length * 2);
      this.memo = new Int32Array(size);
      this.stamps = new Uint32Array(size);
    }
    const { memo, stamps } = this;
    return {
      get: (number) => (stamps[number] === stamp ? memo[number] : undefined),
      set: (number, value) => {
        stamps[number] = stamp;
        memo[number] = value;
      },
    };
  }
}

/**
 * A text's runs of letters and digits, in order: `starts[i]` is where run i begins in the text, `runs[i]`
 * its number in the lexicon, and `joined[i]` is 1 when a single hyphen, dot, apostrophe or underscore
 * ties it to the next ("RAID-5", "3.5.1.2"), as the index's tokens are tied. Nine bytes a run, in
 * place of the lower-cased copy of the text that searches used to scan.
 */
export interface WordPositions {
  text: string;
  starts: Uint32Array;
  runs: Uint32Array;
  joined: Uint8Array;
}

const run = /[\p{L}\p{N}]+/gu;
const joiners = new Set(['-', '.', "'", '’', '_']);

export function wordPositions(text: string, lexicon: Lexicon): WordPositions {
  const starts: number[] = [];
  const runs: number[] = [];
  const joined: number[] = [];
  let previousEnd = -2;
  for (const match of text.matchAll(run)) {
    const start = match.index;
    if (runs.length > 0)
      joined.push(start === previousEnd + 1 && joiners.has(text.charAt(previousEnd)) ? 1 : 0);
    starts.push(start);
    runs.push(lexicon.add(match[0].toLowerCase()));
    previousEnd = start + match[0].length;
  }
  if (runs.length > 0) joined.push(0);
  return {
    text,
    starts: Uint32Array.from(starts),
    runs: Uint32Array.from(runs),
    joined: Uint8Array.from(joined),
  };
}

/** Where run `index` ends in the text. */
export function runEnd(positions: WordPositions, index: number): number {
  let end = positions.starts[index] ?? 0;
  while (isWordCharacterAt(positions.text, end)) end++;
  return end;
}

export interface PhraseRuns {
  runs: number[];
  /** Between run k and k + 1: the character that must join them (inside a typed token), or undefined. */
  joiners: (string | undefined)[];
}

/**
 * A phrase's tokens as runs to find one after the other: between two tokens any spaces or punctuation
 * may lie, inside a token ("format-preserving") exactly the character typed. Undefined when a run is
 * in no indexed text, so that no note can hold the phrase.
 */
export function phraseRuns(tokens: string[], lexicon: Lexicon): PhraseRuns | undefined {
  const runs: number[] = [];
  const joinedBy: (string | undefined)[] = [];
  for (const token of tokens) {
    const lower = token.toLowerCase();
    for (const match of lower.matchAll(run)) {
      const number = lexicon.numberOf(match[0]);
      if (number === undefined) return undefined;
      if (runs.length > joinedBy.length) joinedBy.push(lower.charAt(match.index - 1));
      runs.push(number);
    }
    if (runs.length > joinedBy.length) joinedBy.push(undefined);
  }
  return { runs, joiners: joinedBy };
}

/** Whether the text holds the phrase's runs next to each other: a native search for the first run, then
 * a look at those after it. (Looking only where the phrase's rarest run is, through the runs sorted,
 * cost more than this on 1,000 notes of a thousand words each.) */
export function holdsPhrase({ runs, starts, joined, text }: WordPositions, phrase: PhraseRuns): boolean {
  const head = phrase.runs[0];
  if (head === undefined) return false;
  const length = phrase.runs.length;
  for (
    let at = runs.indexOf(head);
    at !== -1 && at + length <= runs.length;
    at = runs.indexOf(head, at + 1)
  ) {
    let k = 1;
    for (; k < length; k++) {
      if (runs[at + k] !== phrase.runs[k]) break;
      const joiner = phrase.joiners[k - 1];
      if (
        joiner !== undefined &&
        (joined[at + k - 1] !== 1 || text.charAt((starts[at + k] as number) - 1) !== joiner)
      )
        break;
    }
    if (k === length) return true;
  }
  return false;
}
