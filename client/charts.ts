/**
 * The three time charts (uPlot), sharing one cursor: AE envelope; friction measured and predicted
 * with a +-1 std band; time to failure predicted (band) against measured. Alerts are shaded and
 * slips marked on the friction and TTF charts.
 */
import uPlot from 'uplot';
import type { SeriesName } from './messages.ts';

export interface Marks {
  alerts: { onS: number; offS?: number }[];
  slipsS: number[];
}

const SYNC = 'slipwatch';
const BAND = 'rgba(31, 119, 180, 0.18)';
const PRED = '#1f77b4';
const MEAS = '#333';

/** Shade alerts and mark slips: drawn under the series on every redraw. */
function marksPlugin(marks: Marks): uPlot.Plugin {
  return {
    hooks: {
      drawClear: (u: uPlot) => {
        const ctx = u.ctx;
        const { top, height } = u.bbox;
        const [x0, x1] = [u.scales.x.min ?? 0, u.scales.x.max ?? 0];
        ctx.save();
        ctx.fillStyle = 'rgba(214, 39, 40, 0.15)';
        for (const a of marks.alerts) {
          const from = Math.max(a.onS, x0);
          const to = Math.min(a.offS ?? x1, x1);
          if (to <= from) continue;
          const l = u.valToPos(from, 'x', true);
          ctx.fillRect(l, top, u.valToPos(to, 'x', true) - l, height);
        }
        ctx.strokeStyle = 'rgba(0, 0, 0, 0.55)';
        ctx.setLineDash([4, 3]);
        ctx.lineWidth = 1;
        for (const s of marks.slipsS) {
          if (s < x0 || s > x1) continue;
          const x = Math.round(u.valToPos(s, 'x', true)) + 0.5;
          ctx.beginPath();
          ctx.moveTo(x, top);
          ctx.lineTo(x, top + height);
          ctx.stroke();
        }
        ctx.restore();
      },
    },
  };
}

function options(title: string, width: number, height: number, series: uPlot.Series[], extra: Partial<uPlot.Options> = {}): uPlot.Options {
  return {
    title,
    width,
    height,
    cursor: { sync: { key: SYNC }, drag: { x: false, y: false } },
    scales: { x: { time: false } },
    axes: [{ label: 'time (s)' }, { size: 60 }],
    legend: { live: true },
    series: [{ label: 't (s)', value: (_u, v) => (v == null ? '-' : v.toFixed(2)) }, ...series],
    ...extra,
  };
}

const line = (label: string, stroke: string, width = 1.5, dash?: number[]): uPlot.Series => ({ label, stroke, width, dash, spanGaps: false, points: { show: false } });
const bound = (label: string): uPlot.Series => ({ label, stroke: 'transparent', width: 0, points: { show: false }, spanGaps: false });

type Data = (number | null)[][];

export class Charts {
  private readonly ae: uPlot;
  private readonly friction: uPlot;
  private readonly ttf: uPlot;
  private readonly data: Record<'ae' | 'friction' | 'ttf', Data> = { ae: [[], []], friction: [[], [], [], [], []], ttf: [[], [], [], [], []] };

  constructor(root: { ae: HTMLElement; friction: HTMLElement; ttf: HTMLElement }, width: number, readonly marks: Marks) {
    const plugins = [marksPlugin(marks)];
    this.ae = new uPlot(
      options('AE envelope (conditioned, model rate)', width, 150, [line('envelope', '#7f7f7f')], { scales: { x: { time: false }, y: { distr: 3 } } }),
      this.data.ae as uPlot.AlignedData,
      root.ae,
    );
    this.friction = new uPlot(
      { ...options('Friction coefficient', width, 220, [line('measured', MEAS), line('predicted', PRED, 2), bound('+1 std'), bound('-1 std')]), bands: [{ series: [3, 4], fill: BAND }], plugins },
      this.data.friction as uPlot.AlignedData,
      root.friction,
    );
    this.ttf = new uPlot(
      { ...options('Time to failure (s)', width, 200, [line('measured', MEAS, 1.5, [6, 3]), line('predicted', PRED, 2), bound('+1 std'), bound('-1 std')]), bands: [{ series: [3, 4], fill: BAND }], plugins },
      this.data.ttf as uPlot.AlignedData,
      root.ttf,
    );
  }

  /** The plotting area's left edge and width in CSS pixels (heat maps line up with it). */
  plotArea(): { left: number; width: number } {
    const b = this.friction.bbox;
    return { left: b.left / devicePixelRatio, width: b.width / devicePixelRatio };
  }

  xRange(): [number, number] {
    return [this.friction.scales.x.min ?? 0, this.friction.scales.x.max ?? 0];
  }

  setSize(width: number): void {
    for (const [c, h] of [
      [this.ae, 150],
      [this.friction, 220],
      [this.ttf, 200],
    ] as const)
      c.setSize({ width, height: h });
  }

  /** New data: reuse the arrays (no garbage per frame); NaN becomes null, which uPlot draws as a gap. */
  update(x: Float64Array, s: Record<SeriesName, Float32Array>): void {
    const fill = (d: Data, cols: ((i: number) => number)[]) => {
      for (const col of [0, ...cols.map((_, k) => k + 1)]) d[col].length = x.length;
      for (let i = 0; i < x.length; i++) {
        d[0][i] = x[i];
        for (let k = 0; k < cols.length; k++) {
          const v = cols[k](i);
          d[k + 1][i] = Number.isFinite(v) ? v : null;
        }
      }
    };
    fill(this.data.ae, [(i) => s.envelope[i]]);
    fill(this.data.friction, [(i) => s.measuredMu[i], (i) => s.frictionMean[i], (i) => s.frictionMean[i] + s.frictionStd[i], (i) => s.frictionMean[i] - s.frictionStd[i]]);
    fill(this.data.ttf, [(i) => s.ttfMeasured[i], (i) => s.ttfMean[i], (i) => s.ttfMean[i] + s.ttfStd[i], (i) => s.ttfMean[i] - s.ttfStd[i]]);
    this.ae.setData(this.data.ae as uPlot.AlignedData);
    this.friction.setData(this.data.friction as uPlot.AlignedData);
    this.ttf.setData(this.data.ttf as uPlot.AlignedData);
  }
}
