/**
 * The dashboard page: wires the stream worker (data), the charts and heat maps (drawing), and the
 * replay, alert and status panels. Drawing happens in requestAnimationFrame, only when the worker
 * sent a new view; frame times are kept for the benchmark (window.slipwatch).
 */
import { AlertsPanel } from './alerts-panel.ts';
import { Charts, type Marks } from './charts.ts';
import { Heatmap } from './heatmap.ts';
import type { FromWorker, SeriesName, ToWorker } from './messages.ts';
import { ReplayPanel } from './replay-panel.ts';
import { type ServerStatus, StatusPanel } from './status-panel.ts';
import { type Tracking, tracking } from './tracking.ts';

const $ = <T extends HTMLElement>(id: string): T => {
  const e = document.getElementById(id);
  if (!e) throw new Error(`the page lacks #${id}`);
  return e as T;
};

const marks: Marks = { alerts: [], slipsS: [] };
const chartsRoot = $('chart-friction').parentElement!;
const width = () => Math.max(400, chartsRoot.clientWidth);
const charts = new Charts({ ae: $('chart-ae'), friction: $('chart-friction'), ttf: $('chart-ttf') }, width(), marks);
const heat = { input: new Heatmap($<HTMLCanvasElement>('heat-input')), friction: new Heatmap($<HTMLCanvasElement>('heat-friction')) };
const alerts = new AlertsPanel($('banner'), $('timeline'), $('scores'), marks);
const status = new StatusPanel({ connection: $('connection'), backend: $('backend'), models: $('models-status'), latency: $('latency'), throughput: $('throughput'), dropped: $('dropped') });
const replay = new ReplayPanel({
  recording: $('recording'),
  level: $('level'),
  preset: $('preset'),
  speed: $('speed'),
  models: $('models'),
  start: $('start'),
  pause: $('pause'),
  stop: $('stop'),
  seek: $('seek'),
  seekGo: $('seek-go'),
  progress: $('replay-progress'),
  error: $('replay-error'),
});

let session = '';
let pending: { x: Float64Array; series: Record<SeriesName, Float32Array> } | null = null;
/** what the benchmark and the e2e tests read: frame times (ms) and counts of what was drawn */
const telemetry = {
  frameMs: [] as number[],
  views: 0,
  tiles: 0,
  alerts: 0,
  slips: 0,
  session: '',
  connection: 'connecting',
  friction: null as Tracking | null,
  ttf: null as Tracking | null,
};
(window as unknown as { slipwatch: typeof telemetry }).slipwatch = telemetry;

const worker = new Worker('/stream-worker.js', { type: 'module' });
const send = (m: ToWorker) => worker.postMessage(m);
worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const m = e.data;
  switch (m.kind) {
    case 'connection':
      status.connection(m.connection);
      telemetry.connection = m.connection.state;
      break;
    case 'hello': {
      void replay.load(m.hello.models.map((x) => ({ name: x.name, target: x.target, preset: x.preset.id }))).catch((err: Error) => ($('replay-error').textContent = err.message));
      const friction = m.hello.models.find((x) => x.target === 'friction') ?? m.hello.models[0];
      if (friction) {
        heat.input.configure(friction.tiles, friction.preset.sampleRateHz);
        heat.friction.configure(friction.tiles, friction.preset.sampleRateHz);
        const p = friction.tiles.periodsS;
        const axis = `(periods ${p[0].toFixed(2)} s at the bottom to ${p[p.length - 1].toFixed(1)} s at the top)`;
        $('periods-input').textContent = axis;
        $('periods-friction').textContent = axis;
        // tiles are each window's centre columns: with 2 s windows no scale reaches the cone of influence
        $('coi-note').textContent = heat.friction.hasCone() ? 'hatched: cone of influence' : 'no scale shown is inside the cone of influence (centre columns of each window)';
      }
      break;
    }
    case 'session':
      session = m.session;
      telemetry.session = m.session;
      $('session').textContent = `session ${m.session}`;
      alerts.reset();
      heat.input.clear();
      heat.friction.clear();
      break;
    case 'view':
      pending = m;
      telemetry.views++;
      break;
    case 'tile':
      (m.of === 'input' ? heat.input : m.of === 'friction' ? heat.friction : null)?.addTile(m.startIndex, m.rateHz, m.data);
      telemetry.tiles++;
      break;
    case 'alert':
      alerts.onAlert(m.event, m.alert);
      telemetry.alerts++;
      break;
    case 'slip':
      alerts.onSlip(m.tS, m.dropMu);
      telemetry.slips++;
      break;
  }
};
send({ kind: 'connect', url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/stream` });

const span = $<HTMLSelectElement>('span');
// two points per pixel of plot are all a chart can show: the worker merges slots beyond that
const sendSpan = () => send({ kind: 'span', seconds: Number(span.value), maxPoints: 2 * charts.plotArea().width });
span.onchange = sendSpan;
sendSpan();

function drawHeatmaps(): void {
  const [t0, t1] = charts.xRange();
  const { left, width: w } = charts.plotArea();
  for (const h of [heat.input, heat.friction]) {
    const c = h === heat.input ? $<HTMLCanvasElement>('heat-input') : $<HTMLCanvasElement>('heat-friction');
    const cssW = c.clientWidth;
    if (c.width !== cssW) c.width = cssW;
    h.draw(t0, t1, left, w);
  }
}

function frame(): void {
  if (pending) {
    const t = performance.now();
    charts.update(pending.x, pending.series);
    drawHeatmaps();
    const s = pending.series;
    telemetry.friction = tracking(s.measuredMu, s.frictionMean);
    telemetry.ttf = tracking(s.ttfMeasured, s.ttfMean);
    const show = (t: Tracking, digits: number) => (t.n > 1 ? `MAE ${t.mae.toFixed(digits)}, r ${t.r.toFixed(2)} vs measured (${t.n} points shown)` : 'no measurement to compare');
    $('track-friction').textContent = show(telemetry.friction, 4);
    $('track-ttf').textContent = show(telemetry.ttf, 2);
    pending = null;
    telemetry.frameMs.push(performance.now() - t);
    if (telemetry.frameMs.length > 5000) telemetry.frameMs.splice(0, 2500);
  }
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);

new ResizeObserver(() => {
  charts.setSize(width());
  drawHeatmaps();
  sendSpan();
}).observe(chartsRoot);

// server status and replay state, once a second
setInterval(async () => {
  try {
    const s = (await (await fetch('/status')).json()) as ServerStatus;
    alerts.showScores(status.show(s, session));
    await replay.refresh();
  } catch {
    // the connection indicator already says the server is away
  }
}, 1000);

document.addEventListener('keydown', (e) => {
  const target = e.target as HTMLElement;
  if (e.code === 'Space' && !['INPUT', 'SELECT', 'BUTTON', 'TEXTAREA'].includes(target.tagName)) {
    e.preventDefault();
    void replay.pauseResume();
  }
});
