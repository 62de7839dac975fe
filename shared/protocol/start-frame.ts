/**
 * The start frame's schema: one table of fields with their types and ranges, used to validate
 * every start frame and printed in docs/protocol.md (a test keeps the two equal). Everything a
 * start frame carries is stored in the session's recording.json, so nothing unbounded or
 * non-finite may pass: JSON would store Infinity as null and the archive could not be read back.
 */
import { AE_KINDS, type AeKind, MAX_CHANNELS, MECH_CHANNELS, type MechChannel, PROTOCOL_VERSION, ProtocolError, type StartFrame } from './frames.ts';
import { checkSessionName, SESSION_NAME_RULE } from './session-name.ts';

export const START_LIMITS = {
  experimentIdChars: 128,
  /** AE sample rate, Hz */
  aeRateHz: { min: 1, max: 50e6 },
  channelNameChars: 64,
  unitChars: 32,
  /** physical units per stored unit */
  scale: { min: 1e-15, max: 1e15 },
  /** mechanical channels' rate, Hz (the slip detector keeps a history sized by it) */
  mechRateHz: { min: 0.1, max: 100_000 },
  presetChars: 64,
  models: 16,
  modelNameChars: 128,
  /** experiment time of the first sample, s */
  experimentStartS: { min: 0, max: 1e9 },
  scheduleLevels: 256,
  /** a level's normal stress, MPa */
  normalStressMPa: { min: 0, max: 1e5 },
} as const;

const PRESET_RE = /^[A-Za-z0-9_.@/-]{1,64}$/;
const L = START_LIMITS;

/** The schema as the rows of docs/protocol.md's start-frame table: field | type | range. */
export const START_FRAME_SCHEMA: readonly [string, string, string][] = [
  ['type', '"start"', 'required'],
  ['protocol', 'integer', `${PROTOCOL_VERSION}`],
  ['session', 'string', SESSION_NAME_RULE],
  ['experimentId', 'string', `1-${L.experimentIdChars} characters`],
  ['aeRateHz', 'number', `finite, ${L.aeRateHz.min} to ${L.aeRateHz.max} Hz; a whole multiple of the preset's model rate (a variance stream: or a whole fraction of it)`],
  ['aeType', 'string', '"int16" or "float32" (the type of every data frame\'s AE arrays)'],
  ['aeChannels', 'array', `1-${MAX_CHANNELS} entries {name, unit, scale}`],
  ['aeChannels[].name', 'string', `1-${L.channelNameChars} characters`],
  ['aeChannels[].unit', 'string', `0-${L.unitChars} characters`],
  ['aeChannels[].scale', 'number', `finite, ${L.scale.min} to ${L.scale.max} (physical = stored x scale)`],
  ['aeKind', 'string, optional', `${AE_KINDS.map((k) => `"${k}"`).join(' or ')} (default "waveform"): AE waveforms, or AE already reduced to a variance series per channel (RMS squared), served by feature-mode models`],
  ['mech', 'map, optional', '{rateHz, channels}'],
  ['mech.rateHz', 'number', `finite, ${L.mechRateHz.min} to ${L.mechRateHz.max} Hz`],
  ['mech.channels', 'array', `1-${MECH_CHANNELS.length} distinct of ${MECH_CHANNELS.join(', ')}`],
  ['preset', 'string, optional', `1-${L.presetChars} of A-Z a-z 0-9 _ . @ / -; one of the server's models' presets (default: the preset most of the chosen models use; on a tie the longest windows, i.e. 2 s before 0.4 s)`],
  ['models', 'array, optional', `1-${L.models} names of the server's models, each 1-${L.modelNameChars} characters`],
  ['experimentStartS', 'number, optional', `finite, ${L.experimentStartS.min} to ${L.experimentStartS.max} s: experiment time of AE sample 0 (default 0)`],
  ['normalStressSchedule', 'array, optional', `0-${L.scheduleLevels} levels {startS, endS, normalStressMPa} in experiment time, each startS < endS`],
  ['normalStressSchedule[].startS', 'number', `finite, ${-L.experimentStartS.max} to ${L.experimentStartS.max} s`],
  ['normalStressSchedule[].endS', 'number', `finite, above startS, up to ${L.experimentStartS.max} s`],
  ['normalStressSchedule[].normalStressMPa', 'number', `finite, ${L.normalStressMPa.min} to ${L.normalStressMPa.max} MPa`],
];

/** The schema as Markdown table rows (docs/protocol.md shows exactly these). */
export function startFrameSchemaMarkdown(): string {
  return ['| field | type | range |', '|---|---|---|', ...START_FRAME_SCHEMA.map(([f, t, r]) => `| \`${f}\` | ${t} | ${r} |`)].join('\n');
}

function fail(message: string): never {
  throw new ProtocolError('bad-frame', message);
}

function shown(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (typeof v === 'number') return String(v); // JSON.stringify would show Infinity as null
  return v === undefined ? 'nothing' : typeof v === 'object' ? (Array.isArray(v) ? 'an array' : 'a map') : typeof v;
}

function text(name: string, v: unknown, min: number, max: number): string {
  if (typeof v !== 'string' || v.length < min || v.length > max || v.includes('\0')) fail(`${name} must be a string of ${min}-${max} characters without NUL, got ${shown(v)}`);
  return v;
}

