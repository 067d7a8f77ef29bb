// The data folder holds readers' addresses, the proofs of their consent and the secret, so it and the
// files in it are the owner's alone: folders 0700, files 0600. Modes are set with chmod after creating,
// so that no umask decides them; a data folder or file found open to others is narrowed, with a note.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export type Note = (line: string) => void;

const noteOnStderr: Note = (line) => {
  process.stderr.write(`errorbudget: ${line}\n`);
};

const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;

/** Creates a folder and its missing parents 0700; an existing folder is left as it is. */
export function makePrivateDir(dir: string): void {
  const first = mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (first === undefined) return;
  const top = resolve(first);
  for (let d = resolve(dir); ; d = dirname(d)) {
    chmodSync(d, 0o700);
    if (d === top || d === dirname(d)) break;
  }
}

/** DATA_DIR: created 0700, or narrowed to 0700 when others may read it. */
export function securePrivateDir(dir: string, note: Note = noteOnStderr): void {
  if (existsSync(dir)) narrow(dir, 0o700, note);
  else makePrivateDir(dir);
}

/** Creates an empty file 0600 when there is none (before anything writes it), or narrows it to 0600. */
export function securePrivateFile(file: string, note: Note = noteOnStderr): void {
  try {
    closeSync(openSync(file, 'wx', 0o600));
    chmodSync(file, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    if (statSync(file).isDirectory())
      throw Object.assign(new Error(`${file} is a folder`), { code: 'EISDIR' });
    narrow(file, 0o600, note);
  }
}

/** Narrows a file that exists (a database's -wal and -shm, say); one that does not is no concern. */
export function narrowIfPresent(file: string, note: Note = noteOnStderr): void {
  if (existsSync(file)) narrow(file, 0o600, note);
}

/** Paths already noted as not narrowable, so a file written every minute is not noted every minute. */
const noted = new Set<string>();

function narrow(path: string, mode: number, note: Note): void {
  const stat = statSync(path);
  if ((stat.mode & 0o077) === 0) return;
  if (noted.has(path)) return;
  // A sticky folder (/tmp) is shared on purpose: narrowing it would break every other user of it.
  if (stat.isDirectory() && (stat.mode & 0o1000) !== 0) {
    noted.add(path);
    note(`${path} is a folder shared with other users; keep DATA_DIR in a folder of its own`);
    return;
  }
  try {
    chmodSync(path, mode);
  } catch (error) {
    noted.add(path);
    note(
      `${path} is open to other users (${octal(stat.mode)}) and could not be narrowed: ${(error as Error).message}`,
    );
    return;
  }
  note(`${path} was open to other users (${octal(stat.mode)}); it is now ${octal(mode)}`);
}
