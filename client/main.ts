/**
 * The dashboard page: wires the stream worker (data), the charts and heat maps (drawing), and the
 * replay, alert and status panels. Drawing happens in requestAnimationFrame, only when the worker
 * sent a new view; frame times are kept for the benchmark (window.slipwatch).
 */
import { AlertsPanel } from './alerts-panel.ts';
import type { Marks } from './chart-marks.ts';
import { Charts } from './charts.ts';
import { Heatmap, lutGradient } from './heatmap.ts';
import type { HelloFrame } from '../shared/protocol/frames.ts';
import type { FromWorker, SeriesName, ToWorker } from './messages.ts';
import { ReplayPanel } from './replay-panel.ts';
import { type ServerStatus, StatusPanel } from './status-panel.ts';
import { type Tracking, tracking } from './tracking.ts';

const $ = <T extends HTMLElement>(id: string): T => {
  const e = document.getElementById(id);
  if (!e) throw new Error(`the page lacks #${id}`);
  return e as T;
};

const marks: Marks = { alerts: [], slipsS: [], adaptations: [], thresholds: null, offsetS: 0 };
const plots = $('chart-friction').parentElement!;
const width = () => Math.max(400, plots.clientWidth);
// the charts share the plots' height, less their titles and legends (about 36 px each until measured)
let overheadPx = 4 * 36;
const height = () => Math.max(320, plots.clientHeight - overheadPx);
const charts = new Charts({ ae: $('chart-ae'), friction: $('chart-friction'), ttf: $('chart-ttf'), prob: $('chart-prob') }, width(), height(), marks);
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
  speedNote: $('replay-speed'),
  error: $('replay-error'),
});
$('colourbar').style.background = lutGradient();

let session = '';
let helloModels: HelloFrame['models'] = [];

