// Reading time from a note's Markdown source, so that lists can show it before the note is rendered and
// every page (lists, the note, its email) shows the same figure whether or not rendering has finished.

const wordsPerMinute = 230;

/** What a reader does not read as words: code fences (with their language), footnote labels, tags,
 * images, link targets. */
const fenceLines = /^ {0,3}(?:`{3,}|~{3,}).*$/gm;
const footnoteLabels = /^ {0,3}\[\^[^\]\n]+\]:/gm;
const inlineNotRead = /<[^>\n]*>|!\[[^\]\n]*\]\([^)\n]*\)|\]\([^)\n]*\)/g;
const letterOrDigit = /[\p{L}\p{N}]/u;

/** Words as the rendered text splits them: runs without white space that hold a letter or a digit.
 * One pass over the characters: this runs for every note before a server can answer. */
function countWords(text: string): number {
  let words = 0;
  let inWord = false;
  let counted = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
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
      (code > 127 && letterOrDigit.test(String.fromCodePoint(text.codePointAt(index) ?? code)));
    if (alnum) {
      words++;
      counted = true;
    }
  }
  return words;
}

export function sourceWords(body: string): number {
  // Each pass only where its mark is present: most notes need one or two.
  let text = body;
  if (text.includes('```') || text.includes('~~~')) text = text.replace(fenceLines, ' ');
  if (text.includes('[^')) text = text.replace(footnoteLabels, ' ');
  if (text.includes('<') || text.includes('](')) text = text.replace(inlineNotRead, ' ');
  return countWords(text);
}

export function readingMinutes(body: string): number {
  return Math.max(1, Math.round(sourceWords(body) / wordsPerMinute));
}
