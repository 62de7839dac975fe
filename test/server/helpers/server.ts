/** In-process servers on real sockets and real files for the ingest tests, and their surroundings. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type AppExtras, buildApp } from '../../../server/app.ts';
import { defaultServerOptions, type ServerOptions } from '../../../server/config.ts';
import type { IngestLimits } from '../../../server/ingest/route.ts';

export const TOKEN = 'test-token';

export async function startServer(root: string, archive: string, opts: Partial<ServerOptions> & IngestLimits = {}, extras: AppExtras = {}): Promise<{ app: FastifyInstance; url: string; base: string }> {
  const o = { ...defaultServerOptions(), port: 0, producerToken: TOKEN, archiveDir: archive, modelsDir: join(root, 'no-models'), recordingsDir: join(root, 'no-recordings'), flushIntervalMs: 5, maxFrameBytes: 8 << 20, ...opts };
  const app = await buildApp(o, extras);
  const base = (await app.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws');
  return { app, url: `${base}/ingest`, base };
}

/** File descriptors this process holds now. */
export function fdCount(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Mount a size-limited tmpfs at dir (null when the machine does not allow it: not root). */
export function mountTmpfs(dir: string, sizeKb: number, readOnly = false): (() => void) | null {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k${readOnly ? ',ro' : ''}`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    return null;
  }
  return () => execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
}

/** Grow a mounted tmpfs (space is back). */
export function resizeTmpfs(dir: string, sizeKb: number): void {
  execFileSync('mount', ['-o', `remount,size=${sizeKb}k`, dir], { stdio: 'ignore' });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
