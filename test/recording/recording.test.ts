import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { tableFromIPC } from 'apache-arrow';
import { readWholeStream, streamInfo } from '../../recording/arrow-stream.ts';
import { scanIpcStream } from '../../recording/ipc-framing.ts';
import { type NewRecordingMeta, openRecording, readRecordingStream, RecordingWriter } from '../../recording/recording.ts';
import type { RecordingMeta } from '../../shared/recording-meta.ts';
import { AE_ROWS, batchFor, MECH_ROWS, testMeta } from './helpers/recording-fixture.ts';

const root = mkdtempSync(join(tmpdir(), 'slipwatch-rec-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = (): string => join(root, `r${n++}`);

function writeBatches(dir: string, count: number): RecordingWriter {
  const w = RecordingWriter.create(dir, testMeta());
  for (let k = 0; k < count; k++) {
    w.append('ae', batchFor(k).ae);
    w.append('mech', batchFor(k).mech);
  }
  w.flush();
  return w;
}

/**
 * Assert that each stream's columns equal the concatenation of batchFor(0..count-1). The two
 * streams are separate files, so after a crash they may hold different batch counts.
 */
async function assertContent(dir: string, count: number, mechCount = count): Promise<void> {
  const { columns: ae } = await readWholeStream(join(dir, 'ae.arrows'));
  const { columns: mech } = await readWholeStream(join(dir, 'mech.arrows'));
  assert.equal(ae.ae0_counts.length, count * AE_ROWS);
  assert.equal(mech.mu.length, mechCount * MECH_ROWS);
  for (let k = 0; k < count; k++) {
    const b = batchFor(k);
    assert.deepEqual(ae.ae0_counts.subarray(k * AE_ROWS, (k + 1) * AE_ROWS), b.ae.ae0_counts);
    assert.deepEqual(ae.ae1_counts.subarray(k * AE_ROWS, (k + 1) * AE_ROWS), b.ae.ae1_counts);
  }
  for (let k = 0; k < mechCount; k++) {
    const b = batchFor(k);
    assert.deepEqual(mech.time_s.subarray(k * MECH_ROWS, (k + 1) * MECH_ROWS), b.mech.time_s);
    assert.deepEqual(mech.mu.subarray(k * MECH_ROWS, (k + 1) * MECH_ROWS), b.mech.mu);
  }
}

test('round trip: metadata, every column type, bit-exact values, batch by batch', async () => {
  const dir = freshDir();
  writeBatches(dir, 5).close();
  const rec = await openRecording(dir);
  assert.equal(rec.meta.experimentId, 'test-exp');
  assert.equal(rec.streams.ae.rows, 5 * AE_ROWS);
  assert.equal(rec.streams.ae.batches, 5);
  assert.equal(rec.streams.mech.durationS, 0.5);
  assert.equal(rec.streams.ae.truncated, false);
  assert.deepEqual(rec.streams.ae.columns[0], testMeta().streams.ae.columns[0], 'units, quantity and scale survive');
  assert.equal(rec.streams.ae.metadata['slipwatch:sample_rate_hz'], '10000', 'each stream file describes itself');
  await assertContent(dir, 5);
  const offsets: number[] = [];
  for await (const b of readRecordingStream(rec, 'mech')) offsets.push(b.rowOffset);
  assert.deepEqual(offsets, [0, 100, 200, 300, 400]);
});

test("arrow's own reader (what pyarrow does) reads a closed stream file whole", () => {
  const dir = freshDir();
  writeBatches(dir, 3).close();
  const table = tableFromIPC(readFileSync(join(dir, 'mech.arrows')));
  assert.equal(table.numRows, 3 * MECH_ROWS);
  assert.equal(table.schema.fields.map((f) => f.name).join(','), 'time_s,mu');
  assert.equal(table.getChild('mu')!.get(150), batchFor(1).mech.mu[50]);
});

test('a torn last message, cut at any byte, loses only that batch; reopen resumes cleanly', async () => {
  const dir = freshDir();
  const w = writeBatches(dir, 3);
  w.abandon();
  const path = join(dir, 'mech.arrows');
  const full = readFileSync(path);
  const scan = scanIpcStream(path);
  const last = scan.messages[scan.messages.length - 1];
  // every cut inside the last batch message (sampled every 7 bytes plus the edges)
  const cuts = [last.offset + 1, last.offset + 4, last.offset + 8, last.offset + last.headerLength, last.offset + last.length - 1];
  for (let c = last.offset + 1; c < last.offset + last.length; c += 7) cuts.push(c);
  for (const cut of cuts) {
    writeFileSync(path, full.subarray(0, cut));
    const info = await streamInfo(path);
    assert.equal(info.rows, 2 * MECH_ROWS, `cut at ${cut}`);
    assert.equal(info.truncated, true, `cut at ${cut}`);
    // the complete prefix is a valid stream for arrow's own reader
    assert.equal(tableFromIPC(full.subarray(0, last.offset)).numRows, 2 * MECH_ROWS);
  }
  // garbage appended after complete messages is also ignored
  writeFileSync(path, full);
  appendFileSync(path, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x40, 0, 0, 0, 1, 2, 3]));
  assert.equal((await streamInfo(path)).rows, 3 * MECH_ROWS);
  // cut the ae stream too, then reopen and append: the torn tail is dropped, nothing else
  truncateSync(join(dir, 'ae.arrows'), statSync(join(dir, 'ae.arrows')).size - 5);
  writeFileSync(path, full.subarray(0, last.offset + 10));
  const again = RecordingWriter.reopen(dir);
  assert.equal(again.rows('ae'), 2 * AE_ROWS);
  assert.equal(again.rows('mech'), 2 * MECH_ROWS);
  again.append('ae', batchFor(2).ae);
  again.append('mech', batchFor(2).mech);
  again.close();
  await assertContent(dir, 3);
  assert.equal((await streamInfo(path)).truncated, false);
});

