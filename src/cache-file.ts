// A file under DATA_DIR/cache (renderings, share cards, the export's search index): anything there can be
// made again, but a half-written file would be trusted by the next start as if it were whole.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function writeCacheFile(dir: string, name: string, data: string | Uint8Array): Promise<void> {
  // 0700 like the rest of DATA_DIR: this may be the first folder made under it.
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Write then rename: a crash leaves the old file or the new one, never half of one.
  const temporary = join(dir, `${name}.${process.pid}.tmp`);
  await writeFile(temporary, data);
  await rename(temporary, join(dir, name));
}
