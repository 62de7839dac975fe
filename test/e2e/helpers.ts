/**
 * What the dashboard's browser tests share: the recordings they replay (the bundled mini ones and a
 * two-level copy), the page's telemetry (window.slipwatch: what it drew) and waiting on it.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

export const ROOT = join(import.meta.dirname, '..', '..');
export const ARTIFACTS = join(ROOT, 'test-artifacts');
const FIXTURES = join(ROOT, 'fixtures', 'data');

/**
 * The bundled mini recordings in dir, and p4677-mini-stepped: the same data with a two-level
 * schedule (2.5 MPa to 20 s, 3 MPa after), so the page offers a load level to start from.
 */
export function e2eRecordings(dir: string): string {
  mkdirSync(dir);
  for (const r of ['p4677-mini', 'sim-mini']) symlinkSync(join(FIXTURES, r), join(dir, r));
  const stepped = join(dir, 'p4677-mini-stepped');
  mkdirSync(stepped);
  for (const f of ['ae.arrows', 'mech.arrows']) symlinkSync(join(FIXTURES, 'p4677-mini', f), join(stepped, f));
  const meta = JSON.parse(readFileSync(join(FIXTURES, 'p4677-mini', 'recording.json'), 'utf8')) as { normalStressSchedule: unknown };
  meta.normalStressSchedule = [
    { startS: 0, endS: 20, normalStressMPa: 2.5 },
    { startS: 20, endS: 40, normalStressMPa: 3 },
  ];
  writeFileSync(join(stepped, 'recording.json'), JSON.stringify(meta));
  return dir;
}

/** The page's telemetry (client/main.ts). */
export interface Telemetry {
  session: string;
  views: number;
  tiles: number;
  alerts: number;
  alertsCleared: number;
  slips: number;
  adaptations: number;
  offsetS: number;
  xRange: [number, number];
  drawn: Record<string, number>;
  connection: string;
  friction: { n: number; mae: number; r: number } | null;
  ttf: { n: number; mae: number; r: number } | null;
}

export const telemetry = (page: Page) => page.evaluate(() => (window as unknown as { slipwatch: Telemetry }).slipwatch);

export async function waitFor(page: Page, what: string, ok: (t: Telemetry) => boolean, timeoutMs = 30_000): Promise<Telemetry> {
  const t0 = Date.now();
  for (;;) {
    const t = await telemetry(page);
    if (ok(t)) return t;
    if (Date.now() - t0 > timeoutMs) {
      const { frameMs: _, ...shown } = t as Telemetry & { frameMs?: unknown };
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(shown)}`);
    }
    await page.waitForTimeout(200);
  }
}

/** A page at the dashboard, connected, with its recordings listed; page errors collected. */
export async function openDashboard(page: Page, url: string): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await waitFor(page, 'the stream connection', (t) => t.connection === 'open');
  await page.waitForFunction(() => (document.getElementById('recording') as HTMLSelectElement).options.length > 0);
  return errors;
}
