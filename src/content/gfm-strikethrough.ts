// GFM strikethrough with one or two tildes (`~one~`, `~~two~~`), as GitHub and remark-gfm strike them;
// markdown-it's own rule strikes only `~~`. A run of three or more tildes is text, and a run closes only a
// run of its own length.
import type { Delimiter, MarkdownIt, StateInline } from 'markdown-it';

const tilde = 0x7e;

export function gfmStrikethrough(md: MarkdownIt): void {
  md.inline.ruler.at('strikethrough', tokenize);
  md.inline.ruler2.at('strikethrough', (state) => {
    strike(state, state.delimiters);
    for (const meta of state.tokens_meta) if (meta?.delimiters) strike(state, meta.delimiters);
  });
}

function tokenize(state: StateInline, silent: boolean): boolean {
  if (silent || state.src.charCodeAt(state.pos) !== tilde) return false;
  const scanned = state.scanDelims(state.pos, true);
  const token = state.push('text', '', 0);
  token.content = '~'.repeat(scanned.length);
  if (scanned.length <= 2)
    state.delimiters.push({
      marker: tilde,
      // Not the run's length: markdown-it's "rule of 3" is for emphasis, not for tildes.
      length: 0,
      token: state.tokens.length - 1,
      end: -1,
      open: scanned.can_open,
      close: scanned.can_close,
    });
  state.pos += scanned.length;
  return true;
}

function strike(state: StateInline, delimiters: Delimiter[]): void {
  for (const opener of delimiters) {
    if (opener.marker !== tilde || opener.end === -1) continue;
    const closer = delimiters[opener.end];
    const open = state.tokens[opener.token];
    const close = closer && state.tokens[closer.token];
    if (!open || !close || open.content !== close.content) continue;
    for (const [token, nesting] of [
      [open, 1],
      [close, -1],
    ] as const) {
      token.type = nesting === 1 ? 's_open' : 's_close';
      token.tag = 's';
      token.nesting = nesting;
      token.markup = token.content;
      token.content = '';
    }
  }
}
