/** GET /metrics: Prometheus text exposition (server/metrics.ts). */
import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';

export const metricsRoutes: FastifyPluginAsync<{ registry: Registry }> = async (app, { registry }) => {
  app.get('/metrics', async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
};
