// The words a result shows: the stretch of the note where the query's words lie closest together, with
// those words marked. Text stays text; the view escapes it and wraps the marked parts in <mark>.
import type { QueryWord } from './query.js';
import { isCompound } from './terms.js';
import { type Lexicon, runEnd, type WordPositions } from './word-positions.js';

/** Plain text, or a stretch of it to highlight. */
export type Highlighted = (string | { mark: string })[];

interface Found {
  start: number;
  end: number;
  word: number;
}

const around = { before: 60, length: 240, cluster: 180 } as const;
/** Matches looked at in one text: enough to find a close cluster, and a bound on the work. */
const foundAtMost = 64;
/** In a run's memo: the run may stand as a part of a compound ("RAID" of "RAID-5"; not the "s" of "it's"). */
const partBit = 1 << 16;

/** Marks a query's words in texts; made once per query, used for the results shown. */
export class Highlighter {
  /** By run number: a bit for each plain query word the run matches on its own, and `partBit`. */
  private readonly memo: ReturnType<Lexicon['memoFor']>;
  private readonly compound: boolean;

  constructor(
    private readonly words: QueryWord[],
    private readonly lexicon: Lexicon,
  ) {
    this.compound = words.some((word) => isCompound(word.token));
    this.memo = lexicon.memoFor();
  }

  /** Every match in a short text (a title), marked. */
  all(positions: WordPositions): Highlighted {
    const { text } = positions;
    return mark(text, 0, text.length, this.find(positions, Number.POSITIVE_INFINITY));
  }

  /** A stretch of a long text around its closest cluster of matches, or undefined if nothing matches. */
  snippet(positions: WordPositions): Highlighted | undefined {
    const { text } = positions;
    const found = this.find(positions, foundAtMost);
    const first = found[closestCluster(found, this.words.length)];
    if (!first) return undefined;
    let start = first.start <= around.before ? 0 : text.indexOf(' ', first.start - around.before) + 1;
    if (start > first.start) start = first.start;
    let end = text.length;
    if (end - start > around.length) {
      const space = text.lastIndexOf(' ', start + around.length);
      end = space > first.end ? space : start + around.length;
    }
    const marked = mark(
      text,
      start,
      end,
      found.filter((f) => f.start >= start && f.end <= end),
    );
    if (start > 0) marked.unshift('… ');
    if (end < text.length) marked.push(' …');
    return marked;
  }

  /** The text's tokens (runs joined as the index joins them) that match a query word, in order. */
  private find(positions: WordPositions, most: number): Found[] {
    const { runs, starts, joined } = positions;
    const found: Found[] = [];
    if (this.words.length === 0) return found;
    for (let first = 0; first < runs.length && found.length < most; ) {
      let last = first;
      while (joined[last] === 1) last++;
      const word = this.tokenWord(positions, first, last);
      if (word !== -1) found.push({ start: starts[first] as number, end: runEnd(positions, last), word });
      first = last + 1;
    }
    return found;
  }

  /** Which query word the token of runs `first`..`last` matches, or -1: a compound query word only the
   * whole token, a plain word the token if it is one run, or one of its parts. */
  private tokenWord(positions: WordPositions, first: number, last: number): number {
    if (first === last) {
      const bits = this.bitsOf(positions.runs[first] as number) & (partBit - 1);
      return bits === 0 ? -1 : 31 - Math.clz32(bits & -bits);
    }
    let parts = 0;
    for (let at = first; at <= last; at++) {
      const bits = this.bitsOf(positions.runs[at] as number);
      if (bits & partBit) parts |= bits;
    }
    const whole = this.compound
      ? positions.text.slice(positions.starts[first], runEnd(positions, last)).toLowerCase()
      : undefined;
    return this.words.findIndex((word, index) =>
      isCompound(word.token) ? whole === word.term : (parts & (1 << index)) !== 0,
    );
  }

  private bitsOf(number: number): number {
    let bits = this.memo.get(number);
    if (bits === undefined) {
      const run = this.lexicon.run(number);
      bits = run.length > 1 || /\p{N}/u.test(run) ? partBit : 0;
      const term = this.lexicon.term(number);
      for (const [index, word] of this.words.entries()) {
        if (isCompound(word.token)) continue;
        const matches = word.prefix
          ? term.startsWith(word.term) || run.startsWith(word.token.toLowerCase())
          : term === word.term;
        if (matches) bits |= 1 << index;
      }
      this.memo.set(number, bits);
    }
    return bits;
  }
}

/** The index of the first match of the stretch that holds the most different words of the query. */
function closestCluster(found: Found[], words: number): number {
  const counts = new Array<number>(words).fill(0);
  let distinct = 0;
  let best = { first: 0, distinct: 0 };
  let first = 0;
  for (const f of found) {
    counts[f.word] = (counts[f.word] ?? 0) + 1;
    if (counts[f.word] === 1) distinct++;
    for (
      let left = found[first] as Found;
      f.start - left.start > around.cluster;
      left = found[first] as Found
    ) {
      counts[left.word] = (counts[left.word] ?? 1) - 1;
      if (counts[left.word] === 0) distinct--;
      first++;
    }
    if (distinct > best.distinct) best = { first, distinct };
  }
  return best.first;
}

function mark(text: string, start: number, end: number, found: Found[]): Highlighted {
  const parts: Highlighted = [];
  let at = start;
  for (const f of found) {
    if (f.start > at) parts.push(text.slice(at, f.start));
    parts.push({ mark: text.slice(f.start, f.end) });
    at = f.end;
  }
  if (end > at) parts.push(text.slice(at, end));
  return parts;
}
