// The words a result shows: the stretch of the note where the query's words lie closest together, with
// those words marked. Text stays text; the view escapes it and wraps the marked parts in <mark>.
import type { QueryWord } from './query.js';
import { escapeRegExp, isCompound, isWordCharacterAt, partsOf, tokenPattern, wordTerm } from './terms.js';

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
const tokenAt = new RegExp(tokenPattern.source, 'uy');

/** Marks a query's words in texts; made once per query, used for every result. */
export class Highlighter {
  /** Stemming changes only the ends of words: the first letters of each query word find where it may be. */
  private readonly probes: RegExp;

  constructor(private readonly words: QueryWord[]) {
    const starts = [...new Set(words.map((word) => word.token.slice(0, 3).toLowerCase()))];
    this.probes = new RegExp(starts.map(escapeRegExp).join('|'), 'g');
  }

  /** Every match in a short text (a title), marked. */
  all(text: string): Highlighted {
    return mark(text, 0, text.length, this.find(text, text.toLowerCase(), Number.POSITIVE_INFINITY));
  }

  /** A stretch of a long text around its closest cluster of matches, or undefined if nothing matches.
   * `lower` is the text in lower case, when the index keeps one. */
  snippet(text: string, lower = text.toLowerCase()): Highlighted | undefined {
    const found = this.find(text, lower, foundAtMost);
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

  private find(text: string, lower: string, most: number): Found[] {
    if (this.words.length === 0) return [];
    // Lower-casing can change a string's length (a dotted İ); then positions are read from the text itself.
    const haystack = lower.length === text.length ? lower : text;
    const probes = new RegExp(this.probes.source, haystack === lower ? 'g' : 'gi');
    const found: Found[] = [];
    for (let m = probes.exec(haystack); m && found.length < most; m = probes.exec(haystack)) {
      if (m.index > 0 && isWordCharacterAt(haystack, m.index - 1)) continue;
      tokenAt.lastIndex = m.index;
      const token = tokenAt.exec(text)?.[0];
      if (!token) continue;
      probes.lastIndex = m.index + token.length;
      const word = this.match(token);
      if (word !== -1) found.push({ start: m.index, end: m.index + token.length, word });
    }
    return found;
  }

  /** Which query word a token of the text matches, or -1. */
  private match(token: string): number {
    const lower = token.toLowerCase();
    return this.words.findIndex((word) => {
      if (isCompound(word.token)) return lower === word.term;
      const candidates = isCompound(lower) ? partsOf(lower) : [lower];
      return candidates.some((candidate) => {
        const term = wordTerm(candidate);
        return word.prefix
          ? term.startsWith(word.term) || candidate.startsWith(word.token.toLowerCase())
          : term === word.term;
      });
    });
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
