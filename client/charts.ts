/**
 * The four time charts (uPlot), sharing one cursor and one experiment-time axis: AE envelope;
 * friction measured, averaged (+-1 std band) and nowcast; time to failure the same against the
 * measured countdown; the failure probability with the alert rule's thresholds, labelled. Alerts
 * are shaded and slips marked on every chart; a model adapted live (hot-swapped, issue 13) is a
 * solid line on the chart of its target. Data arrive in session time; offsetS (the session's
 * experimentStartS) turns them into experiment time.
 */
import uPlot from 'uplot';
import { COLOURS, labelThresholds, type Marks, marksPlugin } from './chart-marks.ts';
import type { SeriesName } from './messages.ts';

const SYNC = 'slipwatch';

const fmt = (digits: number) => (_u: uPlot, v: number | null) => (v == null ? '-' : v.toFixed(digits));

const SMALL_FONT = '10px system-ui, sans-serif';

/** Only the bottom chart labels the shared time axis; the others keep its ticks, compactly. */
function options(title: string, unit: string, width: number, height: number, series: uPlot.Series[], extra: Partial<uPlot.Options> = {}, bottom = false): uPlot.Options {
  return {
    title,
    width,
    height,
    cursor: { sync: { key: SYNC }, drag: { x: false, y: false } },
    scales: { x: { time: false } },
    axes: [bottom ? { label: 'experiment time (s)', labelSize: 14, size: 30 } : { size: 18, font: SMALL_FONT, ticks: { size: 4 } }, { label: unit, labelSize: 16, size: 62 }],
    legend: { live: true },
    series: [{ label: 't (s)', value: fmt(2) }, ...series],
    ...extra,
  };
}

const line = (label: string, stroke: string, digits: number, width = 1.5, dash?: number[]): uPlot.Series => ({ label, stroke, width, dash, spanGaps: false, points: { show: false }, value: fmt(digits) });
// the band's upper bound carries the band's swatch in the legend; the lower bound is hidden there
const bandTop = (digits: number): uPlot.Series => ({ label: '+-1 std band (upper)', stroke: 'transparent', fill: COLOURS.band, width: 0, points: { show: false }, spanGaps: false, value: fmt(digits) });
const bandLow = (digits: number): uPlot.Series => ({ label: '(lower)', class: 'legend-hidden', stroke: 'transparent', width: 0, points: { show: false }, spanGaps: false, value: fmt(digits) });

/** The probability chart: P from 0 to 1 with ticks at 0, 0.5 and 1, the shared time axis labelled under it. */
function probOptions(width: number, height: number): uPlot.Options {
  const o = options('Failure probability (forecaster)', 'P (0-1)', width, height, [line('P(slip within horizon)', COLOURS.prob, 2, 1.5)], { scales: { x: { time: false }, y: { range: [0, 1] } } }, true);
  o.axes![1] = { ...o.axes![1], splits: () => [0, 0.5, 1] };
  return o;
}

type Data = (number | null)[][];
type Name = 'ae' | 'friction' | 'ttf' | 'prob';
// the probability chart gets as much as TTF: its thresholds and each alert's P must read at 1280x800
export const CHART_SHARE: Record<Name, number> = { ae: 0.18, friction: 0.28, ttf: 0.27, prob: 0.27 };

export class Charts {
  private readonly charts: Record<Name, uPlot>;
  private readonly data: Record<Name, Data> = { ae: [[], []], friction: [[], [], [], [], [], []], ttf: [[], [], [], [], [], []], prob: [[], []] };

