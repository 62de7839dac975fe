/** Protocol frames shared by the tests. */
import { PROTOCOL_VERSION, type StartFrame } from '../../shared/protocol/frames.ts';

export function startFrame(session: string, overrides: Partial<StartFrame> = {}): StartFrame {
  return {
    type: 'start',
    protocol: PROTOCOL_VERSION,
    session,
    experimentId: 'test-rig',
    aeRateHz: 10_000,
    aeType: 'int16',
    aeChannels: [
      { name: 'ae0', unit: 'counts', scale: 10 / 32768 },
      { name: 'ae1', unit: 'counts', scale: 10 / 32768 },
    ],
    mech: { rateHz: 1000, channels: ['mu'] },
    preset: '2s',
    ...overrides,
  };
}
