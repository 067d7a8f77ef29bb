// deploy/build.sh, the Dockerfile's build step, run here on a clean checkout of the committed tree
// (no node_modules, no dist): it must install, compile, prune and pass its own smoke check, and the
// result must start with only production dependencies. It compiles better-sqlite3: 2 to 15 minutes.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('deploy/build.sh on a clean checkout', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('builds a runnable errorbudget with production dependencies only', async () => {
    dir = await mkdtemp(join(tmpdir(), 'eb-build-'));
    const checkout = join(dir, 'checkout');
    const out = join(dir, 'app');
    execFileSync('mkdir', ['-p', checkout]);
    execFileSync('sh', ['-c', `git -C "${root}" archive HEAD | tar -x -C "${checkout}"`]);
    expect(existsSync(join(checkout, 'node_modules'))).toBe(false);
    const build = spawnSync('bash', [join(checkout, 'deploy/build.sh'), out], {
      encoding: 'utf8',
      timeout: 1_800_000,
    });
    expect(build.status, `${build.stdout}\n${build.stderr}`).toBe(0);
    expect(build.stdout).toContain(`build.sh: errorbudget built into ${out}`);
    expect(existsSync(join(out, 'dist/cli/main.js'))).toBe(true);
    expect(existsSync(join(out, 'node_modules/better-sqlite3'))).toBe(true);
    expect(existsSync(join(out, 'node_modules/vitest'))).toBe(false);
    const help = spawnSync(process.execPath, [join(out, 'bin/errorbudget.js'), '--help'], {
      encoding: 'utf8',
    });
    expect(help.stdout).toContain('backup');
  }, 1_800_000);
});
