/**
 * The dashboard end to end, in a real headless Chromium (Debian's, driven by playwright-core)
 * against the real server with the shipped models: the page loads, a replay started from its
 * controls runs, predicted friction (with its band) and TTF appear and track the measured ones,
 * alerts and slips show, and the page reconnects after the server restarts. Screenshots go to
 * test-artifacts/.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { buildApp } from '../../server/app.ts';
import { defaultServerOptions } from '../../server/config.ts';
import { launchChromium } from '../../scripts/browser.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const ARTIFACTS = join(ROOT, 'test-artifacts');
const tmp = mkdtempSync(join(tmpdir(), 'slipwatch-e2e-'));

let browser: Browser;
let app: FastifyInstance;
let port = 0;

async function startServer(): Promise<void> {
  app = await buildApp({
    ...defaultServerOptions(),
    port,
    producerToken: 'e2e',
    archiveDir: join(tmp, 'archive'),
    modelsDir: join(ROOT, 'trained-models'),
    recordingsDir: join(ROOT, 'fixtures', 'data'),
  });
  const address = await app.listen({ host: '127.0.0.1', port });
  port = Number(new URL(address).port);
}

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
  await startServer();
});

after(async () => {
  await browser?.close();
  await app?.close();
  rmSync(tmp, { recursive: true, force: true });
});

interface Telemetry {
  views: number;
  tiles: number;
  alerts: number;
  slips: number;
  connection: string;
  friction: { n: number; mae: number; r: number } | null;
  ttf: { n: number; mae: number; r: number } | null;
}
const telemetry = (page: Page) => page.evaluate(() => (window as unknown as { slipwatch: Telemetry }).slipwatch);

async function waitFor(page: Page, what: string, ok: (t: Telemetry) => boolean, timeoutMs = 30_000): Promise<Telemetry> {
  const t0 = Date.now();
  for (;;) {
    const t = await telemetry(page);
    if (ok(t)) return t;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(t)}`);
    await page.waitForTimeout(200);
  }
}

test('a replay started from the page shows predictions that track the measurements, alerts and slips; the page reconnects after a restart', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`http://127.0.0.1:${port}/`);
  await waitFor(page, 'the stream connection', (t) => t.connection === 'open');
  await page.waitForFunction(() => (document.getElementById('recording') as HTMLSelectElement).options.length > 0);

  // start a replay of the mini p4677 fixture (40 s) at 10x from the page's own controls
  await page.selectOption('#recording', 'p4677-mini');
  await page.selectOption('#speed', '10');
  await page.click('#start');
  await page.waitForFunction(() => document.getElementById('replay-progress')!.textContent!.includes('running'));

  // predictions, the band, the heat maps, slips and alerts arrive
  const t = await waitFor(page, 'predictions, slips and an alert', (x) => (x.friction?.n ?? 0) > 300 && (x.ttf?.n ?? 0) > 100 && x.tiles > 100 && x.slips >= 2 && x.alerts >= 1);
  console.error(`tracking: ${JSON.stringify({ friction: t.friction, ttf: t.ttf, alerts: t.alerts, slips: t.slips })}`);
  // tracking: friction within a few thousandths and correlated; TTF correlated with the countdown
  assert.ok(t.friction!.mae < 0.006, `friction MAE ${t.friction!.mae}`);
  assert.ok(t.friction!.r > 0.5, `friction correlation ${t.friction!.r}`);
  assert.ok(t.ttf!.r > 0.3, `TTF correlation ${t.ttf!.r}`);
  const status = await page.textContent('#backend');
  assert.match(status!, /onnxruntime|tfjs/, 'the inference backend is shown');
  assert.ok((await page.locator('#timeline li.alert').count()) >= 1, 'an alert in the timeline');
  assert.ok((await page.locator('#timeline li.slip').count()) >= 2, 'slips in the timeline');
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard-replay.png') });

  // the server goes away: the page says so; it comes back on the same port: the page reconnects
  await app.close();
  await waitFor(page, 'the disconnect', (x) => x.connection === 'closed');
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard-disconnected.png') });
  await startServer();
  await waitFor(page, 'the reconnect', (x) => x.connection === 'open', 20_000);
  assert.match((await page.textContent('#connection'))!, /connected/);
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard-reconnected.png') });
  assert.deepEqual(errors, [], 'no errors in the page');
  await page.close();
});
