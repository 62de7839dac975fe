import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readWholeStream } from '../../../recording/arrow-stream.ts';
import { importKaggle } from '../../../recording/import/kaggle.ts';
import { segmentTtf } from '../../../recording/import/kaggle-bursts.ts';
import { openRecording } from '../../../recording/recording.ts';

const root = mkdtempSync(join(tmpdir(), 'slipwatch-kaggle-'));
after(() => rmSync(root, { recursive: true, force: true }));

const BURST = 64;
const PERIOD = 0.0011; // s between burst starts; the 64 samples last 16 us at 4 MHz
/**
 * A Kaggle-format file of `bursts` bursts: TTF counts down 1e-9 s per sample within a burst and
 * PERIOD between bursts, and resets at a failure in the middle of burst `failAt`.
 */
function kaggleFile(name: string, bursts: number, failAt: number): { path: string; ae: number[]; ttf: number[]; failureS: number } {
  const ae: number[] = [];
  const ttf: number[] = [];
  let t0 = 0.05; // first cycle's failure at 0.05 s
  let failureS = 0;
  for (let b = 0; b < bursts; b++) {
    for (let j = 0; j < BURST; j++) {
      if (b === failAt && j === BURST / 2) {
        failureS = b * PERIOD + (j - 1) * 1e-9 + (t0 - b * PERIOD - (j - 1) * 1e-9);
        t0 = 0.3;
      }
      ae.push(((b * 7919 + j * 104729) % 4001) - 2000);
      ttf.push(Number((t0 - b * PERIOD - j * 1e-9).toFixed(10)));
    }
  }
  const path = join(root, name);
  writeFileSync(path, `acoustic_data,time_to_failure\n${ae.map((a, i) => `${a},${ttf[i]}`).join('\n')}\n`);
  return { path, ae, ttf, failureS };
}

test('a Kaggle file of a few bursts round-trips its samples, its burst structure and its labels', async () => {
  const f = kaggleFile('train.csv', 12, 7);
  const dir = join(root, 'k');
  const r = await importKaggle(f.path, dir, { experimentId: 'k', burstSamples: BURST, chunkBytes: 700 }); // chunks split lines
  assert.equal(r.rows, 12 * BURST);
  assert.equal(r.bursts, 12);
  assert.equal(r.segments, 13, 'each burst, and the burst with the failure cut in two');
  assert.ok(Math.abs(r.burstPeriodS - PERIOD) < 1e-12);
  assert.equal(r.aeRateHz, Math.round(BURST / PERIOD / 1000) * 1000);
  const rec = await openRecording(dir);
  const { columns: ae } = await readWholeStream(join(dir, 'ae.arrows'));
  assert.deepEqual(Array.from(ae.ae0_counts), f.ae);
  const { columns: b } = await readWholeStream(join(dir, 'bursts.arrows'));
  const ttf: number[] = [];
  for (let s = 0; s < b.first_row.length; s++) {
    assert.equal(b.first_row[s], ttf.length, 'segments tile the rows');
    ttf.push(...segmentTtf({ firstRow: b.first_row[s], rows: b.rows[s], timeS: b.time_s[s], ttfFirstS: b.ttf_first_s[s], ttfLastS: b.ttf_last_s[s] }));
  }
  for (let i = 0; i < f.ttf.length; i++) assert.ok(Math.abs(ttf[i] - f.ttf[i]) < 1e-12, `row ${i}: ${ttf[i]} vs ${f.ttf[i]}`);
  assert.ok(r.maxInterpolationErrorS < 1e-12);
  // burst k of the first cycle starts at failure - TTF = k x PERIOD
  assert.ok(Math.abs(b.time_s[3] - 3 * PERIOD) < 1e-12);
  assert.equal(rec.meta.failuresS?.length, 2);
  assert.ok(Math.abs(rec.meta.failuresS![0] - 0.05) < 1e-9, `first failure ${rec.meta.failuresS![0]}`);
});

test('malformed Kaggle files are refused with the row and the reason, and leave nothing behind', async () => {
  const cases: [string, string, RegExp][] = [
    ['header.csv', 'acoustic,ttf\n1,2\n', /header.csv:1: the header is "acoustic,ttf", expected acoustic_data,time_to_failure/],
    ['cell.csv', 'acoustic_data,time_to_failure\n1,0.5\n2,abc\n', /cell.csv:3: time_to_failure is not a number: "2,abc"/],
    ['float.csv', 'acoustic_data,time_to_failure\n1.5,0.5\n', /float.csv:2: acoustic_data is not an integer/],
    ['big.csv', 'acoustic_data,time_to_failure\n40000,0.5\n', /big.csv:2: acoustic_data 40000 does not fit 16 bits/],
    ['negative.csv', 'acoustic_data,time_to_failure\n1,0.5\n1,-0.1\n', /negative.csv:3: time_to_failure -0.1 is negative/],
    ['rise.csv', 'acoustic_data,time_to_failure\n1,0.5\n1,0.6\n', /rise.csv:3: time_to_failure rises from 0.5 to 0.6 s without resetting/],
  ];
  for (const [name, text, re] of cases) {
    writeFileSync(join(root, name), text);
    await assert.rejects(importKaggle(join(root, name), join(root, `${name}.out`), { experimentId: 'x', burstSamples: 2, burstPeriodS: 1e-3 }), re);
    assert.ok(!existsSync(join(root, `${name}.out`)), `${name}: nothing left behind`);
  }
  const fast = kaggleFile('fast.csv', 4, 99);
  await assert.rejects(importKaggle(fast.path, join(root, 'fast'), { experimentId: 'x', burstSamples: BURST, sampleRateHz: 1000 }), /labels advance 0.0011\d* s per burst, less than the 0.064 s that 64 samples last at 1000 Hz/);
});
