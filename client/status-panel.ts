/**
 * Status: the stream connection, and what the server reports (GET /status, polled once a second):
 * inference backend, the session's models (adapted live or as loaded, whose statistics; the
 * server's before a session), latency percentiles, ingest throughput, dropped data.
 */
import type { AlertScores } from '../shared/alerts.ts';
import type { StatusBody } from '../shared/rest/contracts.ts';
import type { ConnectionState } from './messages.ts';

/** The subset of GET /status the dashboard shows. */
export type ServerStatus = StatusBody;

export class StatusPanel {
  private lastSamples = 0;
  private lastAt = 0;

  constructor(private readonly el: Record<'connection' | 'backend' | 'models' | 'latency' | 'throughput' | 'dropped', HTMLElement>) {}

  connection(c: ConnectionState): void {
    const e = this.el.connection;
    e.dataset.state = c.state;
    e.textContent = c.state === 'open' ? 'connected' : c.state === 'connecting' ? 'connecting…' : `disconnected (${c.reason}); retrying in ${c.retryInS} s`;
  }

  /** Show a status reply; returns the alert scores of the session shown. */
  show(s: ServerStatus, session: string): AlertScores | null {
    this.el.backend.textContent = s.backend;
    this.el.models.textContent = modelsText(s, session);
    const lat = s.latencyMs[session];
    this.el.latency.textContent = lat && lat.count > 0 ? `p50 ${lat.p50.toFixed(1)} ms · p99 ${lat.p99.toFixed(1)} ms` : '-';
    const now = performance.now();
    if (this.lastAt > 0 && s.ingest.samplesAccepted >= this.lastSamples) {
      const rate = ((s.ingest.samplesAccepted - this.lastSamples) / (now - this.lastAt)) * 1000;
      this.el.throughput.textContent = `${(rate / 1e6).toFixed(2)} MS/s`;
    }
    this.lastSamples = s.ingest.samplesAccepted;
    this.lastAt = now;
    const rejected = Object.values(s.ingest.rejected).reduce((a, b) => a + b, 0);
    const dropped = Object.values(s.stream.dropped).reduce((a, b) => a + b, 0);
    this.el.dropped.textContent = `${rejected} frames rejected · ${s.stream.framesSkipped} skipped for slow dashboards · ${dropped} dashboards dropped`;
    return s.alertScores[session] ?? null;
  }
}

/** The session's served models (adapted live or as loaded, whose statistics, adaptation state), else what the server offers. */
function modelsText(s: ServerStatus, session: string): string {
  const served = s.servedModels?.[session];
  if (!served || Object.keys(served).length === 0) return s.models.map((m) => `${m.target} (${m.name}, ${m.preset})`).join(', ') || 'none';
  return Object.entries(served)
    .map(([target, m]) => {
      const stats = m.statistics.input === m.statistics.output ? m.statistics.input : `${m.statistics.input} / ${m.statistics.output}`;
      return `${target}: ${m.name}${m.adapted ? ' (adapted live)' : ''}, ${stats} statistics, adaptation ${m.adaptation}`;
    })
    .join('; ');
}
