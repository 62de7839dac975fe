/**
 * The models a session serves, one per target, each behind a SwitchableModel so that live
 * adaptation can swap an adapted model in (adaptation.ts decides; this applies it, tells the
 * dashboards with an `adapted` frame, and says in /status which version each target serves).
 */
import type { ServingModel } from '../../pipeline/pipeline.ts';
import type { AdaptedFrame } from '../../shared/protocol/frames.ts';
import { windowGeometry } from '../../shared/signal/window-preset.ts';
import type { AdaptationReport, SessionAdaptation } from './adaptation.ts';
import type { SessionNormalisation } from './live-normalisation.ts';
import { SwitchableModel } from './switchable-model.ts';

/** Which model a session serves for a target (/status). */
export interface ServedModelInfo {
  name: string;
  /** 0: as loaded; 1: adapted */
  version: number;
  adapted: boolean;
  /** the adapted model's folder in the session's archive directory */
  dir?: string;
  /** where its normalisation statistics come from */
  statistics: SessionNormalisation['source'] | { input: string; output: string };
  adaptation: SessionAdaptation['state'] | 'off';
}

export class ServedModels {
  readonly byTarget: Record<string, SwitchableModel> = {};
  /** the adapted models' inference workers still open */
  private readonly adapted: (ServingModel & { close(): Promise<void> })[] = [];
  private readonly dirs: Record<string, string> = {};

  constructor(private readonly session: string) {}

  /** The pipeline's model for a target: the served one, swappable. */
  wrap(served: ServingModel): SwitchableModel {
    const model = new SwitchableModel(served, windowGeometry(served.manifest.preset).stepSamples);
    // an adapted model replaced by a newer one: its worker closes once its last batch is answered
    model.onRetired = (m) => {
      const k = this.adapted.findIndex((a) => a === m);
      if (k >= 0) void this.adapted.splice(k, 1)[0].close();
    };
    this.byTarget[served.manifest.target] = model;
    return model;
  }

  /** An adaptation's outcome: the adapted model swapped in at the next window when it scored better; the frame either way. */
  apply(r: AdaptationReport): AdaptedFrame {
    const sw = this.byTarget[r.target];
    const frame = (fromStartIndex: number | null, swapped: boolean): AdaptedFrame => ({
      type: 'adapted',
      session: this.session,
      target: r.target,
      fromStartIndex,
      rateHz: sw?.manifest.preset.sampleRateHz ?? 0,
      cycles: r.cycles,
      before: { r2: r.outcome?.before.r2 ?? Number.NaN },
      after: { r2: r.outcome?.after.r2 ?? Number.NaN },
      swapped,
      ...(r.reason ? { reason: r.reason } : {}),
      ...(r.outcome ? { trainS: r.outcome.seconds } : {}),
    });
    if (!r.model || !sw) return frame(null, false);
    this.adapted.push(r.model);
    this.dirs[r.target] = r.dir!;
    return frame(sw.swap(r.model), true);
  }

  /** The folder of the adapted model a target serves (undefined: the model it started with). */
  dirOf(target: string): string | undefined {
    return this.dirs[target];
  }

  /** Per target, what is served now. */
  info(normalisation: Record<string, SessionNormalisation | { source: string }>, adaptation: SessionAdaptation | null): Record<string, ServedModelInfo> {
    const out: Record<string, ServedModelInfo> = {};
    for (const [target, sw] of Object.entries(this.byTarget)) {
      const n = normalisation[target];
      const statistics = n && 'input' in n ? n.source : { input: n?.source ?? 'manifest', output: n?.source ?? 'manifest' };
      out[target] = { name: sw.serving.manifest.name, version: sw.version, adapted: sw.version > 0, ...(this.dirs[target] ? { dir: this.dirs[target] } : {}), statistics, adaptation: adaptation?.state ?? 'off' };
    }
    return out;
  }

  /** Stop the adapted models' inference workers (after the pipelines have flushed). */
  close(): Promise<void> {
    return Promise.all(this.adapted.map((m) => m.close())).then(() => undefined);
  }
}
