import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { conditionRecording } from '../../training/dataset.ts';

const root = join(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'slipwatch-feature-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function cli(script: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'cli', script), ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** 120 s of a Penn State style CSV at 10 Hz: shear loads for 8 s and drops 0.2 MPa; AE variance grows towards each slip. */
function psuFile(): string {
  const lines = [',LPDisp,Shear Stress (MPa),Time (s),AE_var_1,AE_var_2,TTF'];
  for (let i = 0; i < 1200; i++) {
    const t = i / 10;
    const phase = (t % 8) / 8;
    const v = 1e-6 * (1 + 30 * phase ** 3) * (1 + 0.1 * Math.sin(i * 1.7));
    lines.push([i, (i * 0.1).toFixed(2), (5 + 0.2 * phase).toFixed(5), t.toFixed(1), v.toExponential(5), (0.5 * v).toExponential(5), (8 - (t % 8)).toFixed(2)].join(','));
  }
  const path = join(tmp, 'psu.csv');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

test('an AE-feature recording (10 Hz variances, shear stress only) is conditioned, cross-trained from an envelope model, and evaluated on a later span', async () => {
  const rec = join(tmp, 'psu');
  assert.equal(cli('import.ts', psuFile(), '--format', 'psu', '--out', rec).code, 0);
  const r = await conditionRecording(rec, 100);
  assert.equal(r.conditioning, 'feature');
  assert.equal(r.frictionSource, 'shear-stress');
  assert.equal(r.labelSource, 'shear-stress', 'labels from the shear-stress drops before the label column');
  assert.deepEqual(r.failuresS.slice(0, 3).map((t) => Math.round(t)), [8, 16, 24]);
  assert.ok(Math.abs(r.mu[Math.round(4 * 100) - r.startIndex] - 5.1) < 0.01, 'the friction target is the shear stress, MPa');

  const out = join(tmp, 'model');
  const train = cli('train.ts', '--strategy', 'cross-train', '--from', join(root, 'trained-models', 'friction'), '--train-on', `${rec}@0-40%`, '--validate-on', `${rec}@40-60%`, '--epochs', '1', '--out', out);
  assert.equal(train.code, 0, train.err);
  assert.match(train.err, /training windows \(psu 0\.0-48\.0 s, feature AE, target shear-stress\) and \d+ validation windows \(psu 48\.0-71\.9 s\)/);
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  assert.equal(manifest.input.conditioning, 'feature');
  assert.ok(Math.abs(manifest.output.stats.mean - 5.1) < 0.05, 'output statistics from the training span (shear stress)');
  assert.deepEqual(manifest.training.trainedOn.slice(-1), [`${rec}@0-40%`]);

  const json = join(tmp, 'scores.json');
  const models = join(tmp, 'models');
  spawnSync('mkdir', ['-p', models]);
  spawnSync('cp', ['-r', out, join(models, 'feature')]);
  spawnSync('cp', ['-r', join(root, 'trained-models', 'friction'), join(models, 'envelope')]);
  const ev = cli('evaluate.ts', '--models', models, '--test-on', `${rec}@60-100%`, '--no-alerts', '--json', json);
  assert.equal(ev.code, 0, ev.err);
  const scores = JSON.parse(readFileSync(json, 'utf8'));
  const row = scores.scores.find((s: { model: string }) => s.model === 'cross-train-friction');
  assert.equal(row.testedOn, 'psu 71.9-119.9 s');
  assert.ok(Number.isFinite(row.served.r2) && row.served.mae < 0.2, `served MAE ${row.served.mae} MPa`);
  assert.match(scores.skipped.join('\n'), /envelope: .*conditions its AE in envelope mode; .* needs feature/);
  assert.match(ev.out, /cross-train-friction +friction +psu 71\.9-119\.9 s/);
});
