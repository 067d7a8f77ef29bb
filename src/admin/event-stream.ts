// Server-sent events for a figure that changes while work runs (an issue sending): the value is read
// on an interval and sent only when it changed; the stream ends itself when the value is final, when
// the client goes, when it has run `maxMs` (the browser reconnects), or when the server closes.
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface EventStreamOptions<T> {
  read(): Promise<T | undefined>;
  isFinal(value: T): boolean;
  intervalMs: number;
  /** A comment line this often keeps proxies from closing a quiet stream. */
  heartbeatMs?: number;
  maxMs?: number;
}

/** Open streams, so the server can end them when it closes (an open response keeps it from closing). */
export class EventStreams {
  private readonly open = new Set<() => void>();

  start<T>(request: FastifyRequest, reply: FastifyReply, o: EventStreamOptions<T>): void {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      // nginx would otherwise buffer the stream and deliver it in lumps.
      'x-accel-buffering': 'no',
    });
    // Reconnect after 2 s when the stream ends without an `end` event.
    res.write('retry: 2000\n\n');
    let last = '';
    let timer: NodeJS.Timeout | undefined;
    let ended = false;
    const startedAt = Date.now();
    let lastWrite = startedAt;
    const end = () => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      this.open.delete(end);
      res.end();
    };
    this.open.add(end);
    request.raw.once('close', end);
    res.once('close', end);
    const tick = async () => {
      try {
        const value = await o.read();
        if (ended) return;
        if (value === undefined) {
          res.write('event: gone\ndata: {}\n\n');
          return end();
        }
        const data = JSON.stringify(value);
        if (data !== last) {
          res.write(`event: progress\ndata: ${data}\n\n`);
          last = data;
          lastWrite = Date.now();
        } else if (Date.now() - lastWrite >= (o.heartbeatMs ?? 15_000)) {
          res.write(': still here\n\n');
          lastWrite = Date.now();
        }
        if (o.isFinal(value)) {
          res.write('event: end\ndata: {}\n\n');
          return end();
        }
        if (Date.now() - startedAt >= (o.maxMs ?? 10 * 60_000)) return end();
        timer = setTimeout(tick, o.intervalMs);
      } catch (error) {
        request.log.error({ err: error }, 'event stream failed');
        end();
      }
    };
    void tick();
  }

  closeAll(): void {
    for (const end of [...this.open]) end();
  }
}
