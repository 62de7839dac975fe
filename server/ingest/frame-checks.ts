/**
 * The checks of a data frame against its session (shared/protocol/ checked the frame alone): run
 * in full before anything is stored, so a frame is stored whole or not at all.
 */
import { type DataFrame, type MechChannel, ProtocolError } from '../../shared/protocol/frames.ts';
import type { Live } from './sessions.ts';

function fail(code: 'duplicate' | 'out-of-order' | 'bad-frame', message: string): never {
  throw new ProtocolError(code, message);
}

/** Throws a ProtocolError saying what is wrong and what the session expects. */
export function checkDataFrame(live: Live, f: DataFrame): void {
  const { start, archive } = live;
  const last = archive.lastAppendedSeq;
  if (f.seq <= last) fail('duplicate', `frame ${f.seq} is already stored (last ${last}); not stored again`);
  if (f.seq !== last + 1) fail('out-of-order', `frame ${f.seq} after ${last}; expected ${last + 1}`);
  if (f.ae.length !== start.aeChannels.length) fail('bad-frame', `${f.ae.length} AE channels, the session has ${start.aeChannels.length}`);
  const type = start.aeType === 'int16' ? Int16Array : Float32Array;
  if (!f.ae.every((a) => a instanceof type)) fail('bad-frame', `AE arrays must be ${type.name} (the session's aeType ${start.aeType})`);
  if (f.aeStartIndex !== archive.aeSamples) fail('bad-frame', `aeStartIndex ${f.aeStartIndex}, expected ${archive.aeSamples}: AE must be contiguous (a gap needs a new session)`);
  if (!f.mech) return;
  if (!start.mech) fail('bad-frame', 'mech sent, but the session declared no mechanical channels in its start frame');
  const names = Object.keys(f.mech.values) as MechChannel[];
  const unknown = names.filter((n) => !start.mech!.channels.includes(n));
  if (unknown.length) fail('bad-frame', `mech.values.${unknown[0]} is not one of the session's mechanical channels (${start.mech.channels.join(', ')})`);
  if (names.length && f.mech.startIndex !== archive.mechSamples)
    fail('bad-frame', `mech.startIndex ${f.mech.startIndex}, expected ${archive.mechSamples}: mechanical samples must be contiguous`);
}
