/**
 * A session archive declares what its AE is: waveform channels, or (a start frame with aeKind
 * 'variance') an AE variance series, so that training reads it back in feature mode and the
 * replay client refuses to stream it as a waveform.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { streamsFor } from '../../server/ingest/archive-streams.ts';
import { startFrame } from '../helpers/frames.ts';

test('an archived AE stream is declared waveform or variance as the start frame says', () => {
  const quantities = (s: ReturnType<typeof streamsFor>) => s.ae.columns.map((c) => c.quantity);
  assert.deepEqual(quantities(streamsFor(startFrame('w'))), ['acoustic-emission', 'acoustic-emission']);
  assert.deepEqual(quantities(streamsFor({ ...startFrame('v'), aeKind: 'variance' })), ['acoustic-emission-variance', 'acoustic-emission-variance']);
});
