// The Nu Html Checker (W3C's validator, from the vnu-jar package), run on the Java of the machine.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const vnuJar = createRequire(import.meta.url)('vnu-jar') as string;

export interface HtmlProblem {
  type: string;
  message: string;
  url?: string;
  lastLine?: number;
}

/** The errors of each page (name → HTML), checked in one run of the checker: it takes seconds to start. */
export async function htmlErrors(pages: Record<string, string>): Promise<HtmlProblem[]> {
  const dir = await mkdtemp(join(tmpdir(), 'eb-vnu-'));
  try {
    const files = await Promise.all(
      Object.entries(pages).map(async ([name, html]) => {
        const file = join(dir, `${name.replace(/[^a-z0-9-]/gi, '_')}.html`);
        await writeFile(file, html);
        return file;
      }),
    );
    const { stdout } = await promisify(execFile)(
      'java',
      ['-jar', vnuJar, '--format', 'json', '--stdout', ...files],
      {
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const { messages } = JSON.parse(stdout) as { messages: HtmlProblem[] };
    return messages.filter((m) => m.type === 'error');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
