/**
 * Seed 003's learning-curve figure and table from summaries: one SVG panel per task (score against
 * labelled cycles on a log axis, each row's mean as a line, +-1 standard deviation as a band), and
 * a Markdown table. Hand-written SVG: no plotting dependency.
 */
import type { AppTask } from '../model/autoencoder.ts';
import type { CurveSummary } from './ae-curve.ts';
import { scoreName } from './ae-scores.ts';

const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
const TITLES: Record<AppTask, string> = { friction: 'Friction', ttf: 'Time to failure', slip: 'Slip within H' };
/** R^2 axes stop here: lower means and bands are drawn on the floor (the table has the values). */
const R2_FLOOR = -1;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

interface Panel {
  x0: number;
  y0: number;
  w: number;
  h: number;
}

function niceRange(lo: number, hi: number): [number, number] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  const pad = Math.max(0.02, (hi - lo) * 0.05);
  return [Math.floor((lo - pad) * 10) / 10, Math.ceil((hi + pad) * 10) / 10];
}

/** Scores of the served models on the same windows, drawn as a dashed line and listed as a table row. */
export type Reference = Partial<Record<AppTask, number>>;

function panelSvg(task: AppTask, rows: string[], s: CurveSummary[], p: Panel, xs: number[], ref?: number): string {
  const mine = s.filter((x) => x.task === task && Number.isFinite(x.mean));
  const extra = ref !== undefined && Number.isFinite(ref) ? [ref] : [];
  const [rawLo, rawHi] = niceRange(Math.min(...mine.map((x) => x.mean - (x.std || 0)), ...extra), Math.max(...mine.map((x) => x.mean + (x.std || 0)), ...extra));
  // R^2 can fall without bound; below -1 a model is useless anyway, and the axis would hide the rest
  const lo = task === 'slip' ? rawLo : Math.max(rawLo, R2_FLOOR);
  const hi = Math.min(rawHi, 1); // neither R^2 nor AUC exceeds 1
  const [lx0, lx1] = [Math.log10(Math.min(...xs)), Math.log10(Math.max(...xs))];
  const X = (c: number) => p.x0 + ((Math.log10(c) - lx0) / (lx1 - lx0 || 1)) * p.w;
  const Y = (v: number) => p.y0 + p.h - ((Math.min(hi, Math.max(v, lo)) - lo) / (hi - lo)) * p.h;
  const out = [`<rect x="${p.x0}" y="${p.y0}" width="${p.w}" height="${p.h}" fill="none" stroke="#999"/>`, `<text x="${p.x0 + p.w / 2}" y="${p.y0 - 8}" text-anchor="middle" font-weight="bold">${TITLES[task]} (${esc(scoreName(task))})</text>`];
  for (let k = 0; k <= 4; k++) {
    const v = lo + ((hi - lo) * k) / 4;
    out.push(`<line x1="${p.x0 - 4}" x2="${p.x0}" y1="${Y(v)}" y2="${Y(v)}" stroke="#999"/><text x="${p.x0 - 6}" y="${Y(v) + 4}" text-anchor="end">${v.toFixed(2)}</text>`);
  }
  for (const c of xs) out.push(`<line x1="${X(c)}" x2="${X(c)}" y1="${p.y0 + p.h}" y2="${p.y0 + p.h + 4}" stroke="#999"/><text x="${X(c)}" y="${p.y0 + p.h + 16}" text-anchor="middle">${c}</text>`);
  out.push(`<text x="${p.x0 + p.w / 2}" y="${p.y0 + p.h + 32}" text-anchor="middle">labelled lab data, cycles (log)</text>`);
  if (extra.length) out.push(`<line x1="${p.x0}" x2="${p.x0 + p.w}" y1="${Y(extra[0])}" y2="${Y(extra[0])}" stroke="#000" stroke-dasharray="5,4"/>`);
  rows.forEach((row, i) => {
    const pts = mine.filter((x) => x.row === row).sort((a, b) => a.cycles - b.cycles);
    if (!pts.length) return;
    const colour = COLOURS[i % COLOURS.length];
    const band = [...pts.map((q) => `${X(q.cycles)},${Y(q.mean + (q.std || 0))}`), ...[...pts].reverse().map((q) => `${X(q.cycles)},${Y(q.mean - (q.std || 0))}`)];
    out.push(`<polygon points="${band.join(' ')}" fill="${colour}" fill-opacity="0.12" stroke="none"/>`);
    out.push(`<polyline points="${pts.map((q) => `${X(q.cycles)},${Y(q.mean)}`).join(' ')}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    for (const q of pts) out.push(`<circle cx="${X(q.cycles)}" cy="${Y(q.mean)}" r="3" fill="${colour}"/>`);
  });
  return out.join('\n');
}

/** The figure: three panels side by side and a legend of the rows. */
export function curveSvg(summaries: CurveSummary[], rows: string[], caption: string, reference: Reference = {}): string {
  const tasks: AppTask[] = ['friction', 'ttf', 'slip'];
  const xs = [...new Set(summaries.map((s) => s.cycles))].sort((a, b) => a - b);
  const [pw, ph, left, top] = [300, 240, 60, 40];
  const width = left + tasks.length * (pw + 70);
  const height = top + ph + 60 + 18 * Math.ceil(rows.length / 3) + 24;
  const panels = tasks.map((t, i) => panelSvg(t, rows, summaries, { x0: left + i * (pw + 70), y0: top, w: pw, h: ph }, xs, reference[t]));
  const legend = rows.map((r, i) => {
    const [x, y] = [left + (i % 3) * 260, top + ph + 56 + 18 * Math.floor(i / 3)];
    return `<line x1="${x}" x2="${x + 24}" y1="${y - 4}" y2="${y - 4}" stroke="${COLOURS[i % COLOURS.length]}" stroke-width="3"/><text x="${x + 30}" y="${y}">${esc(r)}</text>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...panels,
    ...legend,
    `<text x="${left}" y="${height - 8}" fill="#555">${esc(caption)}${Object.keys(reference).length ? '; dashed: the served CEDs on the same windows' : ''}; R^2 axes clipped at ${R2_FLOOR}</text>`,
    '</svg>',
    '',
  ].join('\n');
}

/** One Markdown table per task: rows x amounts, "mean +- std (n)". */
export function curveTable(summaries: CurveSummary[], rows: string[], reference: Reference = {}): string {
  const xs = [...new Set(summaries.map((s) => s.cycles))].sort((a, b) => a - b);
  const parts: string[] = [];
  for (const task of ['friction', 'ttf', 'slip'] as AppTask[]) {
    parts.push(`**${TITLES[task]}**, test ${scoreName(task)} (mean +- std over runs, n runs)\n`);
    parts.push(`| row | ${xs.map((c) => `${c} cycles`).join(' | ')} |`, `|---|${xs.map(() => '---:').join('|')}|`);
    for (const row of rows) {
      const cells = xs.map((c) => {
        const s = summaries.find((q) => q.row === row && q.task === task && q.cycles === c);
        return s ? `${s.mean.toFixed(3)} +- ${Number.isFinite(s.std) ? s.std.toFixed(3) : 'n/a'} (${s.n})` : '';
      });
      if (cells.some(Boolean)) parts.push(`| ${row} | ${cells.join(' | ')} |`);
    }
    const ref = reference[task];
    if (ref !== undefined) parts.push(`| served CED (all training cycles, ${task === 'slip' ? 'ranked by its TTF' : 'window end'}) | ${xs.map((_, i) => (i === xs.length - 1 ? ref.toFixed(3) : '')).join(' | ')} |`);
    parts.push('');
  }
  return parts.join('\n');
}
