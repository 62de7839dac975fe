/**
 * The dashboard end to end, in a real headless Chromium (Debian's, driven by playwright-core)
 * against the real server with the shipped models: the page loads, a replay started from its
 * controls runs, predicted friction (with its band) and TTF appear and track the measured ones,
 * alerts and slips show, and the page reconnects after the server restarts; experiment time after
 * a seek and after a level start (the level box following the replay), a refused replay's reason,
 * the fit at 1280x800 and 1920x1080, and the 0.4 s preset's models. Screenshots of each case go to
 * test-artifacts/.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { buildApp } from '../../server/app.ts';
import { defaultServerOptions } from '../../server/config.ts';
import { launchChromium } from '../../scripts/browser.ts';
import { ARTIFACTS, e2eRecordings, openDashboard, ROOT, telemetry, waitFor } from './helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'slipwatch-e2e-'));
const RECORDINGS = join(tmp, 'recordings');

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
    recordingsDir: RECORDINGS,
  });
  const address = await app.listen({ host: '127.0.0.1', port });
  port = Number(new URL(address).port);
}

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  e2eRecordings(RECORDINGS);
  browser = await launchChromium();
  await startServer();
});

after(async () => {
  await browser?.close();
  await app?.close();
  rmSync(tmp, { recursive: true, force: true });
});

test('a replay started from the page shows predictions that track the measurements, alerts and slips; the page reconnects after a restart; the banner clears when a session ends under an alert', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = await openDashboard(page, `http://127.0.0.1:${port}/`);

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

  // a session that ends while an alert is on: the page stops the replay the moment the banner goes
  // up; the banner comes down with the session and the alert's row says it was on at the end
  await page.evaluate(() => {
    const banner = document.getElementById('banner')!;
    new MutationObserver(() => {
      if (!banner.hidden) document.getElementById('stop')!.click();
    }).observe(banner, { attributes: true, attributeFilter: ['hidden'] });
  });
  const old = await telemetry(page);
  await page.selectOption('#speed', '1');
  await page.fill('#seek', '15');
  await page.click('#seek-go');
  await waitFor(page, 'an alert in the new session', (x) => x.session !== old.session && x.alerts > old.alerts, 45_000);
  await page.waitForFunction(() => document.getElementById('replay-progress')!.textContent === 'no replay running', null, { timeout: 10_000 });
  await page.waitForFunction(() => document.getElementById('banner')!.hidden, null, { timeout: 5000 });
  const row = (await page.textContent('#timeline li.alert'))!;
  console.error(`alert at the session's end: ${row}`);
  // the server may clear it as the session ends (a clear time), or the page marks it on at the end
  assert.match(row, /still on when the session ended|cleared \d+\.\d s/, row);
  // the counts say the session ended (from the next /status poll, once a second)
  await page.waitForFunction(() => / session (ended|stopped|done|failed)/.test(document.getElementById('scores')!.textContent!), null, { timeout: 5000 });
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard-banner-cleared-at-session-end.png') });
  assert.deepEqual(errors, [], 'no errors in the page');
  await page.close();
});

test('experiment time after a seek; a refused replay says why; the essentials fit 1280x800 and 1920x1080', async () => {
  for (const [w, h] of [
    [1280, 800],
    [1920, 1080],
  ]) {
    const page = await browser.newPage({ viewport: { width: w, height: h } });
    const errors = await openDashboard(page, `http://127.0.0.1:${port}/`);
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

test('a level start draws experiment time from the level; the level box follows a seek; the 0.4 s preset predicts', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = await openDashboard(page, `http://127.0.0.1:${port}/`);
  // both presets are offered, each with its own pair of models
  const presets = await page.locator('#preset option').allTextContents();
  assert.deepEqual([...presets].sort(), ['0.4s', '2s'], `presets offered: ${presets}`);
  await page.selectOption('#preset', '0.4s');
  const models = await page.locator('#models label').allTextContents();
  assert.deepEqual(models.sort(), ['friction: cross-train-friction-0.4s', 'ttf: cross-train-ttf-0.4s'], `0.4 s models: ${models}`);
  // start at the 3 MPa level (20 s) with the 0.4 s pair
  await page.selectOption('#recording', 'p4677-mini-stepped');
  await page.selectOption('#level', '20');
  await page.selectOption('#speed', '5');
  await page.click('#start');
  const t = await waitFor(page, 'predictions after the level start', (x) => x.offsetS === 20 && (x.drawn.frictionMean ?? 0) > 20 && (x.drawn.ttfMean ?? 0) > 20 && x.xRange[1] > 22);
  assert.ok(t.xRange[0] >= 19.9 && t.xRange[1] < 40.5, `the axis shows experiment time from the level: ${t.xRange}`);
  assert.match((await page.textContent('#replay-progress'))!, /p4677-mini-stepped: running, (2\d|3\d)\.\d of 40 s/);
  assert.equal(await page.inputValue('#level'), '20', 'the level box says the 3 MPa level');
  assert.match((await page.textContent('#models-status'))!, /0\.4s/);
  // the scalograms draw the 0.4 s models' tiles (their own rate and periods)
  await page.waitForFunction(() => {
    const c = document.getElementById('heat-input') as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let tinted = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] !== d[i + 1] || d[i + 1] !== d[i + 2]) tinted++;
    return tinted > 500;
  }, null, { timeout: 15_000 });
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard-level-start-0.4s.png') });
  // a seek back to 5 s: the axis and the level box follow (2.5 MPa, the first level)
  await page.fill('#seek', '5');
  await page.click('#seek-go');
  const s = await waitFor(page, 'a view after the seek', (x) => x.offsetS === 5 && (x.drawn.envelope ?? 0) > 10 && x.xRange[1] > 6);
  assert.ok(s.xRange[0] >= 4.9 && s.xRange[1] < 20, `experiment time after the seek: ${s.xRange}`);
  await page.waitForFunction(() => (document.getElementById('level') as HTMLSelectElement).value === '0');
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard-seek-level-follows.png') });
  await page.click('#stop');
  assert.deepEqual(errors, [], 'no errors in the page');
  await page.close();
});
