// Shared by the benches: start a process and stop it by PID, wait for a URL, run wrk, take medians.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const cli = fileURLToPath(new URL('../bin/errorbudget.js', import.meta.url));
export const run = promisify(execFile);

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export function start(command: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Polls until the URL answers 200; returns the milliseconds since `since`. */
export async function waitFor200(url: string, since: number, timeoutMs = 120_000): Promise<number> {
  while (performance.now() - since < timeoutMs) {
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status === 200) return performance.now() - since;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

export interface WrkResult {
  requestsPerSecond: number;
  p99Ms: number;
  /** Requests answered in the run. */
  requests: number;
}

/** One wrk run: 1 thread, fixed connections, with latency percentiles; `script`: a Lua file for wrk
 * (requests to cycle through). Answers other than 2xx or 3xx fail the run. */
export async function wrk(
  url: string,
  seconds: number,
  connections: number,
  headers: string[] = [],
  script?: string,
): Promise<WrkResult> {
  const args = [
    '-t1',
    `-c${connections}`,
    `-d${seconds}s`,
    '--latency',
    ...headers.flatMap((h) => ['-H', h]),
    ...(script ? ['-s', script] : []),
    url,
  ];
  const { stdout } = await run('wrk', args, { timeout: (seconds + 30) * 1000 });
  const refused = /Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1];
  if (refused) throw new Error(`${refused} answers were neither 2xx nor 3xx:\n${stdout}`);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1];
  const p99 = /\s99%\s+([\d.]+)(us|ms|s)/.exec(stdout);
  if (!rps || !p99) throw new Error(`cannot read wrk output:\n${stdout}`);
  const scale = p99[2] === 'us' ? 0.001 : p99[2] === 's' ? 1000 : 1;
  const requests = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? 0);
  return { requestsPerSecond: Number(rps), p99Ms: Number(p99[1]) * scale, requests };
}

// ---- Measuring a child process: exact CPU and peak memory from GNU time, a timeline from /proc. ----

export interface ProcSample {
  /** Date.now() when read, so it compares with timestamps the process writes to the database. */
  t: number;
  rssKb: number;
  /** VmHWM: the highest resident size so far. */
  hwmKb: number;
  /** utime + stime of all the process's threads. */
  cpuSeconds: number;
  threads: number;
}

const clockTicks = 100;

/** One look at a running process, or undefined once it is gone. */
export async function procSample(pid: number): Promise<ProcSample | undefined> {
  try {
    const [status, stat] = await Promise.all([
      readFile(`/proc/${pid}/status`, 'utf8'),
      readFile(`/proc/${pid}/stat`, 'utf8'),
    ]);
    // The command name in field 2 may hold spaces; fields 14 and 15 (utime, stime) count from after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
    return {
      t: Date.now(),
      rssKb: kb('VmRSS'),
      hwmKb: kb('VmHWM'),
      cpuSeconds: (Number(fields[11]) + Number(fields[12])) / clockTicks,
      threads: Number(/Threads:\s+(\d+)/.exec(status)?.[1] ?? 0),
    };
  } catch {
    return undefined;
  }
}

/** The PIDs of a process's children (its main thread's, which is where spawn happens). */
export async function childPids(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return text
    .trim()
    .split(/\s+/)
    .filter((s) => s !== '')
    .map(Number);
}

/** PIDs to end if the bench stops early: a process we started is never left behind. */
const started = new Set<number>();
process.on('exit', () => {
  for (const pid of started) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

export function stopOnExit(pid: number | undefined): void {
  if (pid !== undefined) started.add(pid);
}

export function forget(pid: number | undefined): void {
  if (pid !== undefined) started.delete(pid);
}

export interface Measured {
  code: number | null;
  /** Date.now() at spawn. */
  startedAt: number;
  wallSeconds: number;
  /** From wait4(2) through GNU time: every thread, the whole life of the process. */
  userSeconds: number;
  systemSeconds: number;
  maxRssKb: number;
  /** Taken every `sampleMs` while it ran. */
  samples: ProcSample[];
  stdout: string;
  stderr: string;
}

/**
 * Runs a command under /usr/bin/time, which reports its exact CPU and peak RSS when it ends, and samples
 * its memory and CPU from /proc meanwhile. Both processes are ended by PID if the bench fails.
 */
export async function runMeasured(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; sampleMs?: number; timeFile: string },
): Promise<Measured> {
  const startedAt = Date.now();
  const since = performance.now();
  const child = spawn('/usr/bin/time', ['-f', '%e %U %S %M', '-o', options.timeFile, command, ...args], {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  stopOnExit(child.pid);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  let done = false;
  void exited.finally(() => {
    done = true;
  });
  const samples: ProcSample[] = [];
  let inner: number | undefined;
  while (!done && inner === undefined && child.pid !== undefined) {
    inner = (await childPids(child.pid))[0];
    if (inner === undefined) await new Promise((resolve) => setTimeout(resolve, 2));
  }
  stopOnExit(inner);
  while (!done && inner !== undefined) {
    const sample = await procSample(inner);
    if (sample) samples.push(sample);
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, options.sampleMs ?? 250))]);
  }
  const code = await exited;
  const wallSeconds = (performance.now() - since) / 1000;
  forget(inner);
  forget(child.pid);
  const report = (await readFile(options.timeFile, 'utf8').catch(() => '')).trim().split('\n').at(-1) ?? '';
  const [, user, system, maxRss] = report.split(' ').map(Number);
  if (maxRss === undefined || Number.isNaN(maxRss)) {
    throw new Error(`${command} ${args.join(' ')}: no report from /usr/bin/time (${report})\n${stderr}`);
  }
  return {
    code,
    startedAt,
    wallSeconds,
    userSeconds: user ?? 0,
    systemSeconds: system ?? 0,
    maxRssKb: maxRss,
    samples,
    stdout,
    stderr,
  };
}
