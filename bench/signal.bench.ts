/**
 * Signal-core speed: per-window cost of conditioning, CWT and inverse CWT at both presets, the
 * same CWT in numpy (when python3 + numpy are on the machine, measured in this run), the
 * compute-once-per-stream alternative, and the real-time factor of the whole signal path on p4677.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { experiments } from '../fixtures/experiments.ts';
import { generateExperiment } from '../fixtures/generate.ts';
import { openRecording, readRecordingStream } from '../recording/recording.ts';
import { Conditioner } from '../shared/signal/condition.ts';
import { CwtPlan } from '../shared/signal/cwt.ts';
import { nextPow2 } from '../shared/signal/fft.ts';
import { normalise } from '../shared/signal/normalise.ts';
import { OverlapAverager } from '../shared/signal/overlap-average.ts';
import { SlidingWindows } from '../shared/signal/sliding-windows.ts';
import { scalesFor, waveletByName } from '../shared/signal/wavelets.ts';
import { presetById } from '../training/presets.ts';
import { type WindowPreset, windowGeometry } from '../shared/signal/window-preset.ts';
import { Rng } from '../shared/random.ts';

/** Median of several timed repetitions of fn, in ms per call. */
function timeMs(fn: () => void, calls: number, repeats = 7): number {
  for (let i = 0; i < Math.min(calls, 200); i++) fn(); // warm up the JIT
  const runs: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    runs.push((performance.now() - t0) / calls);
  }
  runs.sort((a, b) => a - b);
  return runs[runs.length >> 1];
}

function planOf(p: WindowPreset, n = windowGeometry(p).windowSamples, engine: 'auto' | 'js' = 'auto'): CwtPlan {
  const wavelet = waveletByName(p.wavelet);
  const { scalesS, dj } = scalesFor(p.scales, wavelet);
  return new CwtPlan({ n, dtS: 1 / p.sampleRateHz, scalesS, dj, wavelet, engine });
}

/**
 * The same DOG-2 CWT (T&C normalisation, same FFT length and scales) in numpy with its fastest
 * fit (batched rfft / irfft over all scales), ms per window.
 */
function numpyCwtMs(n: number, fftLength: number, scalesS: Float64Array, dtS: number): number | string {
  const script = `
import json, sys, time, numpy as np
n, N, dt = ${n}, ${fftLength}, ${dtS}
s = np.array(${JSON.stringify(Array.from(scalesS))})
k = np.fft.rfftfreq(N) * 2 * np.pi / dt
sw = np.outer(s, k)
bank = np.sqrt(2 * np.pi * s / dt)[:, None] * (sw ** 2) * np.exp(-sw ** 2 / 2) / np.sqrt(1.329340388179137)
x = np.random.default_rng(1).standard_normal(n)
def cwt(x):
    # the wavelet is real and even, so the real-input / real-output transforms suffice
    X = np.fft.rfft(x, N)
    return np.fft.irfft(X[None, :] * bank, n=N, axis=1)[:, :n].astype(np.float32)
for _ in range(50): cwt(x)
runs = []
for _ in range(7):
    t0 = time.perf_counter()
    for _ in range(${n > 1000 ? 50 : 500}): cwt(x)
    runs.append((time.perf_counter() - t0) / ${n > 1000 ? 50 : 500} * 1000)
print(json.dumps({"ms": sorted(runs)[3], "numpy": np.__version__}))
`;
  const r = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
  if (r.status !== 0) return 'numpy not available';
  return JSON.parse(r.stdout).ms as number;
}

