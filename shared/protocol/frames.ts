/**
 * The wire protocol's frames between producers (a lab's acquisition, the replay producer), the
 * server and dashboards: WebSocket binary messages, each one msgpack-encoded frame (codec.ts).
 * Defined once here and used by every peer. docs/protocol.md is the specification.
 */
import type { Alert } from '../alerts.ts';

export const PROTOCOL_VERSION = 1;
/** Why a frame or a session was refused; sent to the peer and counted by reason. */
export type ErrorCode =
  | 'malformed' // not msgpack, or not an object
  | 'bad-frame' // a field missing or of the wrong type or range
  | 'non-finite' // NaN or Infinity in the samples
  | 'too-large' // more samples or bytes than a frame may carry
  | 'unauthorized' // missing or wrong producer token
  | 'unknown-session' // data or end for a session never started
  | 'out-of-order' // a sequence number that skips ahead
  | 'duplicate' // a sequence number already acknowledged (harmless on resume: re-acked, not stored)
  | 'wrong-rate' // a preset whose model rate does not divide the AE rate
  | 'storage' // the archive could not store it (disk full, read-only, I/O error); the message says which
  | 'internal';

/** WebSocket close codes the server uses (docs/protocol.md says what a peer should do on each). */
export const CLOSE_CODES = {
  /** the server is stopping: reconnect later */
  shuttingDown: 1001,
  /** missing or wrong producer token */
  unauthorized: 1008,
  /** a message over the server's byte limit */
  tooLarge: 1009,
  /** a dashboard that could not keep up was dropped */
  tooSlow: 4008,
  /** another connection started this connection's session (a producer reconnecting) */
  takenOver: 4009,
  /** a storage error ended the session; start it again once storage is back */
  storage: 4010,
} as const;

export class ProtocolError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type AeSamples = Int16Array | Float32Array;

export const AE_KINDS = ['waveform', 'variance'] as const;
export type AeKind = (typeof AE_KINDS)[number];

export const MECH_CHANNELS = ['shear_stress_MPa', 'normal_stress_MPa', 'mu'] as const;
export type MechChannel = (typeof MECH_CHANNELS)[number];

/** Opens (or resumes) a producer session. */
export interface StartFrame {
  type: 'start';
  protocol: number;
  session: string;
  experimentId: string;
  aeRateHz: number;
  /** the sample type every data frame's AE arrays have */
  aeType: 'int16' | 'float32';
  /** one entry per AE channel: name, unit, physical units per stored unit */
  aeChannels: { name: string; unit: string; scale: number }[];
  /**
   * what the AE channels carry (default 'waveform'): raw waveforms, or an AE feature series already
   * reduced to a variance per channel (RMS sent squared) at its own rate, e.g. 10 Hz; a variance
   * stream is served by models conditioned in feature mode, and may be slower than their rate
   */
  aeKind?: AeKind;
  /** mechanical channels sent alongside, and their rate */
  mech?: { rateHz: number; channels: MechChannel[] };
  /** window preset the session is analysed with, one of the server's models' (default: the one most of them use; a tie: the longest windows) */
  preset?: string;
  /** names of the server's models to predict with (default: every model of the preset) */
  models?: string[];
  /**
   * experiment time of the session's first AE sample, s (default 0): a replay from 650 s says 650.
   * Session indices and times still count from the session start; dashboards and the archive add this.
   */
  experimentStartS?: number;
  /** the experiment's normal-stress levels, in experiment time (archived with the session) */
  normalStressSchedule?: { startS: number; endS: number; normalStressMPa: number }[];
}

/** A contiguous block of samples. seq counts frames from 0; indices count samples from 0. */
export interface DataFrame {
  type: 'data';
  session: string;
  seq: number;
  /** index of ae[c][0] in the session's AE sample count */
  aeStartIndex: number;
  ae: AeSamples[];
  mech?: { startIndex: number; values: Partial<Record<MechChannel, Float32Array>> };
}

export interface EndFrame {
  type: 'end';
  session: string;
  seq: number;
}

/** Server -> producer: every frame up to and including seq is durably stored. */
export interface AckFrame {
  type: 'ack';
  session: string;
  seq: number;
  /** in the answer to a start only: AE samples stored so far (where the producer resumes) */
  aeSamples?: number;
}

export interface ErrorFrame {
  type: 'error';
  code: ErrorCode;
  message: string;
  session?: string;
  seq?: number;
}

