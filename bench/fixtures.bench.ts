/**
 * Generation speed of each experiment: wall time, simulated seconds per wall second, integrator
 * steps, bytes written. Runs every generator into a temporary directory.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { experimentDurationS, experiments, FULL_EXPERIMENTS } from '../fixtures/experiments.ts';
import { generateExperiment } from '../fixtures/generate.ts';

export async function benchFixtures(): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'slipwatch-bench-'));
  const lines = [
    '| experiment | simulated (s) | wall (s) | x real time | MB written |',
    '|---|---:|---:|---:|---:|',
  ];
  try {
    for (const id of FULL_EXPERIMENTS) {
      const e = experiments()[id];
      const dir = join(root, id);
      const t0 = performance.now();
      generateExperiment(e, dir);
      const wall = (performance.now() - t0) / 1000;
      const bytes = readdirSync(dir).reduce((s, f) => s + statSync(join(dir, f)).size, 0);
      const sim = experimentDurationS(e);
      lines.push(`| ${id} | ${sim} | ${wall.toFixed(2)} | ${(sim / wall).toFixed(0)} | ${(bytes / 1e6).toFixed(1)} |`);
      console.error(`  ${id}: ${wall.toFixed(2)} s`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return lines.join('\n');
}
