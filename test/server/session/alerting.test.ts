/**
 * A session without measured friction still warns: its slips come from the AE (the forecaster's
 * cycle restarts at each), found where the friction would have put them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openRecording, readRecordingStream } from '../../../recording/recording.ts';
import { SessionAlerting } from '../../../server/session/alerting.ts';
import type { AlertingModel } from '../../../shared/alerts/hazard.ts';
import { conditionRecording } from '../../../training/dataset.ts';
import { startFrame } from '../../helpers/frames.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const MINI = join(ROOT, 'fixtures', 'data', 'p4677-mini');

test('without friction in the stream, slips are found in the AE at the friction onsets and feed the forecaster', async () => {
  const model = JSON.parse(readFileSync(join(ROOT, 'trained-models', 'alerting', 'alerting-model.json'), 'utf8')) as AlertingModel;
  const rec = await openRecording(MINI);
  const channels = rec.meta.streams.ae.columns.map((c) => ({ name: c.name, unit: c.unit, scale: c.scale ?? 1 }));
  const alerting = new SessionAlerting(startFrame('ae-only', { aeChannels: channels, mech: undefined }), model);
  let seq = 0;
  for await (const b of readRecordingStream(rec, 'ae')) {
    const ae = Object.values(b.columns) as Int16Array[];
    const end = b.rowOffset + ae[0].length;
    alerting.push({ type: 'data', session: 'ae-only', seq: seq++, aeStartIndex: b.rowOffset, ae }, end / 10_000);
  }
  const truth = (await conditionRecording(MINI, 100)).failuresS.filter((t) => t < alerting.lastSampleS - 1.5);
  assert.ok(truth.length >= 3, `${truth.length} slips in the mini recording`);
  for (const t of truth) assert.ok(alerting.aeSlipsS.some((a) => Math.abs(a - t) < 0.3), `slip at ${t.toFixed(2)} s found in the AE: ${alerting.aeSlipsS.map((a) => a.toFixed(2)).join(', ')}`);
  assert.equal(alerting.aeSlipsS.length, truth.length, 'and nothing else');
  assert.ok(alerting.forecast !== null, 'the forecaster is past its warm-up (two slips) and forecasting');
});
