// Progress for long work in the terminal (import, export, sending an issue), with rate and ETA.
import type { SingleBar } from 'cli-progress';

/** A progress bar on stderr, only when a person is watching it. */
export async function progressBar(
  what: string,
  total: number,
  counts: string,
): Promise<SingleBar | undefined> {
  if (!process.stderr.isTTY) return undefined;
  const { SingleBar } = await import('cli-progress');
  const bar = new SingleBar({
    stream: process.stderr,
    format: `${what} [{bar}] {percentage}% | ${counts} | ETA {eta_formatted}`,
    hideCursor: true,
    clearOnComplete: true,
  });
  bar.start(total, 0, { rows: 0, rate: 0 });
  return bar;
}
