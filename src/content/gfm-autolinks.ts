// GFM's literal autolinks (`https://…`, `www.…`, e-mail addresses, `mailto:` and `xmpp:` addresses), found in
// the text the way mdast-util-gfm-autolink-literal finds them, with micromark's trailing-punctuation rule.
// The scan runs only on text that could hold one (an `@`, a `:` or `www.`): the fuzzy search for e-mail
// addresses is the costliest part of parsing GFM when it runs on every letter.
import type { MarkdownIt, StateCore, Token } from 'markdown-it';

type Piece = string | { href: string; label: string };
type Finder = (match: RegExpExecArray) => Piece[] | false;

const candidate = /[@:]|www\./i;

const finders: [RegExp, Finder][] = [
  // A path ends at `<` (GFM); after `http://` a domain without a dot counts (`http://localhost:3000/`), as
  // micromark has it.
  [/(?<![\da-z])(https?:\/\/|www(?=\.))([\w-]*(?:\.[\w\-.]*)?)([^\t\n\r <]*)/gi, findUrl],
  [
    // https://github.github.com/gfm/#extended-protocol-autolink: a resource is one `/` and letters, digits,
    // `@` or `.`, so `xmpp:a@b.c/txt@bin.com` is one address and `xmpp:a@b.c/txt/bin` ends at `/bin`.
    /(?<![\w+\-.@])xmpp:([\w+\-.]+)@([\w-]+(?:\.[\w-]+)+)(\/(?:[\dA-Za-z@]|\.(?=[\dA-Za-z@]))+)?/g,
    findXmpp,
  ],
  [/(?<![\w+\-.@])mailto:([\w+\-.]+)@([\w-]+(?:\.[\w-]+)+)/g, findMailto],
  [/(?<![\w+\-.]|(?:^|[^\d@A-Za-z])(?:mailto|xmpp):)([\w+\-.]+)@([\w-]+(?:\.[\w-]+)+)/g, findEmail],
];

export function gfmAutolinks(md: MarkdownIt): void {
  md.core.ruler.push('gfm_autolinks', (state) => {
    for (const block of state.tokens) {
      if (block.type !== 'inline' || !block.children || !candidate.test(block.content)) continue;
      block.children = linkChildren(state, block.children);
    }
  });
}

function linkChildren(state: StateCore, children: Token[]): Token[] {
  const result: Token[] = [];
  let insideLink = 0;
  for (const token of children) {
    if (token.type === 'link_open') insideLink++;
    if (token.type === 'link_close') insideLink--;
    if (token.type !== 'text' || insideLink > 0 || !candidate.test(token.content)) {
      result.push(token);
      continue;
    }
    for (const piece of findLinks(token.content)) {
      if (typeof piece === 'string') {
        const text = new state.Token('text', '', 0);
        text.content = piece;
        result.push(text);
        continue;
      }
      const open = new state.Token('link_open', 'a', 1);
      open.attrs = [['href', state.md.normalizeLink(piece.href)]];
      open.markup = 'linkify';
      open.info = 'auto';
      const label = new state.Token('text', '', 0);
      label.content = piece.label;
      const close = new state.Token('link_close', 'a', -1);
      close.markup = 'linkify';
      close.info = 'auto';
      result.push(open, label, close);
    }
  }
  return result;
}

/** Each pattern in turn over the text left unlinked by the ones before, as mdast's findAndReplace does. */
export function findLinks(value: string): Piece[] {
  let pieces: Piece[] = [value];
  for (const [pattern, find] of finders) {
    pieces = pieces.flatMap((piece) =>
      typeof piece === 'string' ? replaceIn(piece, pattern, find) : [piece],
    );
  }
  return pieces.filter((piece) => piece !== '');
}

function replaceIn(value: string, pattern: RegExp, find: Finder): Piece[] {
  const pieces: Piece[] = [];
  let start = 0;
  pattern.lastIndex = 0;
  for (let match = pattern.exec(value); match; match = pattern.exec(value)) {
    const found = find(match);
    if (found === false) {
      pattern.lastIndex = match.index + 1;
      continue;
    }
    pieces.push(value.slice(start, match.index), ...found);
    start = match.index + match[0].length;
    pattern.lastIndex = start;
  }
  pieces.push(value.slice(start));
  return pieces;
}

function findUrl(match: RegExpExecArray): Piece[] | false {
  let [, protocol = '', domain = '', path = ''] = match;
  if (!previousAllowsLink(match)) return false;
  let prefix = '';
  if (/^w/i.test(protocol)) {
    domain = protocol + domain;
    protocol = '';
    prefix = 'http://';
  }
  const host =
    protocol && !domain.includes('.') ? /^[\dA-Za-z][\dA-Za-z-]*$/.test(domain) : isCorrectDomain(domain);
  if (/^[\p{P}\p{S}]/u.test(domain) || !host) return false;
  const [url, trail] = splitUrl(domain + path);
  if (url === '') return false;
  const link = { href: prefix + protocol + url, label: protocol + url };
  return trail ? [link, trail] : [link];
}

function findEmail(match: RegExpExecArray): Piece[] | false {
  const [, atext, label = ''] = match;
  if (/[\d\-_]$/.test(label)) return false;
  return [{ href: `mailto:${atext}@${label}`, label: `${atext}@${label}` }];
}

function findMailto(match: RegExpExecArray): Piece[] | false {
  const [, atext, label = ''] = match;
  if (/[\d\-_]$/.test(label)) return false;
  const value = `mailto:${atext}@${label}`;
  return [{ href: value, label: value }];
}

function findXmpp(match: RegExpExecArray): Piece[] | false {
  const [, atext, label = '', resource] = match;
  if (/[\d\-_]$/.test(label)) return false;
  const value = `xmpp:${atext}@${label}${resource ?? ''}`;
  return [{ href: value, label: value }];
}

function isCorrectDomain(domain: string): boolean {
  const parts = domain.split('.');
  const bad = (part: string | undefined) =>
    part !== undefined && part !== '' && (/_/.test(part) || !/[\dA-Za-z]/.test(part));
  return parts.length >= 2 && !bad(parts.at(-1)) && !bad(parts.at(-2));
}

/**
 * Trailing punctuation is not part of a link, nor a `)` without its `(` (GFM's extended autolink path
 * validation); micromark leaves `*`, `_` and `~` out too, which markdown-it leaves in the text.
 */
function splitUrl(whole: string): [string, string | undefined] {
  let index = whole.length;
  while (index > 0 && `!"&'),.:;<>?]}*_~`.includes(whole.charAt(index - 1))) index--;
  if (index === whole.length) return [whole, undefined];
  let url = whole.slice(0, index);
  let trail = whole.slice(index);
  const opening = count(url, '(');
  let closing = count(url, ')');
  for (let at = trail.indexOf(')'); at !== -1 && opening > closing; at = trail.indexOf(')')) {
    url += trail.slice(0, at + 1);
    trail = trail.slice(at + 1);
    closing++;
  }
  return [url, trail];
}

const count = (value: string, character: string) => value.split(character).length - 1;

function previousAllowsLink(match: RegExpExecArray): boolean {
  if (match.index === 0) return true;
  return /[\s\p{P}\p{S}]/u.test(match.input.charAt(match.index - 1));
}
