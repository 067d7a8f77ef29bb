// Postfix's smtp-sink as a child process: a fast, pipelining SMTP peer that throws mail away (tests and benchmarks).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';

const SMTP_SINK = '/usr/sbin/smtp-sink';

export const hasPostfixSink = existsSync(SMTP_SINK);

export interface PostfixSink {
  port: number;
  /** Messages the sink has received a final "." for, from its running counters (-c). */
  messages(): number;
  stop(): Promise<void>;
}

export async function startPostfixSink(): Promise<PostfixSink> {
  if (!hasPostfixSink) throw new Error(`${SMTP_SINK} is not installed (Debian package postfix)`);
  // smtp-sink cannot listen on port 0, so a free port is picked first; another process may take it
  // in between, hence the retries.
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort();
    const child = spawn(SMTP_SINK, [...rootArgs(), '-c', `127.0.0.1:${port}`, '100'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let received = 0;
    child.once('error', (error) => {
      output += error.message;
    });
    child.stdout.setEncoding('latin1').on('data', (chunk: string) => {
      // The counters are rewritten in place with \r: "sess=2 quit=2 mesg=2000".
      const counts = [...chunk.matchAll(/mesg=(\d+)/g)];
      const last = counts[counts.length - 1];
      if (last?.[1]) received = Number(last[1]);
    });
    child.stderr.setEncoding('latin1').on('data', (chunk: string) => {
      output += chunk;
    });
    const stop = () => stopChild(child);
    if (await waitUntilListening(child, port)) return { port, messages: () => received, stop };
    await stop();
    if (attempt === 3) throw new Error(`smtp-sink did not start: ${output.trim()}`);
  }
}

function rootArgs(): string[] {
  // smtp-sink refuses to run as root without a user to drop to.
  return process.getuid?.() === 0 ? ['-u', 'nobody'] : [];
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilListening(child: ChildProcess, port: number): Promise<boolean> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline && child.exitCode === null) {
    const connected = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (connected) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
