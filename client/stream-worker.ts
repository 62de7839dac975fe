/**
 * The dashboard's stream worker: owns the WebSocket to /stream (reconnecting with backoff),
 * decodes msgpackr frames (shared/protocol.ts) and keeps the bounded history (TimeGrid), so the
 * page's thread only draws. Follows the newest session: a frame from a session it has not seen
 * starts a fresh history; late frames of an older session are ignored.
 */
import { decodeFrame } from '../shared/protocol/codec.ts';
import { type StreamFrame } from '../shared/protocol/frames.ts';
import { DISPLAY_HZ, type FromWorker, HISTORY_S, SERIES, type SeriesName, type ToWorker } from './messages.ts';
import { TimeGrid } from './time-grid.ts';

const post = (m: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

let grid = new TimeGrid<SeriesName>(SERIES, DISPLAY_HZ, HISTORY_S);
let session = '';
const seen = new Set<string>();
let lastSlipS = Number.NaN;
let spanSlots = 60 * DISPLAY_HZ;
let maxPoints = 2000;
let dirty = false;

function follow(s: string): boolean {
  if (s === session) return true;
  if (seen.has(s)) return false; // an older session's late frames
  seen.add(s);
  session = s;
  grid = new TimeGrid<SeriesName>(SERIES, DISPLAY_HZ, HISTORY_S);
  lastSlipS = Number.NaN;
  post({ kind: 'session', session: s });
  return true;
}

function handle(f: StreamFrame): void {
  if (f.type === 'hello') return post({ kind: 'hello', hello: f });
  if (!follow(f.session)) return;
  switch (f.type) {
    case 'prediction': {
      const [mean, std]: SeriesName[] = f.target === 'ttf' ? ['ttfMean', 'ttfStd'] : ['frictionMean', 'frictionStd'];
      grid.add(mean, f.startIndex, f.rateHz, f.mean);
      grid.add(std, f.startIndex, f.rateHz, f.std);
      dirty = true;
      break;
    }
    case 'nowcast':
      grid.add(f.target === 'ttf' ? 'ttfNow' : 'frictionNow', f.startIndex, f.rateHz, f.values);
      dirty = true;
      break;
    case 'forecast':
      grid.add('probability', f.startIndex, f.rateHz, f.probability);
      dirty = true;
      break;
    case 'envelope':
      grid.add('envelope', f.startIndex, f.rateHz, f.values);
      dirty = true;
      break;
    case 'measured':
      grid.add('measuredMu', f.startIndex, f.rateHz, f.mu);
      dirty = true;
      break;
    case 'slip': {
      // the measured time to failure is known back to the previous slip once this one happened
      const from = Number.isNaN(lastSlipS) ? Math.max(0, f.tS - HISTORY_S) : lastSlipS;
      grid.fill('ttfMeasured', from, f.tS, (t) => f.tS - t);
      lastSlipS = f.tS;
      dirty = true;
      post({ kind: 'slip', tS: f.tS, dropMu: f.dropMu });
      break;
    }
    case 'alert':
      post({ kind: 'alert', event: f.event, alert: f.alert });
      break;
    case 'adapted':
      // not swapped: no index; listed at the newest data time, when the outcome came
      post({
        kind: 'adapted',
        adaptation: { target: f.target, tS: f.fromStartIndex !== null ? f.fromStartIndex / f.rateHz : Math.max(0, grid.newestSlot / DISPLAY_HZ), cycles: f.cycles, beforeR2: f.before.r2, afterR2: f.after.r2, swapped: f.swapped, ...(f.reason ? { reason: f.reason } : {}) },
      });
      break;
    case 'tile':
      post({ kind: 'tile', of: f.of, startIndex: f.startIndex, rateHz: f.rateHz, data: f.data }, [f.data.buffer as ArrayBuffer]);
      break;
  }
}

// views go to the page at most 20 times a second, and only when something changed
setInterval(() => {
  if (!dirty || grid.newestSlot < 0) return;
  dirty = false;
  const { x, series } = grid.view(spanSlots, maxPoints);
  post({ kind: 'view', session, x, series }, [x.buffer, ...Object.values(series).map((s) => s.buffer)]);
}, 50);

let url = '';
let backoffS = 0.5;
function connect(): void {
  post({ kind: 'connection', connection: { state: 'connecting' } });
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  ws.onopen = () => {
    backoffS = 0.5;
    post({ kind: 'connection', connection: { state: 'open' } });
  };
  ws.onmessage = (e) => {
    try {
      handle(decodeFrame(new Uint8Array(e.data as ArrayBuffer)) as StreamFrame);
    } catch (err) {
      console.error('slipwatch: bad frame', err);
    }
  };
  ws.onclose = (e) => {
    const retryInS = backoffS;
    backoffS = Math.min(backoffS * 2, 8);
    post({ kind: 'connection', connection: { state: 'closed', reason: e.reason || `code ${e.code}`, retryInS } });
    setTimeout(connect, retryInS * 1000);
  };
}

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  if (m.kind === 'connect' && !url) {
    url = m.url;
    connect();
  } else if (m.kind === 'span') {
    spanSlots = Math.max(2, Math.round(m.seconds * DISPLAY_HZ));
    maxPoints = Math.max(100, Math.round(m.maxPoints));
    dirty = true;
  }
};
