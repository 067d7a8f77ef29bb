// How text becomes search terms, alike for the notes and for a reader's query. English words are
// stemmed ("drills", "drilling" → "drill"); technical tokens joined by hyphens or dots ("FF3-1",
// "3-2-1-1-0", "3.5.1.2") are kept whole, so that a query for one matches it exactly, and are also
// indexed in parts, so that "RAID 5" still finds "RAID-5".
import { stemmer } from 'stemmer';

/** A run of letters or digits, possibly joined to more by single hyphens, dots, apostrophes or underscores. */
export const tokenPattern = /[\p{L}\p{N}]+(?:[-.'’_][\p{L}\p{N}]+)*/gu;
const joiner = /[-.'’_]/;

export function tokenize(text: string): string[] {
  return text.match(tokenPattern) ?? [];
}

/** A plain word's term: lower case, stemmed unless it holds a digit ("ddr5", "800" are names, not words). */
export function wordTerm(word: string): string {
  const lower = word.toLowerCase();
  return /\p{N}/u.test(lower) ? lower : stemmer(lower);
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
