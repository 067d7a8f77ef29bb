// `errorbudget serve` as a real child process, for tests that restart or kill it.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('./cli-entry.ts', import.meta.url));

export interface ServeProcess {
  url: string;
  child: ChildProcess;
  output(): string;
}

export function startServe(args: string[], env: Record<string, string>): Promise<ServeProcess> {
  return startProcess(
    ['serve', '--port', '0', '--no-watch', ...args],
    env,
    /serving .+? at (http:\/\/[\d.]+:\d+)/,
  );
}

/** `errorbudget worker`; its url is that of its health and metrics listener when METRICS_PORT is set. */
export function startWorker(args: string[], env: Record<string, string>): Promise<ServeProcess> {
  return startProcess(
    ['worker', '--no-watch', ...args],
    env,
    /worker running; [^\n]*?(?:health and metrics at (http:\/\/[\d.]+:\d+)|no health)/,
  );
}

/** Any errorbudget command as a child process; resolves once its output matches `ready` (url: group 1). */
export function startProcess(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<ServeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const collect = (chunk: Buffer) => {
      out += chunk;
      const match = ready.exec(out);
      if (match) resolve({ url: match[1] ?? '', child, output: () => out });
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('close', (code) => reject(new Error(`${args[0]} exited with ${code}: ${out}`)));
  });
}

/** Waits until the process has printed a line matching `pattern`; returns the first group. */
export async function printed(process: ServeProcess, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  for (const until = Date.now() + timeoutMs; Date.now() < until; ) {
    const match = pattern.exec(process.output());
    if (match) return match[1] ?? match[0];
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never printed ${pattern}:\n${process.output()}`);
}

export function stopped(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('close', () => resolve());
    child.kill(signal);
  });
}
