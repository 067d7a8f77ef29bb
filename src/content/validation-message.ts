// Turns a zod failure into one line per problem, each naming the file, line and field.
import type { z } from 'zod';
import type { PositionedYaml } from './yaml-document.js';

export function describeIssues(error: z.ZodError, file: string, yaml: PositionedYaml): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.filter((part): part is string | number => typeof part !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((key) => `"${key}"`).join(', ');
      const where = `${file}:${yaml.lineOf([...path, issue.keys[0] ?? ''])}`;
      return `${where}: unknown field ${keys}${path.length ? ` in ${path.join('.')}` : ''}`;
    }
    const field = path.length ? `${path.join('.')} ` : '';
    return `${file}:${yaml.lineOf(path)}: ${field}${issue.message}`;
  });
}
