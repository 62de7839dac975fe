/**
 * Which of the server's models a session predicts with: the kind of AE it streams (waveform or a
 * variance series), its window preset (named, or the one most models use) and the names it gives;
 * and whether its AE rate can feed them.
 */
import type { ServingModel } from '../../pipeline/pipeline.ts';
import { type AeKind, ProtocolError, type StartFrame } from '../../shared/protocol/frames.ts';

/**
 * The models a session predicts with: those of its window preset, or the ones it names. Throws
 * a ProtocolError the producer sees when a name is unknown or nothing fits.
 */
export function modelsFor(start: StartFrame, models: ServingModel[]): ServingModel[] {
  const kind = start.aeKind ?? 'waveform';
  const fit = models.filter((m) => takesAe(m, kind));
  if (models.length > 0 && fit.length === 0)
    throw new ProtocolError('bad-frame', `no model takes ${kind} AE: the server's models condition ${[...new Set(models.map((m) => m.manifest.input?.conditioning))].join(', ')} (a variance stream needs a model cross-trained on AE features, docs/import.md)`);
  const usable = modelsOfChoice(start, fit);
  for (const m of usable) {
    const rate = m.manifest.preset.sampleRateHz;
    // a variance series may be slower than the model rate: the feature conditioning interpolates it
    const ok = Number.isInteger(start.aeRateHz / rate) || (kind === 'variance' && Number.isInteger(rate / start.aeRateHz));
    if (!ok) throw new ProtocolError('wrong-rate', `the AE rate ${start.aeRateHz} Hz must be a whole multiple of preset ${m.manifest.preset.id}'s ${rate} Hz${kind === 'variance' ? ' or a whole fraction of it' : ''}`);
  }
  return usable;
}

/** Whether a model takes a session's kind of AE: feature-mode models a variance series, the others waveforms. */
export function takesAe(m: ServingModel, kind: AeKind): boolean {
  return (m.manifest.input?.conditioning === 'feature') === (kind === 'variance');
}

/**
 * The preset of a session that names none: the one most of its models use; on a tie the longest
 * windows (seed 000's 2 s windows before its 0.4 s ones for tiny data, which see less of a cycle).
 */
export function defaultPreset(models: readonly ServingModel[]): string | undefined {
  const count = new Map<string, { n: number; windowS: number }>();
  for (const m of models) {
    const p = m.manifest.preset;
    count.set(p.id, { n: (count.get(p.id)?.n ?? 0) + 1, windowS: p.windowS });
  }
  return [...count].sort(([, a], [, b]) => b.n - a.n || b.windowS - a.windowS)[0]?.[0];
}

/** The models a preset and a list of names choose (no AE rate yet: REST replays check this before starting). */
export function modelsOfChoice(start: Pick<StartFrame, 'preset' | 'models'>, models: ServingModel[]): ServingModel[] {
  const unknown = (start.models ?? []).filter((n) => !models.some((m) => m.manifest.name === n));
  if (unknown.length) throw new ProtocolError('bad-frame', `no model named ${unknown.join(', ')}; the server has ${models.map((m) => m.manifest.name).join(', ') || 'none'}`);
  const named = models.filter((m) => !start.models || start.models.includes(m.manifest.name));
  const preset = start.preset ?? defaultPreset(named);
  const usable = named.filter((m) => m.manifest.preset.id === preset);
  if (models.length > 0 && usable.length === 0)
    throw new ProtocolError('bad-frame', `no model for preset ${preset}${start.models ? ` among ${start.models.join(', ')}` : ''}; the server's models use ${[...new Set(models.map((m) => m.manifest.preset.id))].join(', ')}`);
  return usable;
}
