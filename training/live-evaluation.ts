/**
 * Scores of the live product (a replay through the real server, training/live-evaluation-replay.ts)
 * with live adaptation against the same recording served without it, on the samples after the
 * swap (one window after the later of the two models' swaps, so no window of the old model is
 * averaged in; after the cycles adaptation trained on when nothing was swapped), as a whole and
 * per normal-stress level. Beside: a constant (the mean of the cycles the monitor had when it
 * adapted) and, for TTF, the recurrence clock (mean of the last intervals minus the time since the
 * last slip). Warned slips come from the served alerts (the forecaster, not the CED models).
 */
import { scoreSeries } from '../shared/metrics.ts';
import { recurrenceOf } from '../shared/alerts/features.ts';
import { scoreWarnings } from '../shared/alerts/scoring.ts';
import type { LiveRun, ServedSeries } from './live-evaluation-replay.ts';

/** The truth at the model rate, from sample startIndex (session-start based). */
export interface Truth {
  rateHz: number;
  startIndex: number;
  mu: ArrayLike<number>;
  ttf: ArrayLike<number>;
  /** slip onsets from the recording's friction, s */
  failuresS: readonly number[];
}

export interface Span {
  label: string;
  /** session-start based sample indices [from, to) */
  from: number;
  to: number;
}

export interface SpanScores {
  label: string;
  samples: number;
  friction: { adapted: number; unadapted: number; constant: number };
  /** mean friction over the span: measured, served with and without adaptation (where the level goes wrong) */
  frictionMean: { measured: number; adapted: number; unadapted: number };
  ttf: { adapted: number; unadapted: number; constant: number; clock: number };
  slips: number;
  warned: { adapted: number; unadapted: number };
  falseAlarms: { adapted: number; unadapted: number };
}

/**
 * Where scoring starts (sample index): one window after the later swap of the first adaptation
 * round (re-adaptations later in the session are part of what is scored); without a swap, the end
 * of the cycles adaptation saw (the live slip completing them) plus one window.
 */
export function scoredFrom(run: LiveRun, cycles: number, windowSamples: number): number {
  const firstRound = Math.min(...run.adapted.map((a) => a.cycles));
  const swaps = run.adapted.filter((a) => a.cycles === firstRound).map((a) => a.fromStartIndex).filter((k): k is number => k !== null);
  const rate = Object.values(run.served)[0].rateHz;
  const noSwap = Math.ceil((run.slipsS[cycles] ?? Number.POSITIVE_INFINITY) * rate);
  return (swaps.length ? Math.max(...swaps) : noSwap) + windowSamples;
}

/** A served series' values over [from, to) (NaN where nothing was served). */
export function servedOver(s: ServedSeries, from: number, to: number): Float64Array {
  const out = new Float64Array(Math.max(0, to - from)).fill(Number.NaN);
  for (let k = from; k < to; k++) {
    const i = k - s.startIndex;
    if (i >= 0 && i < s.mean.length) out[k - from] = s.mean[i];
  }
  return out;
}

/** The truth's values over [from, to). */
function truthOver(t: Truth, x: ArrayLike<number>, from: number, to: number): Float64Array {
  const out = new Float64Array(Math.max(0, to - from)).fill(Number.NaN);
  for (let k = from; k < to; k++) {
    const i = k - t.startIndex;
    if (i >= 0 && i < x.length) out[k - from] = x[i];
  }
  return out;
}

/** The mean of the finite truth before sample `until` (what the monitor had). */
export function meanBefore(t: Truth, x: ArrayLike<number>, until: number): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < Math.min(x.length, until - t.startIndex); i++) {
    if (Number.isFinite(x[i])) {
      s += x[i];
      n++;
    }
  }
  return n ? s / n : Number.NaN;
}

/** The recurrence clock's TTF over [from, to): mean of the last `memory` intervals minus the time since the last slip (>= 0). */
export function clockTtf(failuresS: readonly number[], rateHz: number, from: number, to: number, memory = 6): Float64Array {
  const out = new Float64Array(Math.max(0, to - from)).fill(Number.NaN);
  let seen = 0;
  for (let k = from; k < to; k++) {
    const tS = k / rateHz;
    while (seen < failuresS.length && failuresS[seen] <= tS) seen++;
    if (seen < 2) continue;
    const { meanS } = recurrenceOf(failuresS.slice(0, seen), memory);
    out[k - from] = Math.max(0, meanS - (tS - failuresS[seen - 1]));
  }
  return out;
}

const r2 = (truth: Float64Array, p: Float64Array) => scoreSeries(truth, p).r2;

/** Mean over the samples where both are finite. */
function pairedMean(truth: Float64Array, p: Float64Array): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < p.length; i++) {
    if (!Number.isFinite(truth[i]) || !Number.isFinite(p[i])) continue;
    s += p[i];
    n++;
  }
  return n ? s / n : Number.NaN;
}

/** One span's scores, adapted vs un-adapted vs the baselines. */
export function scoreSpan(span: Span, t: Truth, adapted: LiveRun, unadapted: LiveRun, constantUntil: number): SpanScores {
  const { from, to } = span;
  const mu = truthOver(t, t.mu, from, to);
  const ttf = truthOver(t, t.ttf, from, to);
  const flat = (v: number) => new Float64Array(to - from).fill(v);
  const fromS = from / t.rateHz;
  const toS = to / t.rateHz;
  const warn = (r: LiveRun) => scoreWarnings(r.alerts, t.failuresS, { fromS, toS, sessionEndS: Number.POSITIVE_INFINITY });
  const [wa, wu] = [warn(adapted), warn(unadapted)];
  return {
    label: span.label,
    samples: scoreSeries(mu, servedOver(adapted.served.friction, from, to)).n,
    friction: {
      adapted: r2(mu, servedOver(adapted.served.friction, from, to)),
      unadapted: r2(mu, servedOver(unadapted.served.friction, from, to)),
      constant: r2(mu, flat(meanBefore(t, t.mu, constantUntil))),
    },
    frictionMean: { measured: pairedMean(mu, mu), adapted: pairedMean(mu, servedOver(adapted.served.friction, from, to)), unadapted: pairedMean(mu, servedOver(unadapted.served.friction, from, to)) },
    ttf: {
      adapted: r2(ttf, servedOver(adapted.served.ttf, from, to)),
      unadapted: r2(ttf, servedOver(unadapted.served.ttf, from, to)),
      constant: r2(ttf, flat(meanBefore(t, t.ttf, constantUntil))),
      clock: r2(ttf, clockTtf(t.failuresS, t.rateHz, from, to)),
    },
    slips: wa.slips,
    warned: { adapted: wa.warnedSlips, unadapted: wu.warnedSlips },
    falseAlarms: { adapted: wa.falseAlarms, unadapted: wu.falseAlarms },
  };
}

/** The spans after scoring starts: the whole rest, then each level's part of it (levels as session-start sample ranges). */
export function spansAfter(from: number, end: number, levels: readonly { label: string; from: number; to: number }[]): Span[] {
  const parts = levels.map((l) => ({ label: l.label, from: Math.max(l.from, from), to: Math.min(l.to, end) })).filter((l) => l.to > l.from);
  return [{ label: 'all after the swap', from, to: end }, ...(parts.length > 1 ? parts : [])];
}
