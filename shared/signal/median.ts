/** A running median: the failure detector's defence against impulsive noise on friction records. */

/** Running median of odd length w (edges use the available samples). */
export function medianFilter(x: ArrayLike<number>, w: number): Float64Array {
  if (w % 2 !== 1 || w < 1) throw new RangeError(`median window must be odd and >= 1, got ${w}`);
  const n = x.length;
  const half = (w - 1) >> 1;
  const out = new Float64Array(n);
  // a sorted window updated by insertion/removal: O(n w), fine for w ~ 21
  const win: number[] = [];
  const lowerBound = (v: number): number => {
    let lo = 0;
    let hi = win.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (win[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const insert = (v: number): void => {
    win.splice(lowerBound(v), 0, v);
  };
  const remove = (v: number): void => {
    win.splice(lowerBound(v), 1);
  };
  for (let i = 0; i < Math.min(n, half); i++) insert(x[i]);
  for (let i = 0; i < n; i++) {
    if (i + half < n) insert(x[i + half]);
    if (i - half - 1 >= 0) remove(x[i - half - 1]);
    const m = win.length;
    out[i] = m % 2 === 1 ? win[m >> 1] : 0.5 * (win[m / 2 - 1] + win[m / 2]);
  }
  return out;
}
