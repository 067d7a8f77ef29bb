// A file under DATA_DIR/cache (renderings, share cards, the export's search index): anything there can be
// made again, but a half-written file would be trusted by the next start as if it were whole.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Two writes of one file at once (the front-matter index after an edit and after the last rendering)
 * each get their own temporary file: sharing one, they would interleave or rename it from under each other. */
let writes = 0;

export async function writeCacheFile(dir: string, name: string, data: string | Uint8Array): Promise<void> {
  // 0700 like the rest of DATA_DIR: this may be the first folder made under it.
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Write then rename: a crash leaves the old file or the new one, never half of one.
  const temporary = join(dir, `${name}.${process.pid}.${++writes}.tmp`);
  await writeFile(temporary, data);
  await rename(temporary, join(dir, name));
}
