/**
 * The archive role: writes a session's recording from the bus, the same Arrow recording the
 * embedded mode writes (server/ingest/archive.ts: AE, mechanical channels, frames index,
 * predictions, alerts).
 *
 * Exactly once: the archive recovers to its last complete frame as in the embedded mode; the
 * session is read again from its first message and only what lies past the archive's last frame,
 * last prediction row of each target and last alert is appended.
 */
import { decodeFrame } from '../shared/protocol/codec.ts';
import type { AlertFrame, DataFrame, PredictionFrame, StartFrame } from '../shared/protocol/frames.ts';
import { type Outputs, SessionArchive } from '../server/ingest/archive.ts';
import { H } from '../server/ingest/bus-store.ts';
import { type BusClient, header } from './client.ts';
import { OUTPUT_ROLES, STREAMS, subjects } from './config.ts';
import { alertKey } from './inference-worker.ts';

/** fsync the AE and the index at least every this many frames (and whenever the stream is idle) */
const FLUSH_EVERY = 32;

export interface ArchiveCounters {
  framesArchived: number;
  predictionRows: number;
}

export async function serveArchive(bus: BusClient, archiveDir: string, session: string, counters: ArchiveCounters): Promise<void> {
  let archive: SessionArchive | null = null;
  let outputsDone: Promise<void> = Promise.resolve();
  let sinceFlush = 0;
  try {
    for await (const m of bus.read(STREAMS.frames, subjects.frames(session))) {
      const kind = header(m.headers, H.kind);
      if (kind === 'start' && !archive) {
        const outputs = JSON.parse(header(m.headers, H.outputs) ?? '{"rateHz":1,"targets":[]}') as Outputs;
        archive = SessionArchive.open(archiveDir, decodeFrame(m.data) as StartFrame, outputs);
        outputsDone = outputs.targets.length ? archiveOutputs(bus, archive, session, outputs, counters) : Promise.resolve();
      } else if (kind === 'data' && archive) {
        const f = decodeFrame(m.data) as DataFrame;
        if (f.seq <= archive.lastAppendedSeq) continue;
        archive.append(f, archive.aeColumnNames);
        counters.framesArchived++;
        if (++sinceFlush >= FLUSH_EVERY || m.info.pending === 0) {
          await archive.flush();
          sinceFlush = 0;
        }
      } else if (kind === 'end') break;
    }
    if (!archive) return;
    await archive.flush();
    await outputsDone;
    await archive.close();
  } catch (e) {
    archive?.abandon();
    throw e;
  }
}

/** The session's predictions and alerts from SW_OUT, until the inference and alerts roles say they are done. */
async function archiveOutputs(bus: BusClient, archive: SessionArchive, session: string, outputs: Outputs, counters: ArchiveCounters): Promise<void> {
  const lastIndex: Record<string, number> = {};
  for (const t of outputs.targets) lastIndex[t] = archive.lastOutputRow(`pred_${t}`)?.index ?? -1;
  const lastAlertRow = archive.lastOutputRow('alerts');
  let lastAlert = lastAlertRow ? alertKey({ alert: { id: lastAlertRow.alert_id }, event: lastAlertRow.is_on ? 'on' : 'off' }) : -1;
  const pendingDone = new Set(OUTPUT_ROLES.map((role) => subjects.done(session, role)));
  for await (const m of bus.read(STREAMS.out, subjects.out(session))) {
    if (pendingDone.delete(m.subject)) {
      if (pendingDone.size === 0) return;
      continue;
    }
    const f = decodeFrame(m.data) as PredictionFrame | AlertFrame;
    if (f.type === 'prediction') {
      const end = f.startIndex + f.mean.length - 1;
      if (end <= lastIndex[f.target]) continue;
      archive.appendPrediction(f.target, f.startIndex, f.mean, f.std);
      lastIndex[f.target] = end;
      counters.predictionRows += f.mean.length;
    } else if (f.type === 'alert' && alertKey(f) > lastAlert) {
      archive.appendAlert(f.alert.id, f.event === 'on', f.event === 'on' ? f.alert.onS : f.alert.offS!, f.alert.predictedTtfS);
      lastAlert = alertKey(f);
    }
  }
}