  constructor(root: Record<Name, HTMLElement>, width: number, height: number, readonly marks: Marks) {
    const plugins = (target = '') => [marksPlugin(marks, false, target)];
    const h = (n: Name) => Math.max(70, Math.round(height * CHART_SHARE[n]));
    this.charts = {
      ae: new uPlot({ ...options('AE envelope (conditioned, channel norm)', 'V (log)', width, h('ae'), [line('envelope', '#7f7f7f', 4)], { scales: { x: { time: false }, y: { distr: 3 } } }), plugins: plugins() }, this.data.ae as uPlot.AlignedData, root.ae),
      friction: new uPlot(
        { ...options('Friction coefficient', 'mu', width, h('friction'), [line('measured', COLOURS.meas, 4), line('averaged (acausal)', COLOURS.avg, 4, 2), bandTop(4), bandLow(4), line('nowcast (causal)', COLOURS.now, 4, 1)]), bands: [{ series: [3, 4], fill: COLOURS.band }], plugins: plugins('friction') },
        this.data.friction as uPlot.AlignedData,
        root.friction,
      ),
      ttf: new uPlot(
        { ...options('Time to failure', 's', width, h('ttf'), [line('measured', COLOURS.meas, 2, 1.5, [6, 3]), line('averaged (acausal)', COLOURS.avg, 2, 2), bandTop(2), bandLow(2), line('nowcast (causal)', COLOURS.now, 2, 1)]), bands: [{ series: [3, 4], fill: COLOURS.band }], plugins: plugins('ttf') },
        this.data.ttf as uPlot.AlignedData,
        root.ttf,
      ),
      prob: new uPlot(
        {
          ...probOptions(width, h('prob')),
          plugins: [marksPlugin(marks, true), { hooks: { draw: (u: uPlot) => void (marks.thresholds && labelThresholds(u, marks.thresholds)) } }],
        },
        this.data.prob as uPlot.AlignedData,
        root.prob,
      ),
    };
  }

  /** The plotting area's left edge and width in CSS pixels (heat maps line up with it). */
  plotArea(): { left: number; width: number } {
    const b = this.charts.friction.bbox;
    return { left: b.left / devicePixelRatio, width: b.width / devicePixelRatio };
  }

  /** The visible experiment-time range. */
  xRange(): [number, number] {
    const x = this.charts.friction.scales.x;
    return [x.min ?? 0, x.max ?? 0];
  }

  /** What the charts take beyond their canvases (titles, legends), measured: the rest of the height is theirs. */
  overheadPx(): number {
    return Object.values(this.charts).reduce((sum, c) => sum + Math.max(0, c.root.getBoundingClientRect().height - c.height), 0);
  }

  setSize(width: number, height: number): void {
    for (const n of Object.keys(this.charts) as Name[]) this.charts[n].setSize({ width, height: Math.max(70, Math.round(height * CHART_SHARE[n])) });
  }

  /** Redraw the marks (an alert or slip came, the offset changed) without new data. */
  redraw(): void {
    for (const c of Object.values(this.charts)) c.redraw(false, false);
  }

  /** New data: reuse the arrays (no garbage per frame); NaN becomes null, which uPlot draws as a gap. */
  update(x: Float64Array, s: Record<SeriesName, Float32Array>): void {
    const off = this.marks.offsetS;
    const fill = (d: Data, cols: ((i: number) => number)[]) => {
      for (let col = 0; col <= cols.length; col++) d[col].length = x.length;
      for (let i = 0; i < x.length; i++) {
        d[0][i] = x[i] + off;
        for (let k = 0; k < cols.length; k++) {
          const v = cols[k](i);
          d[k + 1][i] = Number.isFinite(v) ? v : null;
        }
      }
    };
    fill(this.data.ae, [(i) => s.envelope[i]]);
    fill(this.data.friction, [(i) => s.measuredMu[i], (i) => s.frictionMean[i], (i) => s.frictionMean[i] + s.frictionStd[i], (i) => s.frictionMean[i] - s.frictionStd[i], (i) => s.frictionNow[i]]);
    fill(this.data.ttf, [(i) => s.ttfMeasured[i], (i) => s.ttfMean[i], (i) => s.ttfMean[i] + s.ttfStd[i], (i) => s.ttfMean[i] - s.ttfStd[i], (i) => s.ttfNow[i]]);
    fill(this.data.prob, [(i) => s.probability[i]]);
    for (const n of Object.keys(this.charts) as Name[]) this.charts[n].setData(this.data[n] as uPlot.AlignedData);
  }
}
