/**
 * The REST contracts between the server and the dashboard: each route's types and the JSON
 * schemas the server validates with (strictly: no type coercion, no unknown fields). The client
 * fetches with these types, so both sides read one definition. docs/protocol.md lists the routes.
 */
import type { AlertScores } from '../alerts.ts';
import type { NormalStressLevel } from '../recording-meta.ts';

/** Every refused request answers this: what was wrong and what is allowed. */
export interface ErrorBody {
  error: string;
}

export const ERROR_SCHEMA = { type: 'object', required: ['error'], properties: { error: { type: 'string' } } } as const;

export interface RecordingInfo {
  id: string;
  /** the end of its normal-stress schedule, s (null without one) */
  durationS: number | null;
  levels: NormalStressLevel[];
  /** why a replay cannot stream it, e.g. no AE waveform (absent: it can) */
  unavailable?: string;
}

/** GET /recordings */
export interface RecordingsBody {
  recordings: RecordingInfo[];
}

export type ReplaySpeed = number | 'max';

/** POST /replay */
export interface ReplayRequest {
  recording: string;
  /** real-time factor, or as fast as the server acknowledges (default 1) */
  speed?: ReplaySpeed;
  /** experiment second to start from (default 0) */
  fromS?: number;
  /** window preset of the server's models (default: theirs) */
  preset?: string;
  /** the server's models to predict with (default: all of the preset's) */
  models?: string[];
}

export const MAX_REPLAY_SPEED = 1000;

export const REPLAY_REQUEST_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['recording'],
  properties: {
    recording: { type: 'string', minLength: 1, maxLength: 200 },
    speed: { anyOf: [{ type: 'number', exclusiveMinimum: 0, maximum: MAX_REPLAY_SPEED }, { type: 'string', enum: ['max'] }] },
    fromS: { type: 'number', minimum: 0 },
    preset: { type: 'string', minLength: 1, maxLength: 64 },
    models: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 128 }, minItems: 1, maxItems: 16 },
  },
} as const;

export const REPLAY_ACTIONS = ['pause', 'resume', 'stop'] as const;
export type ReplayAction = (typeof REPLAY_ACTIONS)[number];

export const REPLAY_ACTION_PARAMS_SCHEMA = {
  type: 'object',
  required: ['id', 'action'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 128 }, action: { type: 'string', enum: REPLAY_ACTIONS } },
} as const;

export interface ReplayState {
  id: string;
  recording: string;
  speed: ReplaySpeed;
  fromS: number;
  sentS: number;
  totalS: number;
  state: 'running' | 'paused' | 'done' | 'stopped' | 'failed';
  error?: string;
}

/** GET /replay */
export interface ReplaysBody {
  replays: ReplayState[];
}

export interface ModelSummary {
  name: string;
  target: string;
  preset: string;
}

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  count: number;
}

/** The failure forecaster's alert rule: on above onAbove (held minDurationS), off below offBelow. */
export interface AlertingInfo {
  /** the probability is of a slip within this horizon, s */
  horizonS: number;
  onAbove: number;
  offBelow: number;
  minDurationS: number;
  clearAfterS: number;
}

/** A session in experiment time: session time t is experiment time experimentStartS + t. */
export interface SessionInfo {
  experimentId: string;
  experimentStartS: number;
  normalStressSchedule: NormalStressLevel[];
  /** false once the producer ended it */
  running: boolean;
}

/** Per session and model: windows into and out of inference and those waiting now. */
export interface StageCounters {
  framesIn: number;
  /** seconds of AE waiting for inference in the slowest pipeline (flow control holds acks above --max-backlog-s) */
  backlogS: number;
  infer: Record<string, { windowsIn: number; windowsOut: number; batches: number; queued: number; maxQueued: number }>;
}

/** GET /status (the fields the dashboard reads; the server sends more counters). Floats have at most 4 decimals. */
/** The model a session serves for one target: as loaded (version 0) or adapted live (1), and whose statistics. */
export interface ServedModelSummary {
  name: string;
  version: number;
  adapted: boolean;
  /** the adapted model's folder beside the session's archive */
  dir?: string;
  /** where the input and output normalisation statistics come from (manifest, session warm-up, measured friction, session cycles) */
  statistics: { input: string; output: string };
  /** live adaptation: collecting cycles, adapting, done, or off */
  adaptation: string;
}

export interface StatusBody {
  uptimeS: number;
  backend: string;
  models: ModelSummary[];
  ingest: { framesAccepted: number; samplesAccepted: number; rejected: Record<string, number>; activeSessions: number; holds?: number; heldSessions?: number };
  /** null without a failure forecaster (alerts are then a threshold on the TTF nowcast) */
  alerting: AlertingInfo | null;
  sessions: Record<string, SessionInfo>;
  stages: Record<string, StageCounters>;
  stream: { subscribers: number; framesSent: number; framesSkipped: number; dropped: Record<string, number> };
  pipelineErrors: number;
  latencyMs: Record<string, LatencySummary | null>;
  alertScores: Record<string, AlertScores | null>;
  /** per session and target: the model served and its statistics */
  servedModels: Record<string, Record<string, ServedModelSummary>>;
}
