/**
 * Replays into this server's own ingest, controlled from the dashboard: GET /recordings, GET and
 * POST /replay, POST /replay/:id/(pause|resume|stop). Everything a replay would fail on later
 * (unknown recording, preset or model, a start past the end) is refused here, with the choices.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ServingModel } from '../../pipeline/pipeline.ts';
import { ERROR_SCHEMA, REPLAY_ACTION_PARAMS_SCHEMA, REPLAY_REQUEST_SCHEMA, type RecordingsBody, type ReplayAction, type ReplayRequest, type ReplaysBody, type ReplayState } from '../../shared/rest/contracts.ts';
import type { ReplayManager } from '../replay/manager.ts';
import { modelsOfChoice } from '../session/monitor.ts';

class RefusedRequest extends Error {
  readonly statusCode = 400;
}

/** Checks what the schema cannot: the recording, models and preset exist, the start is inside the recording. */
function checkReplay(req: ReplayRequest, replays: ReplayManager, models: ServingModel[]): void {
  const infos = replays.recordingInfos();
  const info = infos.find((r) => r.id === req.recording);
  if (!info) throw new RefusedRequest(`unknown recording ${JSON.stringify(req.recording)}; available: ${infos.map((r) => r.id).join(', ') || 'none'}`);
  if (info.unavailable) throw new RefusedRequest(`${req.recording} cannot be replayed: ${info.unavailable}`);
  if (req.fromS !== undefined && info.durationS !== null && req.fromS >= info.durationS)
    throw new RefusedRequest(`fromS ${req.fromS} is past the end of ${req.recording} (${info.durationS} s); choose 0 to ${info.durationS} s`);
  try {
    // the choice a producer's start frame gets checked for, before any replay starts (its AE rate: by the session)
    modelsOfChoice({ preset: req.preset, models: req.models }, models);
  } catch (e) {
    throw new RefusedRequest((e as Error).message);
  }
}

export const replayRoutes: FastifyPluginAsync<{ replays: ReplayManager; models: ServingModel[] }> = async (app, { replays, models }) => {
  app.get('/recordings', async (): Promise<RecordingsBody> => ({ recordings: replays.recordingInfos() }));
  app.get('/replay', async (): Promise<ReplaysBody> => ({ replays: replays.list() }));
  app.post<{ Body: ReplayRequest }>('/replay', { schema: { body: REPLAY_REQUEST_SCHEMA, response: { 400: ERROR_SCHEMA } } }, async (req): Promise<ReplayState> => {
    checkReplay(req.body, replays, models);
    const { recording, speed = 1, fromS = 0, preset, models: chosen } = req.body;
    return replays.start(recording, speed, fromS, preset, chosen);
  });
  app.post<{ Params: { id: string; action: ReplayAction } }>(
    '/replay/:id/:action',
    { schema: { params: REPLAY_ACTION_PARAMS_SCHEMA, response: { 400: ERROR_SCHEMA, 404: ERROR_SCHEMA } } },
    async (req, reply) => {
      const { id, action } = req.params;
      if (!replays.list().some((r) => r.id === id)) return reply.code(404).send({ error: `no replay ${JSON.stringify(id)}; running: ${replays.list().map((r) => r.id).join(', ') || 'none'}` });
      return replays.control(id, action);
    },
  );
};