export type ProducerFrame = StartFrame | DataFrame | EndFrame;
export type ServerToProducerFrame = AckFrame | ErrorFrame;

// ---- server -> dashboards (ws /stream) ----

/** What a dashboard needs to draw a model's tiles: which columns, their cone of influence, periods. */
export interface TileGeometry {
  scales: number;
  /** columns per tile (the window step) */
  columns: number;
  /** 1 where edge effects matter, scales x columns, scale-major */
  coi: Uint8Array;
  /** Fourier period of each scale, s */
  periodsS: Float64Array;
  /** quantised bytes map linearly from -range..range normalised units */
  range: number;
}

export interface HelloFrame {
  type: 'hello';
  models: { name: string; target: string; preset: { id: string; windowS: number; stepS: number; sampleRateHz: number }; tiles: TileGeometry }[];
}

export interface PredictionFrame {
  type: 'prediction';
  session: string;
  target: string;
  /** model-rate index of mean[0]; time = startIndex / rateHz from the session start */
  startIndex: number;
  rateHz: number;
  mean: Float32Array;
  std: Float32Array;
}

/**
 * The causal prediction for the newest instant: each window's newest step, sent the moment the
 * window is inferred (before overlap averaging, which needs the windows that follow).
 */
export interface NowcastFrame {
  type: 'nowcast';
  session: string;
  target: string;
  /** model-rate index of values[0] */
  startIndex: number;
  rateHz: number;
  values: Float32Array;
}

export interface AlertFrame {
  type: 'alert';
  session: string;
  event: 'on' | 'off';
  alert: Alert;
}

/** The conditioned AE (RMS envelope of the channel norm) at the model rate. */
export interface EnvelopeFrame {
  type: 'envelope';
  session: string;
  startIndex: number;
  rateHz: number;
  values: Float32Array;
}

/** Measured friction from the producer's mechanical channels, decimated for display. */
export interface MeasuredFrame {
  type: 'measured';
  session: string;
  startIndex: number;
  rateHz: number;
  mu: Float32Array;
}

/** One window's centre columns of the input scalogram or of a model's predicted scalogram. */
export interface TileFrame {
  type: 'tile';
  session: string;
  /** 'input' or the model's target */
  of: string;
  /** model-rate index of the first column */
  startIndex: number;
  rateHz: number;
  /** scales x columns, scale-major, quantised (TileGeometry.range) */
  data: Uint8Array;
}

/** A slip found in the measured friction (shared/labels.ts), once it is final. */
export interface SlipFrame {
  type: 'slip';
  session: string;
  /** failure onset, s from the session start */
  tS: number;
  dropMu: number;
}

/**
 * The failure forecaster's probability of a slip within horizonS, per conditioned sample at its
 * rate (the alert rule's input; /status `alerting` gives the rule's thresholds). Defined for the
 * monitor to publish; dashboards draw it when it comes.
 */
export interface ForecastFrame {
  type: 'forecast';
  session: string;
  /** forecaster-rate index of probability[0] from the session start */
  startIndex: number;
  rateHz: number;
  horizonS: number;
  probability: Float32Array;
}

/**
 * Live adaptation's outcome for one model of a session (issue 13): after `cycles` cycles of
 * measured friction the model's latent space was cross-trained on them and scored (R^2) on the
 * newest cycle, before and after. swapped: the adapted model serves every window from the one
 * starting at fromStartIndex on (each window inferred once, by one model; overlap averaging mixes
 * both for one window length); not swapped: the served model stays, fromStartIndex is null and
 * reason says why.
 */
export interface AdaptedFrame {
  type: 'adapted';
  session: string;
  target: string;
  /** model-rate index (from the session start) of the first window the adapted model inferred; null when not swapped */
  fromStartIndex: number | null;
  rateHz: number;
  cycles: number;
  before: { r2: number };
  after: { r2: number };
  swapped: boolean;
  reason?: string;
  /** seconds the cross-training took (in its worker thread) */
  trainS?: number;
}

export type StreamFrame = HelloFrame | PredictionFrame | NowcastFrame | AlertFrame | EnvelopeFrame | MeasuredFrame | TileFrame | SlipFrame | ForecastFrame | AdaptedFrame;


/** The most samples one frame may carry per channel (1 s at 1 MHz). */
export const MAX_SAMPLES_PER_FRAME = 1 << 20;
export const MAX_CHANNELS = 8;
