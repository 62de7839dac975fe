import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { ConditionedRecording } from '../../training/dataset.ts';
import { parseSpan, spanRange } from '../../training/spans.ts';

const root = mkdtempSync(join(tmpdir(), 'slipwatch-spans-'));
after(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, 'lab'));
writeFileSync(join(root, 'lab', 'recording.json'), '{}');

test('spans: seconds or percent, a unit shared by both bounds, open ends, names or directories, and refusals', () => {
  const r = { id: 'lab', rateHz: 100, startIndex: 1000, ae: new Float32Array(10_000) } as ConditionedRecording; // 10-110 s
  assert.deepEqual(spanRange(r, parseSpan('lab@0-20%', root)), [0, 2000]);
  assert.deepEqual(spanRange(r, parseSpan('lab@40%-', root)), [4000, 10_000]);
  assert.deepEqual(spanRange(r, parseSpan('lab@20-30s', root)), [1000, 2000], 'seconds on the experiment clock');
  assert.deepEqual(spanRange(r, parseSpan('lab@20s-50%', root)), [1000, 5000]);
  assert.deepEqual(spanRange(r, parseSpan('lab', root)), [0, 10_000]);
  assert.deepEqual(spanRange(r, parseSpan(`${join(root, 'lab')}@-10%`, '/elsewhere')), [0, 1000]);
  assert.throws(() => spanRange(r, parseSpan('lab@200-300', root)), /lab@200-300: empty on lab, which spans 10\.0-110\.0 s/);
  assert.throws(() => parseSpan('nope@0-20%', root), /nope@0-20%: .*nope is not a recording/);
  assert.throws(() => parseSpan('lab@0-120%', root), /120% is over 100 %/);
  assert.throws(() => parseSpan('lab@a-b', root), /"a" is not seconds/);
});