function number(name: string, v: unknown, range: { min: number; max: number }, unit = ''): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < range.min || v > range.max) fail(`${name} must be a finite number from ${range.min} to ${range.max}${unit}, got ${shown(v)}`);
  return v;
}

/** Validate a decoded start frame against the schema; throws ProtocolError (bad-frame) naming the field. */
export function validateStart(f: Record<string, unknown>): StartFrame {
  if (f.protocol !== PROTOCOL_VERSION) fail(`protocol ${shown(f.protocol)} is not supported (server speaks ${PROTOCOL_VERSION})`);
  const session = checkSessionName(f.session);
  const experimentId = text('experimentId', f.experimentId, 1, L.experimentIdChars);
  const aeRateHz = number('aeRateHz', f.aeRateHz, L.aeRateHz, ' Hz');
  if (f.aeType !== 'int16' && f.aeType !== 'float32') fail(`aeType must be "int16" or "float32", got ${shown(f.aeType)}`);
  const chans = f.aeChannels;
  if (!Array.isArray(chans) || chans.length < 1 || chans.length > MAX_CHANNELS) fail(`aeChannels must list 1-${MAX_CHANNELS} channels, got ${shown(chans)}`);
  const aeChannels = chans.map((c: unknown, i) => {
    if (typeof c !== 'object' || c === null) fail(`aeChannels[${i}] must be a map {name, unit, scale}`);
    const ch = c as Record<string, unknown>;
    return { name: text(`aeChannels[${i}].name`, ch.name, 1, L.channelNameChars), unit: text(`aeChannels[${i}].unit`, ch.unit, 0, L.unitChars), scale: number(`aeChannels[${i}].scale`, ch.scale, L.scale) };
  });
  // the preset is checked against the server's models by the session (they define the presets)
  if (f.preset !== undefined && (typeof f.preset !== 'string' || !PRESET_RE.test(f.preset))) fail(`preset must be a preset id of 1-${L.presetChars} of A-Z a-z 0-9 _ . @ / -, got ${shown(f.preset)}`);
  let models: string[] | undefined;
  if (f.models !== undefined) {
    if (!Array.isArray(f.models) || f.models.length === 0 || f.models.length > L.models) fail(`models must be a list of 1-${L.models} model names, got ${shown(f.models)}`);
    models = f.models.map((m, i) => text(`models[${i}]`, m, 1, L.modelNameChars));
  }
  if (f.aeKind !== undefined && !AE_KINDS.includes(f.aeKind as AeKind)) fail(`aeKind must be ${AE_KINDS.map((k) => `"${k}"`).join(' or ')}, got ${shown(f.aeKind)}`);
  const experimentStartS = f.experimentStartS === undefined ? undefined : number('experimentStartS', f.experimentStartS, L.experimentStartS, ' s');
  const normalStressSchedule = f.normalStressSchedule === undefined ? undefined : schedule(f.normalStressSchedule);
  let mech: StartFrame['mech'];
  if (f.mech !== undefined) {
    if (typeof f.mech !== 'object' || f.mech === null) fail(`mech must be a map {rateHz, channels}, got ${shown(f.mech)}`);
    const m = f.mech as Record<string, unknown>;
    const rateHz = number('mech.rateHz', m.rateHz, L.mechRateHz, ' Hz');
    const ch = m.channels;
    if (!Array.isArray(ch) || ch.length === 0 || ch.some((c) => !MECH_CHANNELS.includes(c as MechChannel)) || new Set(ch).size !== ch.length)
      fail(`mech.channels must be distinct names among ${MECH_CHANNELS.join(', ')}, got ${shown(ch)}`);
    mech = { rateHz, channels: ch as MechChannel[] };
  }
  return {
    type: 'start',
    protocol: PROTOCOL_VERSION,
    session,
    experimentId,
    aeRateHz,
    aeType: f.aeType,
    aeChannels,
    ...(f.aeKind !== undefined ? { aeKind: f.aeKind as AeKind } : {}),
    mech,
    ...(f.preset !== undefined ? { preset: f.preset as string } : {}),
    ...(models ? { models } : {}),
    ...(experimentStartS !== undefined ? { experimentStartS } : {}),
    ...(normalStressSchedule ? { normalStressSchedule } : {}),
  };
}

function schedule(v: unknown): NonNullable<StartFrame['normalStressSchedule']> {
  if (!Array.isArray(v) || v.length > L.scheduleLevels) fail(`normalStressSchedule must be a list of 0-${L.scheduleLevels} levels, got ${shown(v)}`);
  const span = { min: -L.experimentStartS.max, max: L.experimentStartS.max };
  return v.map((l: unknown, i) => {
    if (typeof l !== 'object' || l === null) fail(`normalStressSchedule[${i}] must be a map {startS, endS, normalStressMPa}, got ${shown(l)}`);
    const m = l as Record<string, unknown>;
    const startS = number(`normalStressSchedule[${i}].startS`, m.startS, span, ' s');
    const endS = number(`normalStressSchedule[${i}].endS`, m.endS, span, ' s');
    if (!(endS > startS)) fail(`normalStressSchedule[${i}].endS must be above its startS (${startS} s), got ${endS}`);
    return { startS, endS, normalStressMPa: number(`normalStressSchedule[${i}].normalStressMPa`, m.normalStressMPa, L.normalStressMPa, ' MPa') };
  });
}
