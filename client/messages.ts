/**
 * Messages between the page (main.ts) and its stream worker (stream-worker.ts). The worker owns
 * the WebSocket, decodes frames and keeps the time-series history; the page only draws.
 */
import type { Alert } from '../shared/alerts.ts';
import type { HelloFrame } from '../shared/protocol/frames.ts';

/** The series the charts draw, on one time grid. */
export const SERIES = ['envelope', 'measuredMu', 'frictionMean', 'frictionStd', 'frictionNow', 'ttfMean', 'ttfStd', 'ttfNow', 'ttfMeasured', 'probability'] as const;
export type SeriesName = (typeof SERIES)[number];

/** History kept, and the grid it is kept on (enough for 10 minutes on every chart). */
export const HISTORY_S = 600;
export const DISPLAY_HZ = 20;

/** A model adapted live on the session's own cycles (issue 13's `adapted` frame), in session time. */
export interface Adaptation {
  target: string;
  /** session time from which the adapted model predicts, s */
  tS: number;
  cycles: number;
  beforeR2: number;
  afterR2: number;
  /** the adapted model replaced the running one (false: it was not better, reason says why) */
  swapped: boolean;
  reason?: string;
}

export type ConnectionState = { state: 'connecting' } | { state: 'open' } | { state: 'closed'; reason: string; retryInS: number };

export type FromWorker =
  | { kind: 'connection'; connection: ConnectionState }
  | { kind: 'hello'; hello: HelloFrame }
  | { kind: 'session'; session: string }
  | { kind: 'view'; session: string; x: Float64Array; series: Record<SeriesName, Float32Array> }
  | { kind: 'tile'; of: string; startIndex: number; rateHz: number; data: Uint8Array }
  | { kind: 'alert'; event: 'on' | 'off'; alert: Alert }
  | { kind: 'slip'; tS: number; dropMu: number }
  | { kind: 'adapted'; adaptation: Adaptation };

/** span: the visible seconds, and the most points worth sending (about two per pixel of the plot) */
export type ToWorker = { kind: 'connect'; url: string } | { kind: 'span'; seconds: number; maxPoints: number };
