// /readyz on the public port (load balancers look there; /healthz is the site's own), and /metrics
// there too only when METRICS_TOKEN is set; without a token the route does not exist (404).
import type { FastifyInstance, FastifyReply } from 'fastify';
import { metricsAnswer, type OperatorAnswer, type OperatorEndpoints, readyz } from './operator-endpoints.js';

function send(reply: FastifyReply, answer: OperatorAnswer) {
  return reply.code(answer.status).headers(answer.headers).send(answer.body);
}

export async function operatorRoutes(app: FastifyInstance, o: OperatorEndpoints): Promise<void> {
  app.get('/readyz', async (_request, reply) => send(reply, await readyz(o)));
  if (o.token !== undefined && o.metrics)
    app.get('/metrics', async (request, reply) =>
      send(reply, await metricsAnswer(o, request.headers.authorization)),
    );
}