export async function benchSignal(): Promise<string> {
  const out: string[] = [];
  const rng = new Rng(1);
  out.push('### Per window (median of 7 runs)\n');
  out.push('| preset | window | step | conditioning per step (10 kHz x 2 ch AE) | CWT, 64 scales: SIMD engine | JS engine | numpy (batched rfft/irfft) | numpy / SIMD | inverse CWT |');
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  const cases: [string, WindowPreset, number][] = [
    ['2s', presetById('2s'), 200],
    ['0.4s', presetById('0.4s'), 200],
    ['2000-sample window', { ...presetById('2s'), id: '2s@1kHz', sampleRateHz: 1000, scales: { kind: 'periods', minPeriodS: 0.002, maxPeriodS: 2, count: 64 } }, 2000],
  ];
  for (const [label, p, n] of cases) {
    const plan = planOf(p, n);
    const jsPlan = planOf(p, n, 'js');
    const x = Float64Array.from({ length: n }, () => rng.normal());
    const w = new Float32Array(plan.scales * n);
    const y = new Float64Array(n);
    const cwt = timeMs(() => plan.transform(x, w), n > 1000 ? 100 : 2000);
    const cwtJs = timeMs(() => jsPlan.transform(x, w), n > 1000 ? 100 : 2000);
    const inv = timeMs(() => plan.inverse(w, y), n > 1000 ? 200 : 5000);
    const np = numpyCwtMs(n, plan.fftLength, plan.scalesS, plan.dtS);
    const stepS = p.stepS;
    let cond = Number.NaN;
    if (n === 200) {
      const c = new Conditioner({ inputRateHz: 10_000, outputRateHz: p.sampleRateHz, mode: 'envelope', channels: 2 });
      const raw = Math.round(stepS * 10_000);
      const a = Float32Array.from({ length: raw }, () => rng.normal() * 100);
      const b = Float32Array.from({ length: raw }, () => rng.normal() * 100);
      let pos = 0;
      cond = timeMs(() => {
        c.push(pos, [a, b]);
        pos += raw;
      }, 500);
    }
    const npText = typeof np === 'number' ? `${np.toFixed(3)} ms` : np;
    const ratio = typeof np === 'number' ? `${(np / cwt).toFixed(2)}` : '-';
    out.push(
      `| ${label} | ${n} | ${Math.round(p.stepS * p.sampleRateHz)} | ${Number.isNaN(cond) ? '-' : `${cond.toFixed(3)} ms`} | ${cwt.toFixed(3)} ms (${plan.engine}, N=${plan.fftLength}) | ${cwtJs.toFixed(3)} ms | ${npText} | ${ratio} | ${inv.toFixed(4)} ms |`,
    );
  }

  // CWT once per stream vs once per window, on a 330 s series at 100 Hz
  const p = presetById('2s');
  const { windowSamples, stepSamples } = windowGeometry(p);
  const total = 330 * p.sampleRateHz;
  const series = Float64Array.from({ length: total }, () => rng.normal());
  const windows = Math.floor((total - windowSamples) / stepSamples) + 1;
  const perWindowPlan = planOf(p);
  const wbuf = new Float32Array(perWindowPlan.scales * windowSamples);
  const perWindowTotal = timeMs(() => {
    for (let k = 0; k < windows; k++) perWindowPlan.transform(series.subarray(k * stepSamples, k * stepSamples + windowSamples), wbuf);
  }, 1, 3);
  const streamPlan = planOf(p, total);
  const sbuf = new Float32Array(streamPlan.scales * total);
  const streamTotal = timeMs(() => streamPlan.transform(series, sbuf), 1, 3);
  out.push(`\n### CWT per window vs once over the stream (330 s at 100 Hz, 2 s / 0.2 s, ${windows} windows)\n`);
  out.push('| approach | total | per window |');
  out.push('|---|---:|---:|');
  out.push(`| one CWT per window (N=${perWindowPlan.fftLength}) | ${perWindowTotal.toFixed(1)} ms | ${(perWindowTotal / windows).toFixed(4)} ms |`);
  out.push(`| one CWT of the whole series, windows sliced (N=${nextPow2(total)}) | ${streamTotal.toFixed(1)} ms | ${(streamTotal / windows).toFixed(4)} ms |`);

  out.push('\n### Whole signal path on p4677 (330 s; read, condition, window, normalise, CWT, inverse CWT, overlap-average)\n');
  out.push(await realTimeFactor());
  return out.join('\n');
}

async function realTimeFactor(): Promise<string> {
  const dataDir = join(import.meta.dirname, '..', 'data', 'recordings', 'p4677');
  let tmp: string | undefined;
  let dir = dataDir;
  if (!existsSync(join(dataDir, 'recording.json'))) {
    tmp = mkdtempSync(join(tmpdir(), 'slipwatch-bench-'));
    dir = join(tmp, 'p4677');
    generateExperiment(experiments().p4677, dir);
  }
  try {
    const lines = ['| preset | windows | wall (s) | x real time | per window |', '|---|---:|---:|---:|---:|'];
    for (const id of ['2s', '0.4s']) {
      const p = presetById(id);
      const { windowSamples, stepSamples } = windowGeometry(p);
      const rec = await openRecording(dir);
      const ae = rec.meta.streams.ae;
      const plan = planOf(p);
      const t0 = performance.now();
      const cond = new Conditioner({ inputRateHz: ae.sampleRateHz, outputRateHz: p.sampleRateHz, mode: 'envelope', channels: 2, channelScales: ae.columns.map((c) => c.scale ?? 1) });
      const slider = new SlidingWindows(windowSamples, stepSamples);
      const avg = new OverlapAverager(windowSamples);
      const stats = { mean: 0.01, std: 0.05 }; // fixed: this times the path, not the statistics
      const w = new Float32Array(plan.scales * windowSamples);
      const y = new Float32Array(windowSamples);
      let count = 0;
      for await (const b of readRecordingStream(rec, 'ae')) {
        for (const chunk of cond.push(b.rowOffset, [b.columns.ae0_counts, b.columns.ae1_counts])) {
          if (chunk.kind !== 'samples') continue;
          for (const win of slider.push(chunk.startIndex, chunk.values)) {
            normalise(win.values, stats, win.values);
            plan.transform(win.values, w);
            plan.inverse(w, y);
            avg.add(win.startIndex, y);
            count++;
          }
        }
      }
      avg.flush();
      const wall = (performance.now() - t0) / 1000;
      lines.push(`| ${id} | ${count} | ${wall.toFixed(2)} | ${(rec.streams.ae.durationS / wall).toFixed(0)} | ${((wall * 1000) / count).toFixed(3)} ms |`);
    }
    return lines.join('\n');
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}
