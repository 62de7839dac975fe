/**
 * The bus-internal messages of SW_COND (the conditioning role's output, read by the inference and
 * alerts roles). Not part of the wire protocol to producers or dashboards (shared/protocol/), so
 * they have their own codec here (msgpack with typed arrays kept, as shared/protocol/codec.ts).
 */
import { Packr } from 'msgpackr';
import type { StartFrame } from '../shared/protocol/frames.ts';
import type { ConditionConfig, ConditionedChunk } from '../shared/signal/condition.ts';

/** One conditioned series: a conditioning mode at an output rate ("envelope@100"). */
export const conditionKey = (c: Pick<ConditionConfig, 'mode' | 'outputRateHz'>): string => `${c.mode}@${c.outputRateHz}`;

/** The session's start frame and the conditioned series its messages carry. */
export interface CondStart {
  type: 'start';
  start: StartFrame;
  keys: string[];
}

/** What one data frame became: each key's conditioned chunks (gap markers included) and its friction. */
export interface CondChunk {
  type: 'chunk';
  /** the data frame's seq */
  seq: number;
  /** AE samples of the session up to the end of this frame (its arrival is the issue time of what it completes) */
  aeEnd: number;
  parts: Record<string, ConditionedChunk[]>;
  /** measured friction of the frame, when the producer sends it */
  mu?: { startIndex: number; values: Float32Array };
}

export interface CondEnd {
  type: 'end';
  seq: number;
}

export type CondMessage = CondStart | CondChunk | CondEnd;

const packr = new Packr({ moreTypes: true, useRecords: false });

export const encodeCond = (m: CondMessage): Uint8Array => packr.pack(m);
export const decodeCond = (b: Uint8Array): CondMessage => packr.unpack(b) as CondMessage;
