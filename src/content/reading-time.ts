// Reading time from a note's Markdown source, so that lists can show it before the note is rendered and
// every page (lists, the note, its email) shows the same figure whether or not rendering has finished.

const wordsPerMinute = 230;

/** What a reader does not read as words: code fences (with their language), footnote labels, tags,
 * images, link targets. Sticky: each is tried where the scan stands. */
const fenceLine = / {0,3}(?:`{3,}|~{3,})/y;
const footnoteLabel = / {0,3}\[\^[^\]\n]+\]:/y;
const inlineNotRead = /<[^>\n]*>|!\[[^\]\n]*\]\([^)\n]*\)|\]\([^)\n]*\)/y;
const letterOrDigit = /[\p{L}\p{N}]/u;

function isLineEnd(code: number): boolean {
  return code === 10 || code === 13 || code === 0x2028 || code === 0x2029;
}

function matchesAt(pattern: RegExp, text: string, index: number): number {
  pattern.lastIndex = index;
  return pattern.test(text) ? pattern.lastIndex : -1;
}

/**
 * Words as the rendered text splits them: runs without white space that hold a letter or a digit,
 * leaving out what is not read. One pass over the characters, making no copies of the text: this runs
 * for every note before a server can answer (10,000 notes at a cold start).
 */
export function sourceWords(text: string): number {
  let words = 0;
  let inWord = false;
  let counted = false;
  let lineStart = true;
  for (let index = 0; index < text.length; ) {
    if (lineStart) {
      lineStart = false;
      if (matchesAt(fenceLine, text, index) !== -1) {
        while (index < text.length && !isLineEnd(text.charCodeAt(index))) index++;
        inWord = false;
        continue;
      }
      const afterLabel = matchesAt(footnoteLabel, text, index);
      if (afterLabel !== -1) {
        index = afterLabel;
        inWord = false;
        continue;
      }
    }
    const code = text.charCodeAt(index);
    if (code === 60 || code === 33 || code === 93) {
      const after = matchesAt(inlineNotRead, text, index);
      if (after !== -1) {
        index = after;
        inWord = false;
        continue;
      }
    }
    index++;
    if (isLineEnd(code)) lineStart = true;
    if (code === 32 || (code >= 9 && code <= 13) || code === 0xa0) {
      inWord = false;
      continue;
    }
    if (!inWord) {
      inWord = true;
      counted = false;
    }
    if (counted) continue;
    const alnum =
      (code >= 48 && code <= 57) ||
      (code >= 65 && code <= 90) ||
      (code >= 97 && code <= 122) ||
      (code > 127 && letterOrDigit.test(String.fromCodePoint(text.codePointAt(index - 1) ?? code)));
    if (alnum) {
      words++;
      counted = true;
    }
  }
  return words;
}

export function readingMinutes(body: string): number {
  return Math.max(1, Math.round(sourceWords(body) / wordsPerMinute));
}