test('kill -9 of a writing process: every flushed batch survives and the file stays readable', async () => {
  const dir = freshDir();
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'helpers', 'crash-writer.ts'), dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let acked = 0;
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = [...buf.matchAll(/flushed (\d+)/g)];
      if (m.length) acked = Number(m[m.length - 1][1]);
      if (acked >= 30) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited early: code ${code} signal ${signal}`));
    });
  });
  await new Promise((r) => child.once('close', r));
  const rec = await openRecording(dir);
  const aeBatches = rec.streams.ae.rows / AE_ROWS;
  const mechBatches = rec.streams.mech.rows / MECH_ROWS;
  assert.ok(aeBatches >= acked, `ae has ${aeBatches} batches, ${acked} were acknowledged`);
  assert.ok(mechBatches >= acked, `mech has ${mechBatches} batches, ${acked} were acknowledged`);
  assert.ok(Number.isInteger(aeBatches) && Number.isInteger(mechBatches));
  // The kill may land between the ae and the mech append of a batch: each file is checked whole.
  await assertContent(dir, aeBatches, mechBatches);
});

test('the writer refuses bad input with a clear error', () => {
  const dir = freshDir();
  const w = writeBatches(dir, 1);
  assert.throws(() => w.append('ae', { ae0_counts: new Int16Array(3) }), /lacks column ae1_counts/);
  assert.throws(() => w.append('ae', { ae0_counts: new Int16Array(3), ae1_counts: new Float32Array(3) }), /ae1_counts must be Int16Array, got Float32Array/);
  assert.throws(() => w.append('ae', { ae0_counts: new Int16Array(3), ae1_counts: new Int16Array(4) }), /has 4 rows, expected 3/);
  assert.throws(() => w.append('ae', { ae0_counts: new Int16Array(3), ae1_counts: new Int16Array(3), x: new Int16Array(3) }), /unknown column\(s\) x/);
  assert.throws(() => w.append('nope', {}), /no stream "nope"/);
  w.close();
  assert.throws(() => RecordingWriter.create(dir, testMeta()), /already holds a recording/);
  const bad = testMeta();
  bad.streams.ae.sampleRateHz = -1;
  assert.throws(() => RecordingWriter.create(freshDir(), bad), /sampleRateHz must be > 0, got -1/);
  const badFile = testMeta();
  badFile.streams.ae.file = '../escape.arrows';
  assert.throws(() => RecordingWriter.create(freshDir(), badFile), /plain file name/);
});

test('readers reject what is not a recording', async () => {
  const dir = freshDir();
  await assert.rejects(openRecording(dir), /not a slipwatch recording/);
  writeBatches(dir, 1).close();
  writeFileSync(join(dir, 'recording.json'), '{"format":"other"}');
  await assert.rejects(openRecording(dir), /format is "other"/);
  const dir2 = freshDir();
  writeBatches(dir2, 1).close();
  writeFileSync(join(dir2, 'mech.arrows'), 'hello, not arrow');
  await assert.rejects(openRecording(dir2), /not an Arrow IPC stream/);
});

test('event streams: rows at no rate, declared apart, self-describing, reopened and read like the rest', async () => {
  const dir = freshDir();
  const events = {
    alerts: {
      file: 'alerts.arrows',
      timeColumn: 'time_s',
      columns: [
        { name: 'alert_id', type: 'float64', unit: '1', quantity: 'other' },
        { name: 'time_s', type: 'float64', unit: 's', quantity: 'time' },
      ],
    },
  } satisfies RecordingMeta['events'];
  const w = RecordingWriter.create(dir, { ...testMeta(), events });
  w.append('ae', batchFor(0).ae);
  // three events at irregular times: a rate could not place them
  w.append('alerts', { alert_id: Float64Array.of(1, 1), time_s: Float64Array.of(12.5, 13.25) });
  w.append('alerts', { alert_id: Float64Array.of(2), time_s: Float64Array.of(40.125) });
  w.close();
  const meta = JSON.parse(readFileSync(join(dir, 'recording.json'), 'utf8')) as RecordingMeta;
  assert.ok(!('alerts' in meta.streams), 'not listed as a sample stream');
  assert.deepEqual(meta.events, events);
  assert.ok(!('sampleRateHz' in meta.events!.alerts), 'no sample rate declared');
  const rec = await openRecording(dir);
  assert.equal(rec.events.alerts.rows, 3);
  assert.equal(rec.events.alerts.metadata['slipwatch:kind'], 'events', 'the file says it holds events');
  assert.equal(rec.events.alerts.metadata['slipwatch:time_column'], 'time_s');
  assert.ok(!('slipwatch:sample_rate_hz' in rec.events.alerts.metadata));
  const times: number[] = [];
  for await (const b of readRecordingStream(rec, 'alerts')) times.push(...(b.columns.time_s as Float64Array));
  assert.deepEqual(times, [12.5, 13.25, 40.125]);
  const again = RecordingWriter.reopen(dir);
  assert.equal(again.rows('alerts'), 3, 'reopen finds the event stream');
  assert.deepEqual(again.lastRow('alerts'), { alert_id: 2, time_s: 40.125 });
  again.close();
});

test('an event stream with a rate, a missing time column or a taken name is refused', () => {
  const events = (e: object) => ({ ...testMeta(), events: { alerts: { file: 'alerts.arrows', columns: [{ name: 't', type: 'float64', unit: 's', quantity: 'time' }], ...e } } }) as NewRecordingMeta;
  assert.throws(() => RecordingWriter.create(freshDir(), events({ sampleRateHz: 1 })), /events have no sampleRateHz/);
  assert.throws(() => RecordingWriter.create(freshDir(), events({ startTimeS: 0 })), /events have no sampleRateHz or startTimeS/);
  assert.throws(() => RecordingWriter.create(freshDir(), events({ timeColumn: 'time_s' })), /timeColumn "time_s" is not one of its columns/);
  assert.throws(() => RecordingWriter.create(freshDir(), events({ file: 'ae.arrows' })), /file ae.arrows is used twice/);
  const clash = { ...testMeta(), events: { mech: { file: 'm2.arrows', columns: [{ name: 't', type: 'float64', unit: 's', quantity: 'time' }] } } } as NewRecordingMeta;
  assert.throws(() => RecordingWriter.create(freshDir(), clash), /event stream mech: a sample stream has that name/);
});
