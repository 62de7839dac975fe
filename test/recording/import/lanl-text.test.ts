import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { importLanlText } from '../../../recording/lanl-text.ts';
import { describeImport } from '../../../recording/import/csv.ts';
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
  await assert.rejects(importLanlText(path, join(root, 'refused'), 'p_test'), /p25000\.txt:24: time \(column 5\) is "<missing>", not a number \(--skip-bad-rows/);
  const res = await importLanlText(path, dir, 'p_test', { batchRows: 4096, skipBadRows: true });
  assert.equal(res.rows, 25_000);
  assert.deepEqual(res.skipped, { count: 1, rows: [24] });
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
  await assert.rejects(importLanlText(path, join(root, 'narrow'), 'x'), /narrow\.txt: time column 5 does not exist \(the first data row has 3 unnamed columns \(0-2\)\)/);
});

/** The LANL layout with rows given as [shear, normal, time]. */
function lanlRowsFile(name: string, rows: [number, number, number][]): string {
  const lines = ['p', 'h', 'u', '-', '-', ...rows.map(([s, n, t], i) => `${i} 0.0 ${s} 5.0 ${n} ${t}`)];
  const path = join(root, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

test('the LANL importer refuses what the wave-1 importer accepted: time backwards, negative normal stress, wrong columns', async () => {
  const ok = (t: number): [number, number, number] => [1.8, 3, t];
  const backwards = lanlRowsFile('back.txt', [ok(0), ok(0.001), ok(0.002), ok(0.0015), ok(0.003)]);
  await assert.rejects(importLanlText(backwards, join(root, 'back'), 'x'), /back\.txt:9: time goes backwards: 0\.0015 s after 0\.002 s/);
  const negative = lanlRowsFile('neg.txt', [ok(0), ok(0.001), [1.8, -3, 0.002], ok(0.003)]);
  await assert.rejects(importLanlText(negative, join(root, 'neg'), 'x'), /neg\.txt:8: normal stress -3: must be > 0 MPa/);
  // time and stress swapped (the Penn State CSV read with LANL columns): the "times" do not increase
  const swapped = lanlRowsFile('swap.txt', [[1.8, 3, 0.5], [1.8, 3, 0.4], [1.8, 3, 0.45]]);
  await assert.rejects(importLanlText(swapped, join(root, 'swap'), 'x'), /swap\.txt:7: time goes backwards/);
  const gap = lanlRowsFile('gap.txt', [ok(0), ok(0.001), ok(0.002), ok(0.01), ok(0.011)]);
  await assert.rejects(importLanlText(gap, join(root, 'gap'), 'x'), /gap\.txt:9: gap in time: a step of 0\.008000 s where the nominal step is 0\.001000 s/);
});

test('many load levels are kept in the recording but summarised in the report, and every level ends after it starts', async () => {
  const rows: [number, number, number][] = [];
  for (let i = 0; i < 40_000; i++) rows.push([1.8, 3 + Math.floor(i / 1000), i / 100]); // 40 levels of 10 s
  const res = await importLanlText(lanlRowsFile('steps.txt', rows), join(root, 'steps'), 'steps');
  assert.equal(res.schedule.length, 40);
  assert.ok(res.schedule.every((l) => l.endS > l.startS));
  const report = describeImport(res).join('\n');
  assert.match(report, /normal-stress levels: 3 MPa \(0\.0-10\.0 s\), 4 MPa \(10\.0-20\.0 s\), 5 MPa .* and 36 more/);
  assert.ok(report.length < 1000, `report is ${report.length} characters`);
});
