// `errorbudget export OUT_DIR`: the public site as static files for any web server or CDN.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import pLimit from 'p-limit';
import { UserError } from '../user-error.js';
import { materialize, type PageSet } from './build-pages.js';

/** Lists what an export wrote, so that the next export into the same folder can remove stale files. */
const manifestName = '.errorbudget-export.json';

/** `/` → index.html, an HTML page `/notes/x` → notes/x.html (served at /notes/x by nginx try_files,
 * Netlify, Cloudflare Pages and GitHub Pages), anything else keeps its path. */
export function exportedFileName(path: string, type: string): string {
  if (path === '/') return 'index.html';
  return type.startsWith('text/html') ? `${path.slice(1)}.html` : path.slice(1);
}

export async function exportSite(set: PageSet, outDir: string): Promise<string[]> {
  const root = resolve(outDir);
  await clearPreviousExport(root);
  const written: string[] = [];
  // A thousand notes share one folder: it is made once, not once per file.
  const folders = new Map<string, Promise<unknown>>();
  const write = async (name: string, body: Buffer) => {
    const file = join(root, name);
    const folder = dirname(file);
    if (!folders.has(folder)) folders.set(folder, mkdir(folder, { recursive: true }));
    await folders.get(folder);
    await writeFile(file, body);
    written.push(name);
  };
  const limit = pLimit(64);
  const writes = [...set.pages].map(async ([path, entry]) => {
    const page = await materialize(entry);
    if (page) await limit(() => write(exportedFileName(path, page.type), page.body));
  });
  writes.push(limit(() => write('404.html', set.notFound.body)));
  await Promise.all(writes);
  await writeFile(join(root, manifestName), JSON.stringify(written));
  return written;
}

async function clearPreviousExport(root: string): Promise<void> {
  const entries = await readdir(root).catch(() => undefined);
  if (!entries || entries.length === 0) return;
  let previous: string[];
  try {
    previous = JSON.parse(await readFile(join(root, manifestName), 'utf8')) as string[];
  } catch {
    throw new UserError('is not empty and is not an earlier export; choose an empty or new folder', root);
  }
  const inside = previous.map((name) => resolve(root, name)).filter((file) => file.startsWith(root + sep));
  await Promise.all(inside.map((file) => rm(file, { force: true })));
}
