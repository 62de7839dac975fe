/**
 * Where a session's accepted frames are stored before they are acknowledged: the Arrow archive
 * (archive.ts, the embedded mode) or JetStream (bus-store.ts, `--bus`). The session table,
 * validation, fencing and flow control are the same for both; only this differs.
 */
import type { DataFrame, ProtocolError } from '../../shared/protocol/frames.ts';

export interface SessionStore {
  /** the first storage error: nothing more is stored after it */
  readonly failure: ProtocolError | null;
  /** sequence number of the last frame appended (stored once flushed; -1: none) */
  readonly lastAppendedSeq: number;
  /** sequence number of the last frame stored durably (-1: none) */
  readonly lastDurableSeq: number;
  /** AE samples stored (the next frame's aeStartIndex) */
  readonly aeSamples: number;
  /** mechanical samples stored (the next frame's mech.startIndex) */
  readonly mechSamples: number;
  /** the AE column names, in channel order */
  readonly aeColumnNames: string[];
  /** append one validated data frame (stored after the next flush); throws ProtocolError('storage') */
  append(frame: DataFrame, aeNames: string[]): void;
  /** the producer ended the session (stored with the next flush; the bus tells its workers) */
  markEnded?(): void;
  /** store everything appended; resolves with the last stored seq, rejects with ProtocolError('storage') */
  flush(): Promise<number>;
  /** flush and release; never throws */
  close(): Promise<void>;
}
