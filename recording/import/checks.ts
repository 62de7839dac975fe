/**
 * The sense checks every importer applies while streaming (pure, row by row, bounded memory): a
 * clock that only moves forward at a steady rate, normal-stress levels, and failure times from a
 * time-to-failure label column.
 */
import type { NormalStressLevel } from '../../shared/recording-meta.ts';
import { ImportRefusal, nominalRate } from './refusal.ts';

/** Steps kept to estimate the nominal step (their median) before every later step is checked on the fly. */
const MEDIAN_STEPS = 10_000;

/**
 * A time column's clock: strictly increasing, no step over maxStepRatio x the median (a gap), and
 * agreeing with a given rate within 1 %.
 */
export class ClockCheck {
  rows = 0;
  firstS = Number.NaN;
  lastS = Number.NaN;
  private readonly early: { row: number; step: number }[] = [];
  private medianStep = Number.NaN;

  constructor(
    private readonly file: string,
    private readonly maxStepRatio = 3,
  ) {}

  push(row: number, t: number): void {
    if (this.rows === 0) this.firstS = t;
    else {
      const step = t - this.lastS;
      if (!(step > 0)) throw new ImportRefusal(this.file, row, `time goes ${step === 0 ? 'nowhere' : 'backwards'}: ${t} s after ${this.lastS} s (time must increase)`);
      if (Number.isNaN(this.medianStep)) {
        this.early.push({ row, step });
        if (this.early.length === MEDIAN_STEPS) this.settle();
      } else this.checkStep(row, step);
    }
    this.lastS = t;
    this.rows++;
  }

  /** The nominal rate (median step), after checking it against a given rate. */
  finish(givenRateHz?: number): number {
    if (this.rows < 2) throw new ImportRefusal(this.file, null, `${this.rows} data rows: at least 2 are needed`);
    if (Number.isNaN(this.medianStep)) this.settle();
    const rate = nominalRate(this.medianStep);
    if (givenRateHz !== undefined && Math.abs(givenRateHz * this.medianStep - 1) > 0.01)
      throw new ImportRefusal(this.file, null, `--rate-hz ${givenRateHz} disagrees with the time column (median step ${this.medianStep} s, i.e. ${rate} Hz)`);
    return rate;
  }

  private settle(): void {
    const sorted = this.early.map((e) => e.step).sort((a, b) => a - b);
    this.medianStep = sorted[sorted.length >> 1];
    for (const e of this.early) this.checkStep(e.row, e.step);
    this.early.length = 0;
  }

  private checkStep(row: number, step: number): void {
    if (step > this.maxStepRatio * this.medianStep)
      throw new ImportRefusal(this.file, row, `gap in time: a step of ${step.toPrecision(4)} s where the nominal step is ${this.medianStep.toPrecision(4)} s (recordings never bridge gaps; split the file)`);
  }
}

/**
 * Normal-stress levels from a measured normal stress: rounded to 0.5 MPa, a new level when the
 * rounded value changes, flickers under 5 s merged into the level before.
 */
export class LevelTracker {
  private readonly raw: NormalStressLevel[] = [];
  private start = Number.NaN;
  private value = Number.NaN;
  private last = Number.NaN;

  push(t: number, normalMPa: number): void {
    const rounded = Math.round(normalMPa * 2) / 2;
    if (rounded !== this.value) {
      if (Number.isFinite(this.value)) this.raw.push({ startS: this.start, endS: t, normalStressMPa: this.value });
      this.start = t;
      this.value = rounded;
    }
    this.last = t;
  }

  finish(): NormalStressLevel[] {
    if (Number.isFinite(this.value) && this.last > this.start) this.raw.push({ startS: this.start, endS: this.last, normalStressMPa: this.value });
    const levels: NormalStressLevel[] = [];
    for (const l of this.raw) {
      const prev = levels[levels.length - 1];
      if (prev && (l.endS - l.startS < 5 || l.normalStressMPa === prev.normalStressMPa)) prev.endS = l.endS;
      else levels.push({ ...l });
    }
    return levels;
  }
}

/**
 * Failure times from a time-to-failure column: where TTF resets upwards a failure happened at the
 * previous row's t + TTF; the last row's t + TTF is the next failure. A rise that is not a reset
 * (the new TTF less than twice the old) is refused: it is not a label column.
 */
export class TtfFailures {
  readonly failuresS: number[] = [];
  private prevT = Number.NaN;
  private prevTtf = Number.NaN;

  constructor(private readonly file: string) {}

  push(row: number, t: number, ttf: number): void {
    if (!(ttf >= 0)) throw new ImportRefusal(this.file, row, `time to failure ${ttf} s: must be >= 0`);
    if (ttf > this.prevTtf) {
      if (ttf < 2 * this.prevTtf) throw new ImportRefusal(this.file, row, `time to failure rises from ${this.prevTtf} to ${ttf} s without resetting at a failure`);
      this.add(this.prevT + this.prevTtf);
    }
    this.prevT = t;
    this.prevTtf = ttf;
  }

  finish(): number[] {
    if (Number.isFinite(this.prevT)) this.add(this.prevT + this.prevTtf);
    return this.failuresS;
  }

  private add(t: number): void {
    const last = this.failuresS[this.failuresS.length - 1];
    if (last === undefined || t > last + 1e-6) this.failuresS.push(t);
  }
}
