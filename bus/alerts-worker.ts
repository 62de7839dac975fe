/**
 * The alerts role: the failure forecaster of the embedded mode on a session's conditioned
 * envelope (SW_COND, the forecaster's key) and measured friction: alert frames to SW_OUT; the
 * forecast probability, slips in the measured friction and the measured friction itself to the
 * dashboards' view subject.
 *
 * Exactly once: the forecaster's state (running recurrence and cycle statistics since the session
 * began) is rebuilt by reading the session's conditioned series from its first message (at the
 * forecaster's rate: tiny next to the AE); alerts SW_OUT already holds are not published again.
 */
import type { AlertEvent } from '../shared/alerts.ts';
import type { AlertingModel } from '../shared/alerts/hazard.ts';
import { StreamingFailureDetector } from '../shared/labels.ts';
import { decodeFrame, encodeFrame } from '../shared/protocol/codec.ts';
import type { AlertFrame, MeasuredFrame, StartFrame } from '../shared/protocol/frames.ts';
import type { SessionFrame } from '../server/session/monitor.ts';
import type { BusClient } from './client.ts';
import { STREAMS, subjects } from './config.ts';
import { ConditionedAlerting } from '../server/session/conditioned-alerting.ts';
import { type CondChunk, conditionKey, decodeCond } from './messages.ts';
import { alertKey } from './inference-worker.ts';
import { Outbox } from './outbox.ts';

/** Measured friction goes to dashboards at about this rate (as the embedded monitor sends it). */
const MEASURED_DISPLAY_HZ = 100;
/** views are sent only near the head of the session (a worker catching up shows nothing stale) */
const LIVE_PENDING = 64;

export interface AlertsCounters {
  condIn: number;
  alertsOut: number;
}

/** Every k-th measured sample on the absolute grid (server/session/monitor.ts: publishMeasured). */
export function measuredView(session: string, rate: number, startIndex: number, mu: Float32Array): MeasuredFrame | null {
  const k = Math.max(1, Math.round(rate / MEASURED_DISPLAY_HZ));
  const first = Math.ceil(startIndex / k) * k;
  if (first >= startIndex + mu.length) return null;
  const out = new Float32Array(Math.floor((startIndex + mu.length - 1 - first) / k) + 1);
  for (let i = 0; i < out.length; i++) out[i] = mu[first + i * k - startIndex];
  return { type: 'measured', session, startIndex: first / k, rateHz: rate / k, mu: out };
}

/** A session's forecaster, slip detector and clock; push() takes one conditioned message. */
class SessionAlerts {
  private readonly alerting: ConditionedAlerting;
  private readonly slips: StreamingFailureDetector | null;
  private readonly key: string;
  clockS = 0;

  constructor(
    private readonly start: StartFrame,
    model: AlertingModel,
    private readonly publish: (f: SessionFrame, live: boolean) => void,
  ) {
    this.alerting = new ConditionedAlerting(start, model);
    this.slips = start.mech?.channels.includes('mu') ? new StreamingFailureDetector(start.mech.rateHz) : null;
    this.key = conditionKey({ mode: 'envelope', outputRateHz: model.features.rateHz });
  }

  raise(events: AlertEvent[]): void {
    for (const e of events) this.publish({ type: 'alert', session: this.start.session, event: e.kind, alert: { ...e.alert } }, true);
  }

  /** In the embedded monitor's order: the frame's envelope, then the slips its friction reports. */
  push(c: CondChunk, live: boolean): void {
    const session = this.start.session;
    this.clockS = c.aeEnd / this.start.aeRateHz;
    this.raise(this.alerting.pushConditioned(c.parts[this.key] ?? [], this.clockS));
    const f = this.alerting.takeForecast();
    if (f) this.publish({ type: 'forecast', session, ...f }, live);
    if (!c.mu || !this.slips) return;
    for (const e of this.slips.push(c.mu.startIndex, c.mu.values)) {
      this.publish({ type: 'slip', session, tS: e.onsetTimeS, dropMu: e.dropMu }, live);
      this.raise(this.alerting.slip(e.onsetTimeS, this.clockS));
    }
    const m = measuredView(session, this.start.mech!.rateHz, c.mu.startIndex, c.mu.values);
    if (m) this.publish(m, live);
  }

  close(): void {
    this.raise(this.alerting.close(this.clockS));
  }
}

/** model null: no forecaster, so no alerts (the embedded mode's TTF-threshold fallback is not on the bus); the session is marked done. */
export async function serveAlerts(bus: BusClient, model: AlertingModel | null, session: string, log: (m: string) => void, counters: AlertsCounters): Promise<void> {
  if (await bus.last(STREAMS.out, subjects.done(session, 'alerts'))) return; // served to its end before
  if (!model) return void (await bus.publish(subjects.done(session, 'alerts'), new Uint8Array(0), `${session}:done:alerts`));
  const last = await bus.last(STREAMS.out, subjects.alert(session));
  const lastAlert = last ? alertKey(decodeFrame(last.data) as AlertFrame) : -1;
  const out = new Outbox(bus, log);
  const publish = (f: SessionFrame, live: boolean) => {
    if (f.type !== 'alert') return void (live && bus.nc.publish(subjects.view(session), encodeFrame(f)));
    if (alertKey(f) <= lastAlert) return;
    counters.alertsOut++;
    out.send(subjects.alert(session), encodeFrame(f), `${session}:alert:${f.alert.id}:${f.event}`);
  };
  let alerts: SessionAlerts | null = null;
  for await (const m of bus.read(STREAMS.cond, subjects.cond(session))) {
    const c = decodeCond(m.data);
    if (c.type === 'start' && !alerts) alerts = new SessionAlerts(c.start, model, publish);
    else if (c.type === 'chunk' && alerts) {
      counters.condIn++;
      alerts.push(c, m.info.pending < LIVE_PENDING);
    } else if (c.type === 'end') break;
  }
  alerts?.close();
  await out.drained();
  await bus.publish(subjects.done(session, 'alerts'), new Uint8Array(0), `${session}:done:alerts`);
}
