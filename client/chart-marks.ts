/**
 * What the charts mark besides their series: alerts shaded, slips as dashed lines, models adapted
 * live as solid lines on their target's chart, and the alert rule's thresholds on the probability
 * chart (labelled over the series). Marks are kept in session time; offsetS turns them into
 * experiment time.
 */
import type uPlot from 'uplot';

export interface Marks {
  /** session time, s */
  alerts: { onS: number; offS?: number; probability?: number }[];
  slipsS: number[];
  /** models adapted live: from when the new model predicts (session time, s), its target, swapped or kept */
  adaptations: { tS: number; target: string; swapped: boolean }[];
  /** the alert rule drawn on the probability chart (null: no forecaster) */
  thresholds: { onAbove: number; offBelow: number } | null;
  offsetS: number;
}

export const COLOURS = { band: 'rgba(31, 119, 180, 0.18)', avg: '#1f77b4', now: '#ff7f0e', meas: '#333', alert: 'rgba(214, 39, 40, 0.15)', slip: 'rgba(0, 0, 0, 0.6)', prob: '#9467bd', adapted: '#2ca02c', on: '#c62828', off: '#2e7d32' };

/** A model adapted live: a solid line from where the new model predicts, labelled (dashed grey: tried, not swapped). */
function drawAdaptations(u: uPlot, marks: Marks, target: string): void {
  const ctx = u.ctx;
  const { top, height } = u.bbox;
  const [x0, x1] = [u.scales.x.min ?? 0, u.scales.x.max ?? 0];
  ctx.font = `${10 * devicePixelRatio}px system-ui, sans-serif`;
  ctx.textAlign = 'left';
  ctx.lineWidth = 2 * devicePixelRatio;
  for (const a of marks.adaptations) {
    const t = a.tS + marks.offsetS;
    if (a.target !== target || t < x0 || t > x1) continue;
    const x = Math.round(u.valToPos(t, 'x', true)) + 0.5;
    ctx.strokeStyle = ctx.fillStyle = a.swapped ? COLOURS.adapted : '#999';
    ctx.setLineDash(a.swapped ? [] : [2, 2]);
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
    ctx.fillText(a.swapped ? 'adapted' : 'adapt kept old', x + 3 * devicePixelRatio, top + 10 * devicePixelRatio);
  }
}

/** The alert rule: on above (red) and off below (green), dashed across the chart (under the series). */
function drawThresholds(u: uPlot, th: { onAbove: number; offBelow: number }): void {
  const ctx = u.ctx;
  const { left, width } = u.bbox;
  ctx.lineWidth = devicePixelRatio;
  ctx.setLineDash([6, 4]);
  for (const [v, colour] of [
    [th.onAbove, COLOURS.on],
    [th.offBelow, COLOURS.off],
  ] as const) {
    const y = Math.round(u.valToPos(v, 'y', true)) + 0.5;
    ctx.strokeStyle = colour;
    ctx.beginPath();
    ctx.moveTo(left, y);
    ctx.lineTo(left + width, y);
    ctx.stroke();
  }
}

/** The thresholds' labels at the plot's left edge, on a white ground over the series, so they stay readable. */
export function labelThresholds(u: uPlot, th: { onAbove: number; offBelow: number }): void {
  const ctx = u.ctx;
  const px = devicePixelRatio;
  ctx.save();
  ctx.font = `${10 * px}px system-ui, sans-serif`;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  for (const [v, colour, label] of [
    [th.onAbove, COLOURS.on, `alert on above ${th.onAbove.toFixed(2)}`],
    [th.offBelow, COLOURS.off, `off below ${th.offBelow.toFixed(2)}`],
  ] as const) {
    const y = u.valToPos(v, 'y', true);
    const w = ctx.measureText(label).width + 6 * px;
    ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
    ctx.fillRect(u.bbox.left + 2 * px, y - 7 * px, w, 14 * px);
    ctx.fillStyle = colour;
    ctx.fillText(label, u.bbox.left + 5 * px, y);
  }
  ctx.restore();
}

/** Shade alerts, mark slips and adaptations (and thresholds on the probability chart): drawn under the series. */
export function marksPlugin(marks: Marks, thresholds = false, target = ''): uPlot.Plugin {
  return {
    hooks: {
      drawClear: (u: uPlot) => {
        const ctx = u.ctx;
        const { top, height, left, width } = u.bbox;
        const [x0, x1] = [u.scales.x.min ?? 0, u.scales.x.max ?? 0];
        const off = marks.offsetS;
        ctx.save();
        ctx.fillStyle = COLOURS.alert;
        for (const a of marks.alerts) {
          const from = Math.max(a.onS + off, x0);
          const to = Math.min(a.offS === undefined ? x1 : a.offS + off, x1);
          if (to <= from) continue;
          const l = u.valToPos(from, 'x', true);
          ctx.fillRect(l, top, u.valToPos(to, 'x', true) - l, height);
        }
        ctx.strokeStyle = COLOURS.slip;
        ctx.setLineDash([4, 3]);
        ctx.lineWidth = devicePixelRatio;
        for (const s of marks.slipsS) {
          if (s + off < x0 || s + off > x1) continue;
          const x = Math.round(u.valToPos(s + off, 'x', true)) + 0.5;
          ctx.beginPath();
          ctx.moveTo(x, top);
          ctx.lineTo(x, top + height);
          ctx.stroke();
        }
        // each alert's probability at its issue time (what the rule fired on)
        if (thresholds) {
          ctx.fillStyle = COLOURS.on;
          for (const a of marks.alerts) {
            if (a.probability === undefined || a.onS + off < x0 || a.onS + off > x1) continue;
            ctx.beginPath();
            ctx.arc(u.valToPos(a.onS + off, 'x', true), u.valToPos(a.probability, 'y', true), 3 * devicePixelRatio, 0, 2 * Math.PI);
            ctx.fill();
          }
        }
        if (thresholds && marks.thresholds) drawThresholds(u, marks.thresholds);
        if (target) drawAdaptations(u, marks, target);
        ctx.restore();
      },
    },
  };
}

