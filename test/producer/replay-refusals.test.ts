/**
 * `npm run replay` on recordings a producer cannot stream (issue 13: a mechanical-only import
 * failed with "Cannot read properties of undefined (reading 'columns')"): each is refused before
 * any connection, with what the recording holds and what to do instead.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importCsv } from '../../recording/import/csv.ts';
import { replay } from '../../producer/replay.ts';

/** A 10 Hz table: time, shear stress, and an AE variance column. */
function table(dir: string): string {
  const path = join(dir, 'lab.csv');
  const rows = ['time_s,shear_MPa,ae_var'];
  for (let i = 0; i < 200; i++) rows.push(`${(i / 10).toFixed(1)},${(1.5 + 0.1 * Math.sin(i / 7)).toFixed(4)},${(1 + (i % 13)).toFixed(1)}`);
  writeFileSync(path, rows.join('\n'));
  return path;
}

// nothing listens here: a refusal must come before any connection attempt
const NOWHERE = 'ws://127.0.0.1:9/ingest';

test('a mechanical-only recording is refused with what it holds', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-replay-'));
  const out = join(dir, 'mech');
  await importCsv(table(dir), out, { experimentId: 'mech-only', from: 'csv', time: 'time_s', shear: 'shear_MPa', normalStressMPa: 2.5 });
  await assert.rejects(replay({ recordingDir: out, url: NOWHERE, token: 't', session: 'mech-only', speed: 'max' }), /no AE stream to replay \(the recording has mech: .*friction.*\); a mechanical-only recording can be trained on and evaluated/);
});

test('an AE-variance recording is refused: the live protocol streams waveforms', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-replay-'));
  const out = join(dir, 'feature');
  await importCsv(table(dir), out, { experimentId: 'feature', from: 'csv', time: 'time_s', shear: 'shear_MPa', normalStressMPa: 2.5, aeVariance: ['ae_var'] });
  await assert.rejects(replay({ recordingDir: out, url: NOWHERE, token: 't', session: 'feature', speed: 'max' }), /its AE is a variance series, not a waveform/);
});
