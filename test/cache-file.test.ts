// Files under DATA_DIR/cache are written whole or not at all, even when one file is written twice at once
// (the front-matter index after an edit and after the last rendering).
import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeCacheFile } from '../src/cache-file.js';

describe('writeCacheFile', () => {
  it('leaves one whole version and no temporary file when one file is written many times at once', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'eb-cache-file-')), 'cache', 'notes');
    const versions = Array.from({ length: 20 }, (_, i) =>
      JSON.stringify({ version: i, words: 'x'.repeat(i * 5000) }),
    );
    await Promise.all(versions.map((data) => writeCacheFile(dir, 'front-matter.json', data)));
    expect(versions).toContain(await readFile(join(dir, 'front-matter.json'), 'utf8'));
    expect(await readdir(dir)).toEqual(['front-matter.json']);
    // The first folder made under DATA_DIR is private.
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });
});
