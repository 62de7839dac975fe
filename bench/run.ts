/**
 * npm run bench [-- SECTION ...]: runs the benchmarks and prints what it measured as Markdown,
 * for BENCHMARKS.md. Timings live here, never in pass/fail tests.
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { benchFixtures } from './fixtures.bench.ts';
import { benchFlood } from './flood.bench.ts';
import { benchModel } from './model.bench.ts';
import { benchServer } from './server.bench.ts';
import { benchSignal } from './signal.bench.ts';
import { benchSoak } from './soak.bench.ts';

const SECTIONS: Record<string, { title: string; run: () => Promise<string> }> = {
  fixtures: { title: 'Fixture generation (default AE rate 10 kHz)', run: benchFixtures },
  signal: { title: 'Signal core', run: benchSignal },
  model: { title: 'CED inference and training', run: benchModel },
  server: { title: 'Live monitor', run: benchServer },
  flood: { title: 'Flow control: a flooding session beside a 1x one', run: benchFlood },
  bus: { title: 'Bus mode (NATS JetStream): ingest, prediction, cost per frame', run: async () => (await import('./bus.bench.ts')).benchBus() },
  soak: { title: 'Long run: server memory, dashboard frame time and heap', run: benchSoak },
  autoencoder: { title: "Seed 003's autoencoders: training and inference", run: async () => (await import('./autoencoder.bench.ts')).benchAutoencoder() },
  adaptation: { title: 'Live adaptation: from the sixth cycle to the swap', run: async () => (await import('./adaptation.bench.ts')).benchAdaptation() },
};
/** run by default; the rest only when named (the soak takes 10 minutes) */
const DEFAULT = ['fixtures', 'signal', 'model', 'server'];

const { values, positionals } = parseArgs({ allowPositionals: true, options: { help: { type: 'boolean', short: 'h', default: false } } });
if (values.help) {
  console.log(`Usage: npm run bench [-- SECTION ...]\n\nSections: ${Object.keys(SECTIONS).join(', ')} (default: ${DEFAULT.join(', ')}; soak runs SOAK_S seconds, 600 by default)`);
  process.exit(0);
}
const chosen = positionals.length ? positionals : DEFAULT;
for (const name of chosen) {
  if (!SECTIONS[name]) {
    console.error(`bench: unknown section "${name}"; valid: ${Object.keys(SECTIONS).join(', ')}`);
    process.exit(1);
  }
}
console.log(`Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}\n`);
for (const name of chosen) {
  console.error(`bench: ${name}`);
  console.log(`## ${SECTIONS[name].title}\n\n${await SECTIONS[name].run()}\n`);
}
