// The words a result shows: the stretch of the note where the query's words lie closest together, with
// those words marked. Text stays text; the view escapes it and wraps the marked parts in <mark>.
import type { QueryWord } from './query.js';
import { isCompound, partsOf, tokenPattern, wordTerm } from './terms.js';

/** Plain text, or a stretch of it to highlight. */
export type Highlighted = (string | { mark: string })[];

interface Found {
  start: number;
  end: number;
  word: number;
}

const around = { before: 60, length: 240, cluster: 180 } as const;

/** Which query word a token of the note matches, or -1; cheap for the many tokens that match none. */
function matcher(words: QueryWord[]): (token: string) => number {
  // Stemming changes only the ends of words: a token that starts otherwise cannot match.
  const probes = words.map((word) => word.token.slice(0, 3).toLowerCase());
  const matchesWord = (lower: string, index: number): boolean => {
    const word = words[index] as QueryWord;
    if (isCompound(word.token)) return lower === word.term;
    if (!lower.startsWith(probes[index] as string)) return false;
    const candidates = isCompound(lower) ? partsOf(lower) : [lower];
    return candidates.some((candidate) => {
      const term = wordTerm(candidate);
      return word.prefix
        ? term.startsWith(word.term) || candidate.startsWith(word.token.toLowerCase())
        : term === word.term;
    });
  };
  return (token) => {
    const lower = token.toLowerCase();
    for (let index = 0; index < words.length; index++) if (matchesWord(lower, index)) return index;
    return -1;
  };
}

/** Every match in a short text (a title), marked. */
export function highlightAll(text: string, words: QueryWord[]): Highlighted {
  const match = matcher(words);
  return mark(
    text,
    0,
    text.length,
    [...text.matchAll(tokenPattern)].flatMap((m) => {
      const word = match(m[0]);
      return word === -1 ? [] : [{ start: m.index, end: m.index + m[0].length, word }];
    }),
  );
}

/** A stretch of a long text around its closest cluster of matches, or undefined if nothing matches. */
export function snippet(text: string, words: QueryWord[]): Highlighted | undefined {
  if (words.length === 0) return undefined;
  const match = matcher(words);
  const found: Found[] = [];
  let best = { first: 0, distinct: 0 };
  for (const m of text.matchAll(tokenPattern)) {
    const word = match(m[0]);
    if (word === -1) continue;
    found.push({ start: m.index, end: m.index + m[0].length, word });
    let first = found.length - 1;
    while (first > 0 && m.index - (found[first - 1] as Found).start <= around.cluster) first--;
    const distinct = new Set(found.slice(first).map((f) => f.word)).size;
    if (distinct > best.distinct) best = { first, distinct };
    // Every word of the query within one stretch: nothing later can do better.
    if (distinct === words.length) break;
  }
  const first = found[best.first];
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
