/**
 * npm run screenshot [-- --out FILE] [--seconds S] [--from S]: the README's picture of the
 * dashboard, taken the way a user sees it: the server with the shipped models replays p4677 at 10x
 * from 100 s (experiment time on the axes), and after S seconds (default 20, while it still runs) headless Chromium
 * photographs the page at 1280x800 (everything essential fits it without scrolling).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { numberOption, parseCli, runCli } from '../cli/args.ts';
import { buildApp } from '../server/app.ts';
import { defaultServerOptions } from '../server/config.ts';
import { launchChromium } from './browser.ts';

const SPEC = {
  command: 'npm run screenshot',
  summary: 'Replay p4677 at 10x with the shipped models and photograph the dashboard at 1280x800 (needs npm run fixtures and Debian chromium).',
  options: {
    out: { type: 'string', value: 'FILE', default: 'docs/dashboard.png', doc: 'where the PNG goes' },
    seconds: { type: 'string', value: 'S', default: '20', doc: 'seconds of replay before the photograph' },
    from: { type: 'string', value: 'S', default: '100', doc: 'experiment second the replay starts from' },
  },
} as const;

async function main(): Promise<void> {
  const { values } = parseCli(SPEC);
  const seconds = numberOption('seconds', values.seconds, { min: 1 });
  const fromS = numberOption('from', values.from, { min: 0 });
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
    await page.fill('#seek', String(fromS));
    await page.click('#seek-go');
    console.error(`replaying p4677 at 10x from ${fromS} s for ${seconds} s ...`);
    await page.waitForTimeout(seconds * 1000);
    const error = await page.textContent('#replay-error');
    if (error) throw new Error(`the page shows an error: ${error}`);
    await page.screenshot({ path: resolve(values.out) });
    console.error(`wrote ${values.out}`);
  } finally {
    await browser.close();
    await app.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

runCli(SPEC.command, main);
