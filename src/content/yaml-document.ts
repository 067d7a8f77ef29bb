// Parses YAML while keeping positions, so that every content error can name the line it is about.
import { isNode, LineCounter, parseDocument, type YAMLError } from 'yaml';
import { UserError } from '../user-error.js';

export interface PositionedYaml {
  data: unknown;
  /** The 1-based line in the whole file of the value at `path`, or of the document when it is absent. */
  lineOf(path: readonly PropertyKey[]): number;
}

/** `firstLine` is where the YAML starts inside its file (front matter starts on line 2). */
export function parsePositionedYaml(text: string, file: string, firstLine = 1): PositionedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const [error] = doc.errors;
  if (error) {
    // Only the first: one slip (an unclosed quote) makes the parser report every line after it.
    const { line, reason } = explainYamlError(text, error, lineCounter.linePos(error.pos[0]).line);
    throw new UserError(`invalid YAML: ${reason}`, `${file}:${line + firstLine - 1}`);
  }
  return {
    data: doc.toJS(),
    lineOf(path) {
      for (let depth = path.length; depth > 0; depth--) {
        const node = doc.getIn(path.slice(0, depth) as unknown[], true);
        if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line + firstLine - 1;
      }
      return firstLine;
    },
  };
}

/**
 * The parser reports where it noticed a mistake, which is often a line after it (an unclosed quote or list
 * is noticed at the end); this names the line the writer has to change, in the writer's words.
 */
function explainYamlError(text: string, error: YAMLError, noticed: number): { line: number; reason: string } {
  const lines = text.split(/\r?\n/);
  const lastBefore = (test: (line: string) => boolean) => {
    for (let index = Math.min(noticed, lines.length) - 1; index >= 0; index--)
      if (test(lines[index] ?? '')) return index + 1;
    return noticed;
  };
  const message = error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? '';
  if (error.code === 'MISSING_CHAR' && /quote/.test(message)) {
    const quote = message.includes("'") && !message.includes('"') ? "'" : '"';
    const count = (line: string) => line.split(quote).length - 1;
    return {
      line: lastBefore((line) => count(line) % 2 === 1),
      reason: `a ${quote} is opened but never closed`,
    };
  }
  if (/end with a [\]}]/.test(message)) {
    const open = message.includes(']') ? '[' : '{';
    const close = open === '[' ? ']' : '}';
    return {
      line: lastBefore((line) => line.split(open).length > line.split(close).length),
      reason: `a list opened with "${open}" is not closed with "${close}" on the same line`,
    };
  }
  const next = lines[noticed] ?? '';
  if (
    error.code === 'BLOCK_AS_IMPLICIT_KEY' &&
    /^\s+\S/.test(next) &&
    /:\s*\S/.test(lines[noticed - 1] ?? '')
  )
    return { line: noticed + 1, reason: 'this line is indented, but the field above already has a value' };
  const reasons: Partial<Record<YAMLError['code'], string>> = {
    BLOCK_AS_IMPLICIT_KEY:
      'a value with ": " in it must be in quotes, such as summary: "Backups: the hard part"',
    TAB_AS_INDENT: 'a tab indents this line; YAML needs spaces',
    DUPLICATE_KEY: 'this field appears twice',
    BAD_SCALAR_START: 'a value starting with @ or ` must be in quotes',
    MULTILINE_IMPLICIT_KEY: 'each field needs a line of its own, such as title: My note',
    UNEXPECTED_TOKEN: 'unexpected text after the value; put the whole value in double quotes',
  };
  return { line: noticed, reason: reasons[error.code] ?? message.toLowerCase() };
}

const keyLine = /^([A-Za-z_][\w-]*):[ \t]+(\S.*?)[ \t]*$/;
const quoted = /^(?:"([^"\\]*)"|'([^']*)')$/;
const plainStart = /^[A-Za-z0-9]/;
const plainBreak = /: |[ \t]#|:$|\t/;
const plainSpecial =
  /^(?:[-+]?(?:\d[\d_]*|0o[0-7]+|0x[\da-fA-F]+|(?:\.\d+|\d+(?:\.\d*)?)(?:[eE][-+]?\d+)?|\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))|null|Null|NULL)$/;
const booleans: Record<string, boolean> = {
  true: true,
  True: true,
  TRUE: true,
  false: false,
  False: false,
  FALSE: false,
};

function flatScalar(text: string): string | boolean | undefined {
  const quote = quoted.exec(text);
  if (quote) return quote[1] ?? quote[2];
  if (!plainStart.test(text) || plainBreak.test(text) || plainSpecial.test(text)) return undefined;
  return booleans[text] ?? text;
}

/**
 * The data of YAML made only of `key: value` lines (text, true/false, or a one-line list of such), read
 * without the YAML parser: a note's front matter nearly always is, and a server with ten thousand notes
 * reads them all before it answers. Anything else (nesting, comments, numbers, escapes, repeated keys)
 * gives undefined: the caller uses `parsePositionedYaml`, which also names the line of a mistake.
 */
export function readFlatYaml(text: string): Record<string, unknown> | undefined {
  const data: Record<string, unknown> = {};
  for (const line of text.split('\n')) {
    const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (trimmed.trim() === '') continue;
    const match = keyLine.exec(trimmed);
    if (!match) return undefined;
    const [, key = '', value = ''] = match;
    if (Object.hasOwn(data, key)) return undefined;
    if (value.startsWith('[')) {
      if (!value.endsWith(']')) return undefined;
      const inner = value.slice(1, -1).trim();
      const items = inner === '' ? [] : inner.split(',').map((item) => flatScalar(item.trim()));
      if (items.some((item) => typeof item !== 'string' || /[[\]{}]/.test(item))) return undefined;
      data[key] = items;
      continue;
    }
    const scalar = flatScalar(value);
    if (scalar === undefined) return undefined;
    data[key] = scalar;
  }
  return data;
}
