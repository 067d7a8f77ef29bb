// Reading time from a note's Markdown source, so that lists can show it before the note is rendered and
// every page (lists, the note, its email) shows the same figure whether or not rendering has finished.

const wordsPerMinute = 230;

/** What a reader does not read: fence lines (with their language), tags, image syntax, link targets,
 * footnote labels. What is left splits into words as the rendered text does. */
const notRead = [
  /^ {0,3}(?:`{3,}|~{3,}).*$/gm,
  /<[^>\n]*>/g,
  /!\[[^\]\n]*\]\([^)\n]*\)/g,
  /\]\([^)\n]*\)/g,
  /^ {0,3}\[\^[^\]\n]+\]:/gm,
];

export function sourceWords(body: string): number {
  let text = body;
  for (const pattern of notRead) text = text.replace(pattern, ' ');
  let words = 0;
  for (const word of text.split(/\s+/)) if (/[\p{L}\p{N}]/u.test(word)) words++;
  return words;
}

export function readingMinutes(body: string): number {
  return Math.max(1, Math.round(sourceWords(body) / wordsPerMinute));
}
