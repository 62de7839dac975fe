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
  alertsCleared: number;
  slips: number;
  offsetS: number;
  xRange: [number, number];
  drawn: Record<string, number>;
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
  // the nowcast (causal) is drawn beside the averaged series, for both models
  assert.ok(t.drawn.frictionNow > 50 && t.drawn.ttfNow > 50, `nowcast drawn: ${JSON.stringify(t.drawn)}`);
  const status = await page.textContent('#backend');
  assert.match(status!, /onnxruntime|tfjs/, 'the inference backend is shown');
  assert.ok((await page.locator('#timeline li.alert').count()) >= 1, 'an alert in the timeline');
  assert.ok((await page.locator('#timeline li.slip').count()) >= 2, 'slips in the timeline');
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard-replay.png') });

  // the session ends (40 s at 10x): the banner is down, every alert has a clear time or says it
  // was on at the end, and the scores over the listed slips meet the floors docs/results.md defends
  await page.waitForFunction(() => document.getElementById('replay-progress')!.textContent === 'no replay running', null, { timeout: 30_000 });
  await page.waitForFunction(() => document.getElementById('banner')!.hidden, null, { timeout: 5000 });
  const rows = await page.locator('#timeline li.alert').allTextContents();
  for (const r of rows) assert.match(r, /^alert #\d+ issued \d+\.\d s: P\(slip within 5 s\) \d+ %, predicted TTF \d+\.\d \+- \d+\.\d s; (cleared \d+\.\d s \(on \d+\.\d s\)|still on when the session ended)$/, r);
  const scores = await page.locator('#scores').evaluate((e) => ({ ...(e as HTMLElement).dataset }));
  const [warned, slips, falseAlarms] = [Number(scores.warned), Number(scores.slips), Number(scores.falseAlarms)];
  console.error(`alerts on p4677-mini: warned ${warned} of ${slips} slips, ${falseAlarms} false alarms`);
  // docs/results.md: the forecaster warns 23/23 p4677 test slips >= 1 s ahead with 0 false alarms;
  // its recurrence memory needs a slip seen first, so the first two cycles of a 40 s replay may go unwarned
  assert.ok(slips >= 3, `${slips} slips in 40 s of ~8.6 s cycles`);
  assert.ok(warned >= slips - 2, `warned ${warned} of ${slips}`);
  assert.ok(falseAlarms <= 1, `${falseAlarms} false alarms`);

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

test('experiment time after a seek; a refused replay says why; the essentials fit 1280x800 and 1920x1080', async () => {
  for (const [w, h] of [
    [1280, 800],
    [1920, 1080],
  ]) {
    const page = await browser.newPage({ viewport: { width: w, height: h } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${port}/`);
    await waitFor(page, 'the stream connection', (t) => t.connection === 'open');
    await page.waitForFunction(() => (document.getElementById('recording') as HTMLSelectElement).options.length > 0);
    assert.ok(await page.isVisible('#empty'), 'waiting for data is said before any data');
    // sim has no AE waveform: offered disabled, with the reason
    assert.ok(await page.locator('#recording option[value="sim-mini"]').isDisabled());
    assert.match((await page.locator('#recording option[value="sim-mini"]').getAttribute('title'))!, /no AE waveform/);
    await page.selectOption('#recording', 'p4677-mini');
    // seeking past the end is refused with the server's reason, on the page
    await page.fill('#seek', '400');
    await page.click('#seek-go');
    await page.waitForFunction(() => /past the end of p4677-mini/.test(document.getElementById('replay-error')!.textContent!));
    // a seek to 20 s draws experiment time from 20 s on
    await page.selectOption('#speed', '5');
    await page.fill('#seek', '20');
    await page.click('#seek-go');
    const t = await waitFor(page, 'a view after the seek', (x) => x.offsetS === 20 && (x.drawn.envelope ?? 0) > 20 && x.xRange[1] > 21);
    assert.ok(t.xRange[0] >= 19.9 && t.xRange[1] < 40.5, `the axis shows experiment time: ${t.xRange}`);
    assert.equal(await page.textContent('#replay-error'), '', 'the error went with the next replay');
    for (const id of ['chart-ae', 'chart-friction', 'chart-ttf', 'chart-prob', 'scores', 'status-h', 'latency', 'replay-progress']) {
      const b = (await page.locator(`#${id}`).boundingBox())!;
      assert.ok(b.y >= 0 && b.y + b.height <= h + 0.5 && b.x + b.width <= w + 0.5, `#${id} inside ${w}x${h}: ${JSON.stringify(b)}`);
    }
    await page.screenshot({ path: join(ARTIFACTS, `dashboard-seek-${w}x${h}.png`) });
    await page.click('#stop');
    assert.deepEqual(errors, [], 'no errors in the page');
    await page.close();
  }
});
