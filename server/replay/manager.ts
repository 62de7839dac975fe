/**
 * Replays run by the server itself (REST: POST /replay), into its own ws /ingest, so a dashboard
 * can start, pause, resume, seek (a new replay from a new position) and stop them.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { NormalStressLevel } from '../../shared/recording-meta.ts';
import { readRecordingMeta } from '../../recording/recording.ts';
import { replay } from '../../producer/replay.ts';
import { isSessionName } from '../../shared/protocol/session-name.ts';
import { pruneArchive, type RetentionPolicy } from './archive-retention.ts';

export interface ReplayArchiving extends RetentionPolicy {
  /** keep the archive of a replay of a bundled recording (it is a copy of data the server has) */
  keepReplayArchives: boolean;
}

export const DEFAULT_REPLAY_ARCHIVING: ReplayArchiving = { keepReplayArchives: false, archiveMaxAgeDays: 0, archiveMaxMB: 0 };

export interface RecordingInfo {
  id: string;
  /** the end of its normal-stress schedule, s (null without one) */
  durationS: number | null;
  levels: NormalStressLevel[];
  /** why a replay cannot stream it (absent: it can) */
  unavailable?: string;
}

export interface ReplayState {
  id: string;
  recording: string;
  speed: number | 'max';
  fromS: number;
  sentS: number;
  totalS: number;
  state: 'running' | 'paused' | 'done' | 'stopped' | 'failed';
  error?: string;
}

const ARCHIVE_PREFIX = 'archive/';

export class ReplayManager {
  private readonly replays = new Map<string, ReplayState & { abort: AbortController }>();
  private n = 0;

  constructor(
    private readonly recordingsDir: string,
    private readonly ingestUrl: () => string,
    private readonly token: string,
    /** archived sessions are replayable too, as archive/SESSION */
    private readonly archiveDir: string | null = null,
    private readonly archiving: ReplayArchiving = DEFAULT_REPLAY_ARCHIVING,
  ) {
    this.prune();
    this.pruneTimer = setInterval(() => this.prune(), 600_000).unref();
  }

  private readonly pruneTimer: NodeJS.Timeout;

  /** The retention policy, sparing the archives of replays still running. */
  private prune(): void {
    if (!this.archiveDir) return;
    const inUse = new Set([...this.replays.values()].filter((r) => r.state === 'running' || r.state === 'paused').map((r) => r.id));
    pruneArchive(this.archiveDir, this.archiving, inUse);
  }

  /** A finished replay's archive goes unless kept: the server closes it once the end is acked. */
  private dropArchive(id: string): void {
    if (this.archiving.keepReplayArchives || !this.archiveDir) return;
    setTimeout(() => rmSync(join(this.archiveDir!, id), { recursive: true, force: true }), 2000).unref();
  }

  /** Recordings that are listed but cannot be read (a damaged recording.json), with the reason. */
  readonly unreadable = new Map<string, string>();

  /**
   * Recordings a replay can use (directories holding a recording.json): the recordings, then
   * archived sessions (only those named like a session: a name that becomes a path is checked).
   */
  recordings(): string[] {
    const list = (dir: string | null, prefix: string) =>
      dir && existsSync(dir)
        ? readdirSync(dir)
            .filter((d) => (prefix === ARCHIVE_PREFIX ? isSessionName(d) : !d.startsWith('.')) && existsSync(join(dir, d, 'recording.json')))
            .sort()
            .map((d) => `${prefix}${d}`)
        : [];
    return [...list(this.recordingsDir, ''), ...list(this.archiveDir, ARCHIVE_PREFIX)];
  }

  private pathOf(id: string): string {
    return id.startsWith(ARCHIVE_PREFIX) && this.archiveDir ? join(this.archiveDir, id.slice(ARCHIVE_PREFIX.length)) : join(this.recordingsDir, id);
  }

  /**
   * Each readable recording with its length and normal-stress levels (a dashboard replays a p4581
   * level by its start). One damaged recording.json is skipped and noted in `unreadable`, never
   * failing the whole list.
   */
  recordingInfos(): RecordingInfo[] {
    const out: RecordingInfo[] = [];
    this.unreadable.clear();
    for (const id of this.recordings()) {
      try {
        const meta = readRecordingMeta(this.pathOf(id));
        const levels = meta.normalStressSchedule;
        const ae = meta.streams.ae?.columns.filter((c) => c.quantity === 'acoustic-emission') ?? [];
        const quantities = [...new Set(meta.streams.ae?.columns.map((c) => c.quantity) ?? [])].join(', ') || 'no AE stream';
        // the same rule the producer applies (producer/replay.ts), said before anyone clicks Start
        const unavailable = ae.length ? undefined : `no AE waveform to stream (its AE is ${quantities}); replays need AE waveform channels`;
        out.push({ id, durationS: levels.length ? Math.max(...levels.map((l) => l.endS)) : null, levels, ...(unavailable ? { unavailable } : {}) });
      } catch (e) {
        this.unreadable.set(id, (e as Error).message.replace(this.pathOf(id), id));
      }
    }
    return out;
  }

  start(recording: string, speed: number | 'max', fromS = 0, preset?: string, models?: string[]): ReplayState {
    if (!this.recordings().includes(recording)) throw new Error(`unknown recording "${recording}"; available: ${this.recordings().join(', ')}`);
    if (speed !== 'max' && !(speed > 0)) throw new Error(`speed must be > 0 or "max", got ${speed}`);
    // a valid session name (shared/protocol.ts: 1-64 of [A-Za-z0-9_.-]) that says what is replayed
    const id = `replay-${recording.replace(/[^A-Za-z0-9_.-]/g, '_').slice(-32)}-${Date.now().toString(36)}-${this.n++}`;
    this.prune();
    const abort = new AbortController();
    const st: ReplayState & { abort: AbortController } = { id, recording, speed, fromS, sentS: fromS, totalS: 0, state: 'running', abort };
    this.replays.set(id, st);
    replay({
      recordingDir: this.pathOf(recording),
      url: this.ingestUrl(),
      token: this.token,
      session: id,
      speed,
      preset,
      models,
      fromS,
      signal: abort.signal,
      paused: () => st.state === 'paused',
      onProgress: (sentS, totalS) => {
        st.sentS = sentS;
        st.totalS = totalS;
      },
    })
      .then(
        () => {
          if (st.state !== 'stopped') st.state = 'done';
        },
        (e: Error) => {
          if (st.state !== 'stopped') {
            st.state = 'failed';
            st.error = e.message;
          }
        },
      )
      .finally(() => this.dropArchive(id));
    return this.view(st);
  }

  control(id: string, action: 'pause' | 'resume' | 'stop'): ReplayState {
    const st = this.replays.get(id);
    if (!st) throw new Error(`no replay "${id}"`);
    if (action === 'pause' && st.state === 'running') st.state = 'paused';
    else if (action === 'resume' && st.state === 'paused') st.state = 'running';
    else if (action === 'stop' && (st.state === 'running' || st.state === 'paused')) {
      st.state = 'stopped';
      st.abort.abort();
    }
    return this.view(st);
  }

  list(): ReplayState[] {
    return [...this.replays.values()].map((s) => this.view(s));
  }

  stopAll(): void {
    clearInterval(this.pruneTimer);
    for (const s of this.replays.values()) if (s.state === 'running' || s.state === 'paused') this.control(s.id, 'stop');
  }

  private view(s: ReplayState & { abort: AbortController }): ReplayState {
    const { abort: _abort, ...rest } = s;
    void _abort;
    return { ...rest };
  }
}
