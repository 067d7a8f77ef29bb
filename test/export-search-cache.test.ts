// An export of unchanged notes takes the Pagefind index it built last time from DATA_DIR/cache, and an
// edited note makes it build a new one.
import { cp, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from './support/run-cli.js';

vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });

const shipped = fileURLToPath(new URL('../content', import.meta.url));
let work = '';
let content = '';
let data = '';

async function exportTo(name: string): Promise<string> {
  const dir = join(work, name);
  const result = await runCli(['export', dir, '--content', content], { DATA_DIR: data }, 240_000);
  if (result.code !== 0) throw new Error(`export failed: ${result.stderr}`);
  return dir;
}

/** Every file of the exported index, by name. */
async function indexOf(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(join(dir, 'pagefind'), { recursive: true, withFileTypes: true }))
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      files.set(path.slice(dir.length), await readFile(path));
    }
  return files;
}

const cached = () => readdir(join(data, 'cache', 'pagefind'));

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'eb-export-search-'));
  content = join(work, 'content');
  data = join(work, 'data');
  await cp(shipped, content, { recursive: true });
});

describe('the static search index of an export', () => {
  it('is taken from the cache when no note changed, and built anew when one did', async () => {
    const first = await indexOf(await exportTo('first'));
    expect(first.size).toBeGreaterThan(3);
    const [entry] = await cached();
    if (!entry) throw new Error('no index was cached');
    const cachedAt = (await stat(join(data, 'cache', 'pagefind', entry))).mtimeMs;

    const again = await indexOf(await exportTo('again'));
    expect(again).toEqual(first);
    expect(await cached()).toEqual([entry]);
    expect((await stat(join(data, 'cache', 'pagefind', entry))).mtimeMs).toBe(cachedAt);

    const notes = join(content, 'notes');
    const [note] = (await readdir(notes)).filter((name) => name.endsWith('.md'));
    if (!note) throw new Error('the shipped content has no notes');
    await writeFile(
      join(notes, note),
      `${await readFile(join(notes, note), 'utf8')}\nA word nobody wrote before: quokkaflux.\n`,
    );
    const edited = await indexOf(await exportTo('edited'));
    expect(edited).not.toEqual(first);
    const now = await cached();
    expect(now).toHaveLength(1);
    expect(now).not.toEqual([entry]);
  });
});
