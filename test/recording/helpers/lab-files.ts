/**
 * Lab files in the formats users bring, written from a generated recording or synthesised, for
 * the importer tests and benchmarks: a Penn State style CSV (10 Hz: shear stress, AE variance of
 * each channel, TTF; no normal stress) and Kaggle LANL raw files of any size.
 */
import { createWriteStream, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { detectFailures, timeToFailure } from '../../../shared/labels.ts';
import { openRecording, readRecordingStream } from '../../../recording/recording.ts';

/** A recording's AE reduced to variances over 1 / rateHz blocks, shear stress sampled per block, TTF labels: the Penn State CSV layout. */
export async function psuCsvFrom(dir: string, path: string, rateHz = 10): Promise<{ rows: number }> {
  const rec = await openRecording(dir);
  const ae = rec.meta.streams.ae;
  const aeCols = ae.columns.filter((c) => c.quantity === 'acoustic-emission');
  const block = ae.sampleRateHz / rateHz;
  const sums = aeCols.map(() => [] as number[]);
  const acc = aeCols.map(() => 0);
  let n = 0;
  for await (const b of readRecordingStream(rec, 'ae'))
    for (let i = 0; i < b.rows; i++) {
      aeCols.forEach((c, k) => (acc[k] += (b.columns[c.name][i] * (c.scale ?? 1)) ** 2));
      if (++n === block) {
        aeCols.forEach((_, k) => (sums[k].push(acc[k] / block), (acc[k] = 0)));
        n = 0;
      }
    }
  const mech = rec.meta.streams.mech;
  const shear = new Float32Array(rec.streams.mech.rows);
  const mu = new Float32Array(rec.streams.mech.rows);
  for await (const b of readRecordingStream(rec, 'mech')) {
    shear.set(b.columns.shear_stress_MPa, b.rowOffset);
    mu.set(b.columns.mu, b.rowOffset);
  }
  const onsets = detectFailures(mu, mech.sampleRateHz, mech.startTimeS).map((e) => e.onsetTimeS);
  const rows = sums[0].length;
  const ttf = timeToFailure(onsets, Math.round(ae.startTimeS * rateHz), rateHz, rows);
  const lines = [',LPDisp,ShearStress,Time,AE_var_1,AE_var_2,TTF'];
  for (let k = 0; k < rows; k++) {
    const t = ae.startTimeS + (k + 0.5) / rateHz; // the block's centre
    const j = Math.min(shear.length - 1, Math.max(0, Math.round((t - mech.startTimeS) * mech.sampleRateHz)));
    if (!Number.isFinite(ttf[k])) break;
    lines.push([k, (k * 0.001).toFixed(4), shear[j].toFixed(5), t.toFixed(2), ...sums.map((s) => s[k].toExponential(5)), ttf[k].toFixed(3)].join(','));
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return { rows: lines.length - 1 };
}

/** A Kaggle LANL raw file of about `megabytes` MB: bursts of 4096 noisy counts, TTF counting down over 8 s cycles. */
export async function kaggleFileOf(path: string, megabytes: number): Promise<{ rows: number; bytes: number }> {
  const out = createWriteStream(path);
  out.write('acoustic_data,time_to_failure\n');
  let bytes = 30;
  let rows = 0;
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let burst = 0; bytes < megabytes * 1e6; burst++) {
    const t = burst * 0.0011;
    const lines: string[] = [];
    for (let j = 0; j < 4096; j++) {
      const ttf = 8 - (t % 8) - j * 1e-9;
      lines.push(`${Math.round(4 + 20 * (rand() - 0.5))},${ttf.toFixed(10)}`);
    }
    const chunk = `${lines.join('\n')}\n`;
    bytes += chunk.length;
    rows += 4096;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { rows, bytes };
}
