/** Timing helpers the benchmarks share. */

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Median wall time of `calls` calls of fn, ms, after one warm-up call. */
export async function timeCalls(fn: () => Promise<void> | void, calls: number): Promise<number> {
  await fn(); // warm up
  const runs: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    await fn();
    runs.push(performance.now() - t0);
  }
  return median(runs);
}
