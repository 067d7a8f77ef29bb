// Turns a zod failure into one line per problem, each naming the file, line and field in a writer's words:
// no "topics.0", no "Invalid input: expected object".
import { closest, distance } from 'fastest-levenshtein';
import type { z } from 'zod';

export { plainErrors } from '../config/plain-errors.js';

import type { PositionedYaml } from './yaml-document.js';

/** `topics (item 2) slug`: a place a writer can find, counted from 1. */
export function fieldLabel(path: readonly (string | number)[]): string {
  let label = '';
  for (const part of path) {
    if (typeof part === 'number') label += ` (item ${part + 1})`;
    else label += label === '' ? part : label.endsWith(')') ? ` ${part}` : `.${part}`;
  }
  return label;
}

export function describeIssues(
  error: z.ZodError,
  file: string,
  yaml: PositionedYaml,
  schema?: z.ZodType,
): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.filter((part): part is string | number => typeof part !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((key) => `"${key}"`).join(', ');
      const where = `${file}:${yaml.lineOf([...path, issue.keys[0] ?? ''])}`;
      const guess =
        issue.keys.length === 1 && schema ? likelyKey(issue.keys[0] ?? '', keysAt(schema, path)) : '';
      return `${where}: unknown field ${keys}${path.length ? ` in ${fieldLabel(path)}` : ''}${guess}`;
    }
    const where = `${file}:${yaml.lineOf(path)}`;
    if (path.length === 0 && issue.code === 'invalid_type')
      return `${where}: must be fields, one per line, such as title: My note`;
    // A message that names its own subject (an unknown topic) reads better without the field before it.
    if (issue.code === 'custom' && issue.params?.standalone) return `${where}: ${issue.message}`;
    return `${where}: ${fieldLabel(path)} ${issue.message}`.replace(/: {2}/, ': ');
  });
}

/** A misspelt field is usually one or two letters away from the one meant. */
function likelyKey(key: string, known: string[]): string {
  if (known.length === 0) return '';
  const guess = closest(key, known);
  return distance(key, guess) <= Math.max(2, Math.floor(key.length / 3)) ? `; did you mean "${guess}"?` : '';
}

type Def = { type: string; shape?: Record<string, Node>; element?: Node; innerType?: Node; in?: Node };
type Node = { _zod: { def: Def } };

/** The fields an object in the schema has at `path`, looking through lists, defaults and optionals. */
function keysAt(schema: z.ZodType, path: readonly (string | number)[]): string[] {
  const unwrap = (node: Node | undefined) => {
    let current = node;
    while (current && ['optional', 'default', 'nullable', 'pipe', 'prefault'].includes(current._zod.def.type))
      current = current._zod.def.innerType ?? current._zod.def.in;
    return current;
  };
  let node = unwrap(schema as unknown as Node);
  for (const part of path) {
    node = unwrap(typeof part === 'number' ? node?._zod.def.element : node?._zod.def.shape?.[part]);
  }
  return Object.keys(node?._zod.def.shape ?? {});
}
