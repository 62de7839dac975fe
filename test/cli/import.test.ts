import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readWholeStream } from '../../recording/arrow-stream.ts';
import { openRecording } from '../../recording/recording.ts';

const root = join(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'slipwatch-import-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'cli', 'import.ts'), ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
function file(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

/** A Penn State style CSV at 10 Hz: index, LP displacement, shear stress, time, AE variance x2, TTF; slips every 8 s. */
function psuText(rows: number): string {
  const lines = [',LPDisp,Shear Stress (MPa),Time (s),AE_var_1,AE_var_2,TTF'];
  for (let i = 0; i < rows; i++) {
    const t = 100 + i / 10;
    const phase = (t % 8) / 8;
    lines.push([i, (i * 0.1).toFixed(2), (5 + 0.2 * phase).toFixed(5), t.toFixed(1), (1e-4 * (1 + 9 * phase ** 4)).toExponential(4), (2e-4 * (1 + 9 * phase ** 4)).toExponential(4), (8 - (t % 8)).toFixed(2)].join(','));
  }
  return `${lines.join('\n')}\n`;
}

test('psu: columns found by header name; shear stress and two AE variance channels at 10 Hz; failures from the TTF labels', async () => {
  const out = join(tmp, 'psu');
  const r = run(file('p4679.csv', psuText(400)), '--format', 'psu', '--out', out);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /p4679: 400 rows at 10 Hz from 100 s \(40\.0 s\)/);
  assert.match(r.out, /stream ae: ae0_variance, ae1_variance/);
  assert.match(r.out, /normal-stress levels: unknown/);
  assert.match(r.out, /note: no normal stress: friction is unknown; training uses the shear stress/);
  const rec = await openRecording(out);
  assert.deepEqual(rec.meta.streams.mech.columns.map((c) => c.name), ['time_s', 'shear_stress_MPa']);
  assert.equal(rec.meta.streams.ae.columns[0].quantity, 'acoustic-emission-variance');
  assert.deepEqual(rec.meta.failuresS?.map((t) => Math.round(t * 10) / 10), [104, 112, 120, 128, 136, 144]);
  const { columns } = await readWholeStream(join(out, 'ae.arrows'));
  assert.ok(Math.abs(columns.ae1_variance[0] - 2e-4 * (1 + 9 * 0.5 ** 4)) < 1e-9); // t = 100 s is half way through a cycle
});

test('csv: no time column with --rate-hz, a constant normal stress, friction computed; RMS channels stored squared', async () => {
  const text = `${Array.from({ length: 50 }, (_, i) => `${(3 + 0.01 * i).toFixed(3)};${(0.5 + i / 100).toFixed(3)}`).join('\n')}\n`;
  const out = join(tmp, 'csv');
  const r = run(file('slider.txt', text), '--format', 'csv', '--rate-hz', '4', '--shear-col', '0', '--ae-rms-cols', '1', '--normal-stress-mpa', '5', '--out', out);
  assert.equal(r.code, 0, r.err);
  const { columns } = await readWholeStream(join(out, 'mech.arrows'));
  assert.ok(Math.abs(columns.mu[10] - 3.1 / 5) < 1e-6);
  assert.ok(Math.abs(columns.time_s[10] - 2.5) < 1e-12);
  const ae = await readWholeStream(join(out, 'ae.arrows'));
  assert.ok(Math.abs(ae.columns.ae0_variance[10] - 0.6 ** 2) < 1e-6);
});

test('every malformed file is refused in one line with its row and reason, and nothing is written', () => {
  const good = 'time,shear,normal\n0,1,3\n0.1,1,3\n0.2,1,3\n0.3,1,3\n';
  const cases: [string, string, string[], RegExp][] = [
    ['backwards.csv', 'time,shear,normal\n0,1,3\n0.1,1,3\n0.05,1,3\n', [], /backwards\.csv:4: time goes backwards: 0\.05 s after 0\.1 s/],
    ['cell.csv', 'time,shear,normal\n0,1,3\n0.1,x,3\n', [], /cell\.csv:3: shear stress \(column 1\) is "x", not a number/],
    ['zero.csv', 'time,shear,normal\n0,1,3\n0.1,1,0\n', [], /zero\.csv:3: normal stress 0: must be > 0 MPa/],
    ['nocol.csv', good, ['--shear-col', 'tau'], /nocol\.csv: shear stress column "tau" does not exist \(columns: 0 "time", 1 "shear", 2 "normal"\)/],
    ['rate.csv', good, ['--rate-hz', '100'], /rate\.csv: --rate-hz 100 disagrees with the time column \(median step 0\.1 s, i\.e\. 10 Hz\)/],
    ['empty.csv', '', [], /empty\.csv: the file is empty/],
  ];
  for (const [name, text, extra, re] of cases) {
    const out = join(tmp, `${name}.rec`);
    const r = run(file(name, text), '--format', 'csv', '--time-col', 'time', '--shear-col', 'shear', '--normal-col', 'normal', ...extra, '--out', out);
    assert.equal(r.code, 1, `${name}: ${r.out}`);
    assert.match(r.err, re);
    assert.equal(r.err.trim().split('\n').length, 1, `${name}: one line: ${r.err}`);
    assert.ok(!existsSync(out), `${name}: nothing written`);
  }
  const psu = run(file('nohdr.csv', '1,2,3\n4,5,6\n'), '--format', 'psu', '--out', join(tmp, 'x'));
  assert.match(psu.err, /nohdr\.csv: a Penn State CSV has a header row/);
  assert.match(run('--format', 'csv').err, /give exactly one input FILE/);
  assert.match(run(file('a.csv', good), '--format', 'xls', '--out', tmp).err, /--format must be one of psu, kaggle, csv, lanl, got "xls"/);
});
