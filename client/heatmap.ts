/**
 * A scrolling scalogram heat map: tiles (the centre columns of each window's scalogram, quantised,
 * shared/tiles.ts) land in a fixed ring of columns at the model rate; drawing samples the ring at
 * the canvas's pixel columns for the charts' time range. Scales run from the shortest period at
 * the bottom to the longest at the top; rows inside the cone of influence are hatched.
 */
import type { TileGeometry } from '../shared/protocol/frames.ts';
import { HISTORY_S } from './messages.ts';

/** A diverging map, blue (negative) - white - red (positive), 256 entries as RGBA. */
function divergingLut(): Uint32Array {
  const lut = new Uint32Array(256);
  const view = new DataView(lut.buffer);
  for (let i = 0; i < 256; i++) {
    const t = (i - 127.5) / 127.5; // -1..1
    const a = Math.abs(t) ** 0.8;
    const [r, g, b] = t < 0 ? [255 * (1 - a) + 33 * a, 255 * (1 - a) + 102 * a, 255 * (1 - a) + 172 * a] : [255 * (1 - a) + 178 * a, 255 * (1 - a) + 24 * a, 255 * (1 - a) + 43 * a];
    view.setUint8(i * 4, Math.round(r));
    view.setUint8(i * 4 + 1, Math.round(g));
    view.setUint8(i * 4 + 2, Math.round(b));
    view.setUint8(i * 4 + 3, 255);
  }
  return lut;
}
const LUT = divergingLut();

/** The map as a CSS gradient (the page's colour bar shows exactly these colours). */
export function lutGradient(): string {
  const stops = [0, 32, 64, 96, 128, 160, 192, 224, 255].map((i) => {
    const v = LUT[i];
    return `rgb(${v & 255}, ${(v >> 8) & 255}, ${(v >> 16) & 255}) ${((100 * i) / 255).toFixed(0)}%`;
  });
  return `linear-gradient(to right, ${stops.join(', ')})`;
}

/** Pixels under the image kept for the time axis. */
const AXIS_PX = 14;

/** A "nice" tick step (1, 2 or 5 x 10^k) giving about n ticks over span. */
function niceStep(span: number, n: number): number {
  const raw = span / n;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((k) => k * p).find((s) => s >= raw) ?? 10 * p;
}
const EMPTY = 0xffeeeeee; // light grey, ABGR in little-endian memory

export class Heatmap {
  private geometry: TileGeometry | null = null;
  private rateHz = 0;
  private ringCols = 0;
  private ring = new Uint8Array(0);
  private stamp = new Float64Array(0);
  private coiRows: boolean[] = [];
  private image: ImageData | null = null;
  private readonly scratch = document.createElement('canvas');

  constructor(private readonly canvas: HTMLCanvasElement) {}

  /** The model rate the map is configured for (0: not yet). */
  get configuredRateHz(): number {
    return this.rateHz;
  }

  /** (Re)start for a model's tile geometry at its rate; clears the history. */
  configure(geometry: TileGeometry, rateHz: number): void {
    this.geometry = geometry;
    this.rateHz = rateHz;
    this.ringCols = Math.round(HISTORY_S * rateHz);
    this.ring = new Uint8Array(geometry.scales * this.ringCols);
    this.stamp = new Float64Array(this.ringCols).fill(-1);
    // a row is hatched when most of its tile columns are inside the cone of influence
    this.coiRows = Array.from({ length: geometry.scales }, (_, j) => {
      let n = 0;
      for (let c = 0; c < geometry.columns; c++) n += geometry.coi[j * geometry.columns + c];
      return n > geometry.columns / 2;
    });
  }

  clear(): void {
    this.stamp.fill(-1);
  }

  addTile(startIndex: number, rateHz: number, data: Uint8Array): void {
    const g = this.geometry;
    if (!g || rateHz !== this.rateHz) return;
    for (let c = 0; c < g.columns; c++) {
      const col = startIndex + c;
      const cell = col % this.ringCols;
      this.stamp[cell] = col;
      for (let j = 0; j < g.scales; j++) this.ring[j * this.ringCols + cell] = data[j * g.columns + c];
    }
  }

