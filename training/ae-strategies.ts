/**
 * Seed 003's strategies as data, beside seed 000's table (training/strategies.ts, which keeps the
 * CED strategies; the CED transfer row here points at its 'cross-train' entry rather than
 * re-encoding it). Each row says which encoder an application model starts from, which blocks train,
 * at what learning rate, and with or without the extra convolutional layer.
 */
import type { AutoencoderKind } from '../model/autoencoder.ts';
import type { Block } from '../model/ced.ts';
import type { StrategyName } from './strategies.ts';

export interface AeStrategy {
  /** the encoder's structure (and, when pretrained, which saved autoencoder) */
  kind: AutoencoderKind;
  /** the encoder starts from the self-supervised autoencoder; false: the same structure from scratch */
  pretrained: boolean;
  blocks: readonly Block[];
  lr: number;
  extraConv: boolean;
  doc: string;
}

/** A row that is seed 000's CED transfer instead of an autoencoder: the CED strategy it runs. */
export interface CedRow {
  ced: StrategyName;
  doc: string;
}

const ALL: readonly Block[] = ['encoder', 'head'];

export const AE_STRATEGIES = {
  'over-frozen': { kind: 'overcomplete', pretrained: true, blocks: ['head'], lr: 1e-3, extraConv: true, doc: 'overcomplete encoder frozen; conv + dense 100 + output trained' },
  'over-fine-tune': { kind: 'overcomplete', pretrained: true, blocks: ALL, lr: 5e-5, extraConv: true, doc: 'overcomplete encoder and application layers all trained at 5e-5' },
  'over-frozen-noconv': { kind: 'overcomplete', pretrained: true, blocks: ['head'], lr: 1e-3, extraConv: false, doc: 'overcomplete encoder frozen; dense 100 + output only (no extra conv)' },
  'under-frozen': { kind: 'undercomplete', pretrained: true, blocks: ['head'], lr: 1e-3, extraConv: true, doc: 'undercomplete encoder frozen; conv + dense 100 + output trained' },
  'under-fine-tune': { kind: 'undercomplete', pretrained: true, blocks: ALL, lr: 5e-5, extraConv: true, doc: 'undercomplete encoder and application layers all trained at 5e-5' },
  scratch: { kind: 'overcomplete', pretrained: false, blocks: ALL, lr: 1e-3, extraConv: true, doc: "the overcomplete model's structure trained from scratch (seed 003's baseline)" },
} as const satisfies Record<string, AeStrategy>;

export const CED_ROW: CedRow = { ced: 'cross-train', doc: "seed 000's CED transfer: the simulation-pretrained CED's latent space trained on the lab data" };

export type AeStrategyName = keyof typeof AE_STRATEGIES;
export type CurveRowName = AeStrategyName | 'ced-transfer';
export const CURVE_ROWS: CurveRowName[] = [...(Object.keys(AE_STRATEGIES) as AeStrategyName[]), 'ced-transfer'];
