// The backup archive on disk: a gzipped tar (node-tar) written under a temporary name, readable by its
// owner only, and renamed into place once whole; read back only after every checksum and the manifest
// agree, so a damaged or foreign file is refused before anything is restored.
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { chmod, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { UserError } from '../user-error.js';
import {
  allowedNames,
  formatSums,
  type Manifest,
  manifestName,
  manifestSchema,
  parseSums,
  sha256File,
  sumsName,
} from './manifest.js';

/** Writes SHA256SUMS for `names` (manifest included) in `dir`, then the archive of all of them. */
export async function writeArchive(dir: string, names: string[], out: string, force: boolean): Promise<void> {
  if (existsSync(out) && !force)
    throw new UserError('exists already; choose a new name, or add --force to replace it', out);
  const sums = await Promise.all(
    names.map(async (name) => ({ name, sha256: await sha256File(join(dir, name)) })),
  );
  await writeOwnerOnly(join(dir, sumsName), formatSums(sums));
  const partial = join(dirname(out), `.${basename(out)}.${randomBytes(4).toString('hex')}.partial`);
  try {
    await pipeline(
      tar.create({ gzip: true, cwd: dir, portable: true }, [...names, sumsName]),
      createWriteStream(partial, { mode: 0o600, flags: 'wx' }),
    );
    await chmod(partial, 0o600);
    await rename(partial, out);
  } catch (error) {
    await rm(partial, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES')
      throw new UserError(`cannot be written (${(error as Error).message})`, out);
    throw error;
  }
}

export async function writeOwnerOnly(path: string, content: string | Buffer): Promise<void> {
  await writeFile(path, content, { mode: 0o600 });
  await chmod(path, 0o600);
}

/** Extracts `file` into `dir` (an empty private folder) and returns its manifest once all is checked. */
export async function readArchive(file: string, dir: string): Promise<Manifest> {
  if (!existsSync(file)) throw new UserError('no such file', file);
  const refused: string[] = [];
  try {
    await tar.extract({
      file,
      cwd: dir,
      strict: true,
      filter: (path, entry) => {
        const ok = allowedNames.has(path) && 'type' in entry && entry.type === 'File';
        if (!ok) refused.push(path);
        return ok;
      },
    });
  } catch (error) {
    throw new UserError(
      `is damaged or not a backup archive (${(error as Error).message}); nothing was restored`,
      file,
    );
  }
  if (refused.length > 0)
    throw new UserError(`is not an errorbudget backup: it holds ${refused.slice(0, 3).join(', ')}`, file);
  const present = new Set(await readdir(dir));
  if (!present.has(sumsName) || !present.has(manifestName))
    throw new UserError(
      `is not an errorbudget backup or is incomplete: ${sumsName} or ${manifestName} is missing`,
      file,
    );
  const sums = parseSums(await readFile(join(dir, sumsName), 'utf8'));
  if (!sums) throw new UserError(`${sumsName} is damaged; nothing was restored`, file);
  for (const name of present) {
    if (name === sumsName) continue;
    const expected = sums.get(name);
    if (!expected) throw new UserError(`${name} has no checksum in ${sumsName}; nothing was restored`, file);
    if ((await sha256File(join(dir, name))) !== expected)
      throw new UserError(
        `${name} does not match its SHA-256 checksum: the archive is damaged; nothing was restored`,
        file,
      );
  }
  for (const name of sums.keys())
    if (!present.has(name))
      throw new UserError(`${name} is listed in ${sumsName} but missing; nothing was restored`, file);
  return parseManifest(await readFile(join(dir, manifestName), 'utf8'), sums, file);
}

function parseManifest(text: string, sums: Map<string, string>, file: string): Manifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UserError(`${manifestName} is not JSON`, file);
  }
  const manifest = manifestSchema.safeParse(parsed);
  if (!manifest.success) {
    const issue = manifest.error.issues[0];
    throw new UserError(`${manifestName}: ${issue?.path.join('.')}: ${issue?.message}`, file);
  }
  for (const entry of manifest.data.files)
    if (sums.get(entry.name) !== entry.sha256)
      throw new UserError(`${manifestName} and ${sumsName} disagree about ${entry.name}`, file);
  return manifest.data;
}
