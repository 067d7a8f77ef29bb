// The answers for operators, whichever listener they arrive on: /healthz (the process is alive),
// /readyz (it can work now) and /metrics (Prometheus). Metrics are never public: they need the bearer
// token wherever one is set, and without one they exist only on the loopback metrics listener.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Metrics } from './metrics.js';
import type { ReadinessReport } from './readiness.js';

export interface OperatorEndpoints {
  /** Undefined when nothing could read them (neither METRICS_PORT nor METRICS_TOKEN is set). */
  metrics: Metrics | undefined;
  readiness(): Promise<ReadinessReport>;
  token: string | undefined;
}

export interface OperatorAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const json = (status: number, value: unknown): OperatorAnswer => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  body: JSON.stringify(value),
});

export function healthz(): OperatorAnswer {
  return json(200, { status: 'ok' });
}

export async function readyz(o: OperatorEndpoints): Promise<OperatorAnswer> {
  const report = await o.readiness();
  return json(report.status === 'ready' ? 200 : 503, report);
}

export async function metricsAnswer(
  o: OperatorEndpoints,
  authorization: string | undefined,
): Promise<OperatorAnswer> {
  if (!o.metrics)
    return { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'not found\n' };
  if (o.token !== undefined && !hasBearer(authorization, o.token))
    return {
      status: 401,
      headers: {
        'www-authenticate': 'Bearer',
        'content-type': 'text/plain; charset=utf-8',
        'cache-control': 'no-store',
      },
      body: 'metrics need the METRICS_TOKEN bearer token\n',
    };
  return {
    status: 200,
    headers: { 'content-type': o.metrics.contentType, 'cache-control': 'no-store' },
    body: await o.metrics.text(),
  };
}

/** Compared as digests of equal length, in constant time: the answer's timing says nothing of the token. */
export function hasBearer(header: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1] ?? '';
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(token));
}
