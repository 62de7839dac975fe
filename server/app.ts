/**
 * buildApp: the Fastify instance with every route; main.ts only listens. Tests build their own
 * app on port 0.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';
import type { ServerOptions } from './config.ts';
import { registerIngest } from './ingest/route.ts';
import { newIngestStats } from './ingest/stats.ts';

export async function buildApp(opts: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: opts.log });
  await app.register(websocket, { options: { maxPayload: opts.maxFrameBytes } });
  const ingest = newIngestStats();
  const started = Date.now();
  app.get('/health', { schema: { response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } } } } }, async () => ({ ok: true }));
  app.get('/status', async () => ({ uptimeS: (Date.now() - started) / 1000, ingest }));
  await app.register(async (scope) => registerIngest(scope, opts, ingest));
  return app;
}