/** Heat maps for the tiles of the models at rateHz (their preset's scales and periods); false if no model has that rate. */
function configureHeat(rateHz: number): boolean {
  const m = helloModels.find((x) => x.target === 'friction' && x.preset.sampleRateHz === rateHz) ?? helloModels.find((x) => x.preset.sampleRateHz === rateHz);
  if (!m) return false;
  heat.input.configure(m.tiles, rateHz);
  heat.friction.configure(m.tiles, rateHz);
  $('cb-low').textContent = `-${m.tiles.range}`;
  $('cb-high').textContent = `+${m.tiles.range}`;
  // tiles are each window's centre columns: with 2 s windows no scale reaches the cone of influence
  $('coi-note').textContent = heat.friction.hasCone() ? 'hatched: cone of influence' : 'no scale shown is inside the cone of influence (centre columns of each window)';
  return true;
}
let pending: { x: Float64Array; series: Record<SeriesName, Float32Array> } | null = null;
/** what the benchmark and the e2e tests read: frame times (ms) and counts of what was drawn */
const telemetry = {
  frameMs: [] as number[],
  views: 0,
  tiles: 0,
  alerts: 0,
  alertsCleared: 0,
  slips: 0,
  adaptations: 0,
  session: '',
  connection: 'connecting',
  /** the experiment time of the session's first sample, and the visible experiment-time range */
  offsetS: 0,
  xRange: [0, 0] as [number, number],
  /** finite points drawn per series in the last view */
  drawn: {} as Record<string, number>,
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
      helloModels = m.hello.models;
      const first = helloModels.find((x) => x.target === 'friction') ?? helloModels[0];
      if (first) configureHeat(first.preset.sampleRateHz);
      break;
    }
    case 'session':
      session = m.session;
      telemetry.session = m.session;
      $('session').textContent = `session ${m.session}`;
      alerts.reset();
      heat.input.clear();
      heat.friction.clear();
      marks.offsetS = 0;
      offsetKnown = false;
      // nothing of the previous session is drawn or reported as drawn under the new one's offset
      pending = null;
      Object.assign(telemetry, { offsetS: 0, xRange: [0, 0], drawn: {}, friction: null, ttf: null });
      $('empty').hidden = false;
      void poll();
      break;
    case 'view':
      if (m.session !== session) break; // a view the worker made before it switched sessions
      pending = m;
      telemetry.views++;
      break;
    case 'tile':
      // a session of another preset (0.4 s windows at 500 Hz): its models' tile geometry
      if (m.rateHz !== heat.input.configuredRateHz) configureHeat(m.rateHz);
      (m.of === 'input' ? heat.input : m.of === 'friction' ? heat.friction : null)?.addTile(m.startIndex, m.rateHz, m.data);
      telemetry.tiles++;
      break;
    case 'alert':
      alerts.onAlert(m.event, m.alert);
      telemetry.alerts++;
      if (m.event === 'off') telemetry.alertsCleared++;
      break;
    case 'slip':
      alerts.onSlip(m.tS, m.dropMu);
      telemetry.slips++;
      break;
    case 'adapted':
      alerts.onAdapted(m.adaptation);
      telemetry.adaptations++;
      charts.redraw();
      break;
  }
};
send({ kind: 'connect', url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/stream` });

const span = $<HTMLSelectElement>('span');
// two points per pixel of plot are all a chart can show: the worker merges slots beyond that
const sendSpan = () => send({ kind: 'span', seconds: Number(span.value), maxPoints: 2 * charts.plotArea().width });
span.onchange = sendSpan;
sendSpan();

/** The newest view's experiment-time range (uPlot's scale catches up only after its own commit). */
let viewRange: [number, number] = [0, 0];

function drawHeatmaps(): void {
  const [t0, t1] = viewRange;
  const { left, width: w } = charts.plotArea();
  for (const [h, id] of [
    [heat.input, 'heat-input'],
    [heat.friction, 'heat-friction'],
  ] as const) {
    const c = $<HTMLCanvasElement>(id);
    if (c.width !== c.clientWidth) c.width = c.clientWidth;
    h.draw(t0 - marks.offsetS, t1 - marks.offsetS, left, w, marks.offsetS);
  }
}

const finite = (a: Float32Array) => a.reduce((n, v) => n + (Number.isFinite(v) ? 1 : 0), 0);

/** What the tracking line says, for whichever models and measurements the session has. */
function trackingText(t: Tracking, predicted: number, measured: number, digits: number, unit: string): string {
  if (predicted === 0) return measured > 0 ? 'no model for it in this session (measured shown)' : 'no prediction yet';
  if (measured === 0) return 'nothing measured yet to compare with';
  return t.n > 1 ? `MAE ${t.mae.toFixed(digits)}${unit}, r ${t.r.toFixed(2)} vs measured (${t.n} points shown)` : 'too few points to compare';
}

/** The probability chart says why it is empty while the forecaster has nothing to say yet. */
let probShown: boolean | null = null;
function probTitle(shown: boolean): void {
  if (shown === probShown) return;
  probShown = shown;
  const title = document.querySelector('#chart-prob .u-title');
  if (title) title.textContent = `Failure probability (forecaster)${shown ? '' : ' · none yet: the forecaster starts once it has seen slips (it forecasts from the running recurrence)'}`;
}

function frame(): void {
  if (pending && offsetKnown) {
    const t = performance.now();
    charts.update(pending.x, pending.series);
    if (pending.x.length) viewRange = [pending.x[0] + marks.offsetS, pending.x[pending.x.length - 1] + marks.offsetS];
    drawHeatmaps();
    const s = pending.series;
    telemetry.friction = tracking(s.measuredMu, s.frictionMean);
    telemetry.ttf = tracking(s.ttfMeasured, s.ttfMean);
    telemetry.drawn = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, finite(v)]));
    telemetry.xRange = viewRange;
    $('track-friction').textContent = trackingText(telemetry.friction, telemetry.drawn.frictionMean, telemetry.drawn.measuredMu, 4, '');
    $('track-ttf').textContent = trackingText(telemetry.ttf, telemetry.drawn.ttfMean, telemetry.drawn.ttfMeasured, 2, ' s');
    if (pending.x.length) alerts.advance(pending.x[pending.x.length - 1]);
    probTitle(telemetry.drawn.probability > 0);
    $('empty').hidden = true;
    pending = null;
    telemetry.frameMs.push(performance.now() - t);
    if (telemetry.frameMs.length > 5000) telemetry.frameMs.splice(0, 2500);
  }
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);

new ResizeObserver(() => {
  overheadPx = charts.overheadPx() || overheadPx;
  charts.setSize(width(), height());
  drawHeatmaps();
  sendSpan();
}).observe(plots);

/** Until /status says where the session starts in the experiment, nothing is drawn at a wrong time. */
let offsetKnown = false;

/** Server status and replay state: the session's experiment time, whether it ended, how fast it runs. */
async function poll(): Promise<void> {
  try {
    const s = (await (await fetch('/status')).json()) as ServerStatus;
    status.show(s, session);
    marks.thresholds = s.alerting;
    $('threshold-values').textContent = s.alerting ? `(P(slip within ${s.alerting.horizonS} s): on above ${s.alerting.onAbove.toFixed(2)}, off below ${s.alerting.offBelow.toFixed(2)})` : '(no forecaster: alerts from the TTF nowcast)';
    const info = s.sessions?.[session];
    if (info && (!offsetKnown || marks.offsetS !== info.experimentStartS)) {
      marks.offsetS = info.experimentStartS;
      telemetry.offsetS = info.experimentStartS;
      offsetKnown = true;
      alerts.render();
      charts.redraw();
    }
    const current = await replay.refresh(s, session);
    if (info && !info.running) alerts.sessionEnded('ended');
    else if (!current && session && replay.lastOf(session)) alerts.sessionEnded(replay.lastOf(session)!);
  } catch {
    // the connection indicator already says the server is away
  }
}
setInterval(poll, 1000);

document.addEventListener('keydown', (e) => {
  const target = e.target as HTMLElement;
  if (e.code === 'Space' && !['INPUT', 'SELECT', 'BUTTON', 'TEXTAREA'].includes(target.tagName)) {
    e.preventDefault();
    void replay.pauseResume();
  }
});
