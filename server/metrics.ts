/**
 * Prometheus metrics through prom-client: process and event-loop metrics, ingest and dashboard
 * counters, per-session pipeline stage counters, latency histograms, prediction and alert
 * counters. Counters owned elsewhere (ingest, hub, pipelines) are read when scraped, so the hot
 * paths only bump plain numbers; what happens per event (a prediction, an alert, a latency) is
 * observed here directly.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { InferStats } from '../pipeline/pipeline.ts';
import type { IngestStats } from './ingest/stats.ts';
import type { HubStats } from './stream/hub.ts';

export interface MetricSources {
  ingest: IngestStats;
  hub: HubStats;
  /** per session: frames in, and per model target its inference stage counters */
  stages(): Iterable<[session: string, framesIn: number, infer: Record<string, InferStats>]>;
  pipelineErrors(): number;
}

export interface ServerMetrics {
  registry: Registry;
  prediction(target: string, samples: number): void;
  alert(event: 'on' | 'off'): void;
  latency(kind: 'nowcast' | 'averaged', ms: number): void;
}

/** A gauge or counter whose value is read from its owner at scrape time. */
function readOnScrape<T extends Gauge | Counter>(metric: T, read: (set: (labels: Record<string, string>, v: number) => void) => void): T {
  const m = metric as unknown as { collect: () => void; reset(): void; set?(l: object, v: number): void; inc(l: object, v: number): void };
  m.collect = () => {
    m.reset();
    read((labels, v) => (m.set ? m.set(labels, v) : m.inc(labels, v)));
  };
  return metric;
}

export function createMetrics(src: MetricSources): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'slipwatch_' });
  const reg = [registry];
  readOnScrape(new Counter({ name: 'slipwatch_ingest_frames_total', help: 'Data frames accepted.', registers: reg }), (set) => set({}, src.ingest.framesAccepted));
  readOnScrape(new Counter({ name: 'slipwatch_ingest_samples_total', help: 'AE samples accepted (all channels).', registers: reg }), (set) => set({}, src.ingest.samplesAccepted));
  readOnScrape(new Counter({ name: 'slipwatch_ingest_rejected_total', help: 'Frames refused, by reason.', labelNames: ['reason'], registers: reg }), (set) => {
    for (const [reason, n] of Object.entries(src.ingest.rejected)) set({ reason }, n ?? 0);
  });
  readOnScrape(new Gauge({ name: 'slipwatch_sessions', help: 'Active producer sessions.', registers: reg }), (set) => set({}, src.ingest.activeSessions));
  readOnScrape(new Counter({ name: 'slipwatch_storage_errors_total', help: 'Archive storage errors, by errno code.', labelNames: ['code'], registers: reg }), (set) => {
    for (const [code, n] of Object.entries(src.ingest.storageErrors)) set({ code }, n);
  });
  readOnScrape(new Counter({ name: 'slipwatch_predictions_not_archived_total', help: 'Prediction and alert rows computed but not archived (storage failed).', registers: reg }), (set) => set({}, src.ingest.predictionsNotArchived));
  readOnScrape(new Gauge({ name: 'slipwatch_held_sessions', help: 'Sessions whose acks are withheld now (flow control).', registers: reg }), (set) => set({}, src.ingest.heldSessions));
  readOnScrape(new Counter({ name: 'slipwatch_flow_control_holds_total', help: 'Times a session was held back (flow control).', registers: reg }), (set) => set({}, src.ingest.holds));
  readOnScrape(new Counter({ name: 'slipwatch_keepalive_timeouts_total', help: 'Peers dropped for not answering pings.', registers: reg }), (set) => set({}, src.ingest.keepaliveTimeouts));
  readOnScrape(new Gauge({ name: 'slipwatch_subscribers', help: 'Connected dashboards.', registers: reg }), (set) => set({}, src.hub.subscribers));
  readOnScrape(new Counter({ name: 'slipwatch_stream_frames_total', help: 'Frames sent to dashboards, and skipped for slow ones.', labelNames: ['outcome'], registers: reg }), (set) => {
    set({ outcome: 'sent' }, src.hub.framesSent);
    set({ outcome: 'skipped' }, src.hub.framesSkipped);
  });
  readOnScrape(new Counter({ name: 'slipwatch_pipeline_errors_total', help: 'Errors in prediction pipelines.', registers: reg }), (set) => set({}, src.pipelineErrors()));
  readOnScrape(new Counter({ name: 'slipwatch_stage_windows_total', help: 'Windows into and out of inference, per session and model.', labelNames: ['session', 'target', 'stage'], registers: reg }), (set) => {
    for (const [session, , infer] of src.stages()) {
      for (const [target, s] of Object.entries(infer)) {
        set({ session, target, stage: 'in' }, s.windowsIn);
        set({ session, target, stage: 'out' }, s.windowsOut);
      }
    }
  });
  readOnScrape(new Counter({ name: 'slipwatch_stage_batches_total', help: 'Inference batches, per session and model.', labelNames: ['session', 'target'], registers: reg }), (set) => {
    for (const [session, , infer] of src.stages()) for (const [target, s] of Object.entries(infer)) set({ session, target }, s.batches);
  });
  readOnScrape(new Gauge({ name: 'slipwatch_stage_queued_windows', help: 'Windows waiting for inference, per session and model.', labelNames: ['session', 'target'], registers: reg }), (set) => {
    for (const [session, , infer] of src.stages()) for (const [target, s] of Object.entries(infer)) set({ session, target }, s.queued);
  });
  readOnScrape(new Counter({ name: 'slipwatch_session_frames_total', help: 'Data frames into each session pipeline.', labelNames: ['session'], registers: reg }), (set) => {
    for (const [session, framesIn] of src.stages()) set({ session }, framesIn);
  });
  const predictions = new Counter({ name: 'slipwatch_predicted_samples_total', help: 'Averaged prediction samples published, per target.', labelNames: ['target'], registers: reg });
  const alerts = new Counter({ name: 'slipwatch_alerts_total', help: 'Alert transitions (on, off).', labelNames: ['event'], registers: reg });
  const latency = new Histogram({
    name: 'slipwatch_prediction_latency_seconds',
    help: 'From the frame that completes a window to its prediction leaving for the dashboards: the nowcast (causal) or the overlap-averaged series.',
    labelNames: ['kind'],
    buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: reg,
  });
  return {
    registry,
    prediction: (target, samples) => predictions.inc({ target }, samples),
    alert: (event) => alerts.inc({ event }),
    latency: (kind, ms) => latency.observe({ kind }, ms / 1000),
  };
}