  /**
   * Draw the session-time range [t0S, t1S) across the canvas's plotting area [left, left + width),
   * with period ticks on the left and an experiment-time axis (session time + offsetS) below.
   */
  draw(t0S: number, t1S: number, left: number, width: number, offsetS = 0): void {
    const g = this.geometry;
    const ctx = this.canvas.getContext('2d')!;
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    if (!g || width < 1) return;
    const w = Math.max(1, Math.round(width));
    if (!this.image || this.image.width !== w || this.image.height !== g.scales) {
      this.image = new ImageData(w, g.scales);
      this.scratch.width = w;
      this.scratch.height = g.scales;
    }
    const px = new Uint32Array(this.image.data.buffer);
    for (let x = 0; x < w; x++) {
      const col = Math.floor((t0S + ((x + 0.5) / w) * (t1S - t0S)) * this.rateHz);
      const cell = ((col % this.ringCols) + this.ringCols) % this.ringCols;
      const have = col >= 0 && this.stamp[cell] === col;
      for (let j = 0; j < g.scales; j++) px[(g.scales - 1 - j) * w + x] = have ? LUT[this.ring[j * this.ringCols + cell]] : EMPTY;
    }
    this.scratch.getContext('2d')!.putImageData(this.image, 0, 0);
    ctx.imageSmoothingEnabled = false;
    const h = this.canvas.height - AXIS_PX;
    ctx.drawImage(this.scratch, 0, 0, w, g.scales, left, 0, width, h);
    // hatch the cone of influence
    const rowH = h / g.scales;
    ctx.save();
    ctx.strokeStyle = 'rgba(0,0,0,0.35)';
    ctx.lineWidth = 1;
    for (let j = 0; j < g.scales; j++) {
      if (!this.coiRows[j]) continue;
      const y0 = (g.scales - 1 - j) * rowH;
      ctx.beginPath();
      ctx.rect(left, y0, width, rowH + 0.5);
      ctx.save();
      ctx.clip();
      for (let x = left - rowH; x < left + width; x += 8) {
        ctx.moveTo(x, y0 + rowH);
        ctx.lineTo(x + rowH, y0);
      }
      ctx.stroke();
      ctx.restore();
    }
    ctx.restore();
    this.axes(ctx, g, t0S + offsetS, t1S + offsetS, left, width, h);
  }

  /** Period ticks (s) at a few scales on the left; time ticks (experiment s) below. */
  private axes(ctx: CanvasRenderingContext2D, g: TileGeometry, t0: number, t1: number, left: number, width: number, h: number): void {
    ctx.save();
    ctx.fillStyle = '#444';
    ctx.strokeStyle = '#444';
    ctx.font = '10px system-ui, sans-serif';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    const rowH = h / g.scales;
    for (const j of [0, Math.round((g.scales - 1) / 2), g.scales - 1]) {
      const y = Math.min(h - 5, Math.max(5, (g.scales - 1 - j + 0.5) * rowH));
      const p = g.periodsS[j];
      ctx.fillText(`${p >= 1 ? p.toFixed(1) : p >= 0.01 ? p.toFixed(2) : p.toFixed(3)} s`, left - 4, y);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    if (t1 > t0) {
      const step = niceStep(t1 - t0, 8);
      for (let v = Math.ceil(t0 / step) * step; v <= t1; v += step) {
        const x = left + ((v - t0) / (t1 - t0)) * width;
        ctx.fillRect(Math.round(x), h, 1, 3);
        ctx.fillText(v.toFixed(step < 1 ? 1 : 0), x, h + 3);
      }
    }
    ctx.restore();
  }

  /** Whether any row is hatched (the centre columns of 2 s windows are clear of the cone). */
  hasCone(): boolean {
    return this.coiRows.some(Boolean);
  }
}
