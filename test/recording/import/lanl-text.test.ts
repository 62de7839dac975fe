import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { importLanlText } from '../../../recording/lanl-text.ts';
import { readWholeStream } from '../../../recording/arrow-stream.ts';
import { openRecording } from '../../../recording/recording.ts';

const root = mkdtempSync(join(tmpdir(), 'slipwatch-lanl-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A file in the LANL layout: 5 header lines; Rec#, LP_Disp, Shear, Nor_Disp, Normal, Time. */
function lanlFile(rows: number, rateHz: number): string {
  const lines = ['p_test', 'Rec_num LP_Disp Shr_stress nor_disp Nor_stress Time', 'no um MPa um MPa s', '-', '-'];
  for (let i = 0; i < rows; i++) {
    const t = 10 + i / rateHz;
    const normal = t < 20 ? 3 : 4; // a load step at 20 s
    const shear = normal * (0.6 + 0.01 * Math.sin(i / 50));
    lines.push([i, (i * 0.01).toFixed(3), shear.toFixed(6), '5.0', normal.toFixed(4), t.toFixed(4)].join('\t'));
    if (i === 17) lines.push('-- a corrupted row --'); // real files have the odd broken line
  }
  const path = join(root, `p${rows}.txt`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

test('a LANL mechanical text file imports as a mech stream with mu, rate and load levels', async () => {
  const path = lanlFile(25_000, 1000);
  const dir = join(root, 'imported');
  const res = await importLanlText(path, dir, 'p_test', { batchRows: 4096 });
  assert.equal(res.rows, 25_000);
  assert.equal(res.skippedLines, 1);
  assert.ok(Math.abs(res.sampleRateHz - 1000) < 1e-6);
  assert.equal(res.startTimeS, 10);
  assert.deepEqual(
    res.schedule.map((l) => l.normalStressMPa),
    [3, 4],
  );
  assert.ok(Math.abs(res.schedule[1].startS - 20) < 0.002);
  const rec = await openRecording(dir);
  assert.equal(rec.meta.source.kind, 'import');
  assert.equal(rec.streams.mech.rows, 25_000);
  const { columns } = await readWholeStream(join(dir, 'mech.arrows'));
  for (const i of [0, 123, 9_999, 10_000, 24_999]) {
    const expected = 0.6 + 0.01 * Math.sin(i / 50);
    assert.ok(Math.abs(columns.mu[i] - expected) < 1e-5, `mu[${i}] = ${columns.mu[i]}, expected ${expected}`);
    assert.ok(Math.abs(columns.time_s[i] - (10 + i / 1000)) < 1e-9);
  }
});

test('a file with too few columns is refused with the column numbers in the message', async () => {
  const path = join(root, 'narrow.txt');
  writeFileSync(path, 'a\nb\nc\nd\ne\n1 2 3\n4 5 6\n');
  await assert.rejects(importLanlText(path, join(root, 'narrow'), 'x'), /3 columns, but column 5 is needed/);
});
