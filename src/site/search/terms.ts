// How text becomes search terms, alike for the notes and for a reader's query. English words are
// stemmed ("drills", "drilling" → "drill"); technical tokens joined by hyphens or dots ("FF3-1",
// "3-2-1-1-0", "3.5.1.2") are kept whole, so that a query for one matches it exactly, and are also
// indexed in parts, so that "RAID 5" still finds "RAID-5".
import { stemmer } from 'stemmer';

/** A run of letters or digits, possibly joined to more by single hyphens, dots, apostrophes or underscores. */
export const tokenPattern = /[\p{L}\p{N}]+(?:[-.'’_][\p{L}\p{N}]+)*/gu;
const joiner = /[-.'’_]/;

const wordCharacter = /[\p{L}\p{N}]/u;

/** Whether the text has a letter or digit at `index`: ASCII by its code, the rest by Unicode's classes. */
export function isWordCharacterAt(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  if (Number.isNaN(code)) return false;
  if (code < 128)
    return (code >= 48 && code <= 57) || (code >= 97 && code <= 122) || (code >= 65 && code <= 90);
  return wordCharacter.test(text.charAt(index));
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function tokenize(text: string): string[] {
  return text.match(tokenPattern) ?? [];
}

/** Stems of the words met lately: prose repeats its words, and the stemmer is most of the cost of
 * indexing a note and of marking a result. Bounded: emptied when full. */
const stems = new Map<string, string>();
const stemsKept = 50_000;

/** A plain word's term: lower case, stemmed unless it holds a digit ("ddr5", "800" are names, not words). */
export function wordTerm(word: string): string {
  const lower = word.toLowerCase();
  let term = stems.get(lower);
  if (term === undefined) {
    term = /\p{N}/u.test(lower) ? lower : stemmer(lower);
    if (stems.size === stemsKept) stems.clear();
    stems.set(lower, term);
  }
  return term;
}

export function isCompound(token: string): boolean {
  return joiner.test(token);
}

/** The parts of a compound token ("RAID-5" → "RAID", "5"); a possessive's "s" is no part. */
export function partsOf(token: string): string[] {
  return token.split(joiner).filter((part) => part.length > 1 || /\p{N}/u.test(part));
}

/** Terms a note's token is indexed under: a compound whole and in parts. */
export function indexTerms(token: string): string[] {
  if (!isCompound(token)) return [wordTerm(token)];
  return [token.toLowerCase(), ...partsOf(token).map(wordTerm)];
}

/** The one term a query's token looks for: a compound only as a whole, exactly. */
export function queryTerm(token: string): string {
  return isCompound(token) ? token.toLowerCase() : wordTerm(token);
}
