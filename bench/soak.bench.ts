/**
 * The long run: the server with the shipped models replays recordings back to back (p4581 at 5x,
 * an accelerated live session) for SOAK_S seconds (default 600) with the dashboard open in
 * headless Chromium showing 10 minutes of history. Every 30 s it samples the server's memory
 * (RSS, JS heap), the page's JS heap (Chrome's Performance metrics) and the dashboard's draw
 * times and frame rate, and counts what the page drew (alerts, slips, adapted models). Memory flat
 * and frames smooth over the run is what it shows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildApp } from '../server/app.ts';
import { defaultServerOptions } from '../server/config.ts';
import { launchChromium } from '../scripts/browser.ts';

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const mb = (b: number) => (b / 2 ** 20).toFixed(1);

export async function benchSoak(): Promise<string> {
  const durationS = Number(process.env.SOAK_S ?? 600);
  const root = mkdtempSync(join(tmpdir(), 'slipwatch-soak-'));
  const app = await buildApp({ ...defaultServerOptions(), port: 0, producerToken: 'soak', archiveDir: join(root, 'archive'), modelsDir: resolve('trained-models'), recordingsDir: resolve('data/recordings') });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await launchChromium();
  const rows: string[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(url);
    await page.selectOption('#span', '600');
    // frame intervals as the browser paints them (a string: tsx's function-name helpers do not exist in the page)
    await page.evaluate(`(() => {
      window.frameIntervals = [];
      let last = performance.now();
      const tick = (t) => { window.frameIntervals.push(t - last); last = t; requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
    })()`);
    // the 2 s pair, named: the server also serves the 0.4 s pair
    const startReplay = () => app.inject({ method: 'POST', url: '/replay', payload: { recording: 'p4581', speed: 5, preset: '2s' } });
    await startReplay();
    const t0 = performance.now();
    let replays = 1;
    rows.push('| t (s) | server RSS (MB) | server JS heap (MB) | page JS heap (MB) | draw p50 (ms) | draw p99 (ms) | frame interval p99 (ms) | fps |', '|---:|---:|---:|---:|---:|---:|---:|---:|');
    const heapsServer: number[] = [];
    /** how each replay ended (done at the recording's end, or failed and why) */
    const ended = new Map<string, string>();
    const heapsPage: number[] = [];
    while ((performance.now() - t0) / 1000 < durationS) {
      await page.waitForTimeout(Math.min(30_000, durationS * 1000 - (performance.now() - t0)));
      const list = (await app.inject('/replay')).json() as { replays: { id: string; state: string; sentS: number; error?: string }[] };
      for (const r of list.replays) if (r.state !== 'running' && r.state !== 'paused') ended.set(r.id, `${r.state} at ${r.sentS.toFixed(0)} s${r.error ? ` (${r.error})` : ''}`);
      if (!list.replays.some((r) => r.state === 'running')) {
        await startReplay();
        replays++;
      }
      global.gc?.();
      const m = process.memoryUsage();
      const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
      const pageHeap = metrics.find((x) => x.name === 'JSHeapUsedSize')?.value ?? Number.NaN;
      const { draw, frames } = (await page.evaluate('({ draw: window.slipwatch.frameMs.splice(0), frames: window.frameIntervals.splice(0) })')) as { draw: number[]; frames: number[] };
      const elapsed = (performance.now() - t0) / 1000;
      heapsServer.push(m.heapUsed);
      heapsPage.push(pageHeap);
      const fps = frames.length / (frames.reduce((a, b) => a + b, 0) / 1000);
      rows.push(`| ${elapsed.toFixed(0)} | ${mb(m.rss)} | ${mb(m.heapUsed)} | ${mb(pageHeap)} | ${pct(draw, 50).toFixed(1)} | ${pct(draw, 99).toFixed(1)} | ${pct(frames, 99).toFixed(1)} | ${fps.toFixed(0)} |`);
      console.error(`soak: ${elapsed.toFixed(0)} s of ${durationS}`);
    }
    const drawnCounts = (await page.evaluate('JSON.stringify({ views: slipwatch.views, alerts: slipwatch.alerts, slips: slipwatch.slips, adaptations: slipwatch.adaptations })')) as string;
    const drift = (xs: number[]) => `${mb(xs[0])} -> ${mb(xs[xs.length - 1])} MB`;
    return [
      `${durationS} s: the server replaying p4581 at 5x (${replays} replay${replays === 1 ? '' : 's'}, the 2 s pair; the server also loads the 0.4 s pair), the dashboard open in headless Chromium with 10 minutes of history on screen.`,
      '',
      ...rows,
      '',
      `Replays ended: ${[...ended.values()].join('; ') || 'none'}. Drawn by the page over the run: ${drawnCounts}.`,
      '',
      `Server JS heap ${drift(heapsServer)}; page JS heap ${drift(heapsPage)}. "draw": the page's work per update (four uPlot charts: AE, friction, TTF, failure probability; two heat maps); "frame interval": requestAnimationFrame's, 16.7 ms at 60 fps (headless Chromium, software rendering).`,
    ].join('\n');
  } finally {
    await browser.close();
    await app.close();
    rmSync(root, { recursive: true, force: true });
  }
}
