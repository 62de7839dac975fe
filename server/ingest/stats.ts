/** Counters of the ingest side, reported by /status and /metrics. */
import type { ErrorCode } from '../../shared/protocol/frames.ts';

export interface IngestStats {
  framesAccepted: number;
  samplesAccepted: number;
  rejected: Partial<Record<ErrorCode, number>>;
  activeSessions: number;
  /** storage errors by errno code (ENOSPC, EROFS, EIO, ...) */
  storageErrors: Record<string, number>;
  /** prediction and alert rows computed but not archived (storage failed) */
  predictionsNotArchived: number;
  /** sessions whose acks are withheld now because their pipeline is behind (flow control) */
  heldSessions: number;
  /** times a session was held back */
  holds: number;
  /** producers dropped for not answering pings */
  keepaliveTimeouts: number;
}

export function newIngestStats(): IngestStats {
  return { framesAccepted: 0, samplesAccepted: 0, rejected: {}, activeSessions: 0, storageErrors: {}, predictionsNotArchived: 0, heldSessions: 0, holds: 0, keepaliveTimeouts: 0 };
}
