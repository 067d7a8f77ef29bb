// How the commands that read the content report it: counted one per problem, each on its own line.
import { UserError } from '../user-error.js';

/** "1 note", "3 notes": a person reads counts, not "note(s)". */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Problems are found in parallel; a person reads them file by file, top to bottom. */
export function contentProblems(errors: readonly string[], lead: string): UserError {
  const place = (line: string) => /^([^:]*):(\d+)?/.exec(line) ?? [];
  const sorted = [...errors].sort((a, b) => {
    const [, fileA = '', lineA = '0'] = place(a);
    const [, fileB = '', lineB = '0'] = place(b);
    return fileA.localeCompare(fileB) || Number(lineA) - Number(lineB);
  });
  return new UserError(`${lead}${count(errors.length, 'problem')} in the content:\n${sorted.join('\n')}`);
}
