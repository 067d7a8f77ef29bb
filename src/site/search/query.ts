// A reader's query as the index takes it: words, and phrases in quotes. Whatever was typed gives a
// query (possibly empty), never an error: quotes may be unbalanced, and punctuation is ignored.
import { isCompound, queryTerm, tokenize } from './terms.js';

/** Longer queries are cut: a search box is not a document, and each word costs a lookup. */
export const queryLimits = { characters: 200, words: 12 } as const;

export interface QueryWord {
  /** As typed, for matching words in snippets. */
  token: string;
  /** As looked up in the index. */
  term: string;
  /** Prefix matching ("restor" finds "restore"), for words long enough to mean something; never for
   * technical tokens and numbers, which must match exactly. */
  prefix: boolean;
}

export interface ParsedQuery {
  /** The query as it was searched: cut to the limits, spaces folded. */
  text: string;
  words: QueryWord[];
  /** Each phrase's tokens, in order; a note must contain them next to each other. */
  phrases: string[][];
  /** True when the query was cut to the limits. */
  cut: boolean;
}

export function parseQuery(raw: string): ParsedQuery {
  const folded = raw
    .replace(/[“”„″]/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
  let text = [...folded].slice(0, queryLimits.characters).join('');
  let cut = text.length < folded.length;
  const phrases: string[][] = [];
  // A closing quote missing at the end (or cut off) leaves the rest as plain words.
  const unquoted = text.replace(/"([^"]*)"/g, (_match, phrase: string) => {
    const tokens = tokenize(phrase);
    if (tokens.length > 0) phrases.push(tokens);
    return ' ';
  });
  const words: QueryWord[] = [];
  const seen = new Set<string>();
  // A phrase's words are looked up as typed; a plain word also by its beginning.
  const tokens = [
    ...phrases.flat().map((token) => ({ token, inPhrase: true })),
    ...tokenize(unquoted).map((token) => ({ token, inPhrase: false })),
  ];
  for (const { token, inPhrase } of tokens) {
    const term = queryTerm(token);
    if (seen.has(term)) continue;
    if (words.length === queryLimits.words) {
      cut = true;
      break;
    }
    seen.add(term);
    const prefix = !inPhrase && !isCompound(token) && !/\p{N}/u.test(token) && token.length >= 3;
    words.push({ token, term, prefix });
  }
  if (cut) text = text.trim();
  return { text, words, phrases, cut };
}
