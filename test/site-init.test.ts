import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { parseSite } from '../src/content/load-site.js';
import { siteSchema } from '../src/content/schema.js';
import { type CliResult, runCli } from './support/run-cli.js';
import { type ServeProcess, startServe, stopped } from './support/serve-process.js';

// Commands that load and render the content take long on a loaded machine: generous bounds, never sleeps.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });
const cli = (args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
  runCli(args, env, 180_000);

const servers: ServeProcess[] = [];
afterAll(async () => {
  for (const server of servers) await stopped(server.child, 'SIGTERM');
});

async function newSite(args: string[] = []) {
  const dir = join(await mkdtemp(join(tmpdir(), 'eb-init-')), 'my-notes');
  const result = await cli(['init', dir, '--timezone', 'Europe/Berlin', ...args]);
  return { dir, result };
}

describe('errorbudget init', () => {
  it('creates a site folder that check accepts and serve --content serves', async () => {
    const { dir, result } = await newSite();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `created ${dir} with site.yml, notes/hello.md, images/mark.svg, .gitignore.`,
    );
    expect((await readdir(dir)).sort()).toEqual(['.gitignore', 'images', 'notes', 'site.yml']);
    expect(await readFile(join(dir, '.gitignore'), 'utf8')).toMatch(/^data\/$/m);

    const check = await cli(['check', '--content', dir]);
    expect(check.stderr).toBe('');
    expect(check.stdout).toBe('ok: 1 note (0 drafts, 0 scheduled), 1 topic, 0 warnings\n');
    expect(check.code).toBe(0);

    const data = await mkdtemp(join(tmpdir(), 'eb-init-data-'));
    const server = await startServe(['--content', dir], { DATA_DIR: data, SECRET: '' });
    servers.push(server);
    const home = await fetch(`${server.url}/`);
    expect(home.status).toBe(200);
    const homeHtml = await home.text();
    expect(homeHtml).toContain('<title>My notes</title>');
    expect(homeHtml).toContain('href="/notes/hello"');
    const note = await (await fetch(`${server.url}/notes/hello`)).text();
    expect(note).toContain('<h1>Hello</h1>');
    expect(note).toContain('src="/images/mark.svg"');
    const image = await fetch(`${server.url}/images/mark.svg`);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/svg+xml');
    // The data stays where the server was told, never inside the writer's repository.
    expect((await readdir(dir)).sort()).toEqual(['.gitignore', 'images', 'notes', 'site.yml']);
  });

  it('explains every key of site.yml in a comment above it', async () => {
    const { dir } = await newSite();
    const lines = (await readFile(join(dir, 'site.yml'), 'utf8')).split('\n');
    for (const key of Object.keys(siteSchema.shape)) {
      const at = lines.findIndex((line) => new RegExp(`^#? ?${key}:`).test(line));
      expect(at, key).toBeGreaterThan(0);
      expect(lines[at - 1], key).toMatch(/^#/);
    }
  });

  it('is documented key by key in docs/site-yml.md, whose example is a valid site.yml', async () => {
    const doc = await readFile(new URL('../docs/site-yml.md', import.meta.url), 'utf8');
    for (const key of Object.keys(siteSchema.shape))
      expect(doc, key).toMatch(new RegExp(`\\| \`${key}[.\`]`));
    const example = /```yaml\n([\s\S]+?)```/.exec(doc)?.[1] ?? '';
    expect(parseSite(example, 'docs/site-yml.md').title).toBe('Field notes');
  });

  it('takes the title and time zone it is given', async () => {
    const { dir, result } = await newSite(['--title', 'Ops: the hard parts']);
    expect(result.code).toBe(0);
    const yml = await readFile(join(dir, 'site.yml'), 'utf8');
    expect(yml).toContain('title: "Ops: the hard parts"');
    expect(yml).toContain('timezone: "Europe/Berlin"');
    expect(await readFile(join(dir, 'notes/hello.md'), 'utf8')).toMatch(
      /^date: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00$/m,
    );
    expect((await cli(['check', '--content', dir])).code).toBe(0);
  });

  it('refuses a folder that is not empty, and writes nothing into it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eb-init-full-'));
    await writeFile(join(dir, 'thesis.md'), 'mine');
    const result = await cli(['init', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `errorbudget: ${dir}: is not empty (thesis.md); init creates a site in a new or empty folder\n`,
    );
    expect(await readdir(dir)).toEqual(['thesis.md']);
  });

  it('refuses a time zone that does not exist', async () => {
    const { dir, result } = await newSite(['--timezone', 'Mars/Olympus']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'errorbudget: --timezone: "Mars/Olympus" is not an IANA time zone such as Europe/London\n',
    );
    await expect(readdir(dir)).rejects.toThrow();
  });
});
