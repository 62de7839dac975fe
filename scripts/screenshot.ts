/**
 * npm run screenshot [-- --out FILE] [--seconds S]: the README's picture of the dashboard, taken
 * the way a user sees it: the server with the shipped models replays p4677 at 10x from 100 s
 * (experiment time on the axes), and after S seconds (default 40) headless Chromium photographs
 * the page at 1280x800 (everything essential fits it without scrolling).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../server/app.ts';
import { defaultServerOptions } from '../server/config.ts';
import { launchChromium } from './browser.ts';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'docs/dashboard.png' },
    seconds: { type: 'string', default: '40' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log('npm run screenshot [-- --out FILE] [--seconds S]\n\nReplays p4677 at 10x from 100 s with the shipped models and photographs the dashboard after S seconds (default 40) into FILE (default docs/dashboard.png). Needs npm run fixtures and Debian chromium.');
  process.exit(0);
}
const seconds = Number(values.seconds);
if (!(seconds > 0)) throw new Error(`--seconds must be > 0, got ${values.seconds}`);
const tmp = mkdtempSync(join(tmpdir(), 'slipwatch-shot-'));
const app = await buildApp({ ...defaultServerOptions(), port: 0, archiveDir: tmp });
const url = await app.listen({ host: '127.0.0.1', port: 0 });
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url);
  await page.waitForFunction(() => (document.getElementById('recording') as HTMLSelectElement).options.length > 0);
  await page.selectOption('#recording', 'p4677');
  await page.selectOption('#speed', '10');
  await page.fill('#seek', '100');
  await page.click('#seek-go');
  console.error(`replaying p4677 at 10x for ${seconds} s ...`);
  await page.waitForTimeout(seconds * 1000);
  await page.screenshot({ path: resolve(values.out!) });
  console.error(`wrote ${values.out}`);
} finally {
  await browser.close();
  await app.close();
  rmSync(tmp, { recursive: true, force: true });
}
