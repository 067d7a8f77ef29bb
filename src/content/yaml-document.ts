// Parses YAML while keeping positions, so that every content error can name the line it is about.
import { isNode, LineCounter, parseDocument } from 'yaml';
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
    const line = lineCounter.linePos(error.pos[0]).line + firstLine - 1;
    const reason = error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? 'invalid YAML';
    throw new UserError(`invalid YAML: ${reason}`, `${file}:${line}`);
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
