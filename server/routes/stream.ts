/** ws /stream: dashboards subscribe (read-only, no token); the first frame says what the models draw. */
import type { FastifyPluginAsync } from 'fastify';
import type { ServingModel } from '../../pipeline/pipeline.ts';
import type { HelloFrame } from '../../shared/protocol/frames.ts';
import { cwtPlanFor, tileColumns } from '../../shared/signal/window-preset.ts';
import { extractColumns, TILE_RANGE } from '../../shared/tiles.ts';
import type { Hub } from '../stream/hub.ts';

/** The first frame a dashboard gets: the models, and how to draw their scalogram tiles. */
export function helloFrame(models: ServingModel[]): HelloFrame {
  return {
    type: 'hello',
    models: models.map((m) => {
      const { preset } = m.manifest;
      const plan = cwtPlanFor(preset);
      const cols = tileColumns(preset);
      const coi = extractColumns(Float32Array.from(plan.coneOfInfluence()), 1, plan.scales, plan.n, cols.from, cols.count);
      return {
        name: m.manifest.name,
        target: m.manifest.target,
        preset: { id: preset.id, windowS: preset.windowS, stepS: preset.stepS, sampleRateHz: preset.sampleRateHz },
        tiles: { scales: plan.scales, columns: cols.count, coi: Uint8Array.from(coi), periodsS: plan.periodsS(), range: TILE_RANGE },
      };
    }),
  };
}

export const streamRoutes: FastifyPluginAsync<{ models: ServingModel[]; hub: Hub }> = async (app, { models, hub }) => {
  const hello = helloFrame(models);
  app.get('/stream', { websocket: true }, (socket) => hub.add(socket, hello));
};
