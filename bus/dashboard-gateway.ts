/**
 * The dashboard role: a gateway that fans the bus out to browsers over the embedded mode's own
 * ws /stream (server/stream/hub.ts: bounded per-subscriber buffers, decimation, keepalive; the
 * hello frame of server/routes/stream.ts) and serves the dashboard page. Predictions and alerts
 * come from SW_OUT (an ordered consumer from now: a dashboard shows the live stream, as in the
 * embedded mode), the views (envelope, nowcasts, tiles, forecasts, measured friction, slips) from
 * core NATS. It holds no session state, so any number run side by side and a restarted one just
 * starts again from now; browsers reconnect by themselves.
 */
import websocket from '@fastify/websocket';
import { DeliverPolicy } from '@nats-io/jetstream';
import Fastify, { type FastifyInstance } from 'fastify';
import { decodeFrame } from '../shared/protocol/codec.ts';
import type { StreamFrame } from '../shared/protocol/frames.ts';
import { registerErrorHandler } from '../server/errors.ts';
import { healthRoutes } from '../server/routes/health.ts';
import { streamRoutes } from '../server/routes/stream.ts';
import { registerClient } from '../server/static/client-bundle.ts';
import { DEFAULT_HUB_LIMITS, Hub } from '../server/stream/hub.ts';
import { BusClient } from './client.ts';
import { STREAMS, subjects } from './config.ts';
import { manifestsOnly } from './gateway.ts';

export interface DashboardCounters {
  predictions: number;
  alerts: number;
  views: number;
}

/**
 * Frames from SW_OUT (stored) into the hub, from now on; alerts are never skipped for a slow
 * browser. The ordered consumer exists when this resolves; the returned promise runs until closed.
 */
async function fanOutStored(bus: BusClient, hub: Hub, counters: DashboardCounters): Promise<{ running: Promise<void>; close: () => Promise<void> }> {
  const consumer = await bus.js.consumers.get(STREAMS.out, { filter_subjects: subjects.allOut, deliver_policy: DeliverPolicy.New });
  const messages = await consumer.consume({ max_messages: 256 });
  const running = (async () => {
    for await (const m of messages) {
      if (m.data.length === 0) continue; // a role's done marker
      const f = decodeFrame(m.data) as StreamFrame;
      if (f.type === 'alert') counters.alerts++;
      else counters.predictions++;
      hub.publish(f, f.type !== 'alert');
    }
  })();
  return { running, close: async () => void (await messages.close().catch(() => undefined)) };
}

export async function buildDashboardGateway(o: { bus: string; modelsDir: string; log?: boolean; replicas?: number }): Promise<{ app: FastifyInstance; counters: DashboardCounters }> {
  const bus = await BusClient.connect(o.bus, `slipwatch-dashboard-${process.pid}`);
  await bus.ensureStreams(o.replicas);
  const models = manifestsOnly(o.modelsDir);
  const hub = new Hub(DEFAULT_HUB_LIMITS);
  const counters: DashboardCounters = { predictions: 0, alerts: 0, views: 0 };
  const app = Fastify({ logger: o.log ?? false });
  registerErrorHandler(app);
  await app.register(websocket);
  await app.register(healthRoutes);
  registerClient(app);
  await app.register(streamRoutes, { models, hub });
  app.get('/status', async () => ({ mode: 'bus-dashboard', bus: o.bus, hub: hub.stats, counters }));
  const views = bus.nc.subscribe(subjects.views, {
    callback: (err, m) => {
      if (err) return;
      counters.views++;
      hub.publish(decodeFrame(m.data) as StreamFrame);
    },
  });
  const stored = await fanOutStored(bus, hub, counters);
  app.addHook('onClose', async () => {
    views.unsubscribe();
    hub.closeAll();
    await stored.close();
    await stored.running.catch(() => undefined);
    await bus.close();
  });
  return { app, counters };
}
