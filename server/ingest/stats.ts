/** Counters of the ingest side, reported by /status and /metrics. */
import type { ErrorCode } from '../../shared/protocol/frames.ts';

export interface IngestStats {
  framesAccepted: number;
  samplesAccepted: number;
  rejected: Partial<Record<ErrorCode, number>>;
  activeSessions: number;
}

export function newIngestStats(): IngestStats {
  return { framesAccepted: 0, samplesAccepted: 0, rejected: {}, activeSessions: 0 };
}
