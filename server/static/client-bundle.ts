/**
 * The dashboard (client/) bundled by esbuild in memory, once, on the first request, and served by
 * the server: no build step to forget and no stale bundle on disk. GET / (the page), /app.js,
 * /stream-worker.js, /app.css (slipwatch's styles after uPlot's).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import type { FastifyInstance } from 'fastify';

const CLIENT = join(import.meta.dirname, '..', '..', 'client');
const ENTRIES = { 'app.js': 'main.ts', 'stream-worker.js': 'stream-worker.ts' } as const;

/** The dashboard's scripts, and which source files went into them (esbuild's metafile). */
export async function buildClientScripts({ sourcemap = true } = {}): Promise<{ files: Record<string, string>; inputs: string[] }> {
  const result = await esbuild.build({
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([out, src]) => [out.replace(/\.js$/, ''), join(CLIENT, src)])),
    bundle: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    write: false,
    outdir: '/',
    sourcemap: sourcemap ? 'inline' : false,
    minify: false,
    metafile: true,
    logLevel: 'silent',
  });
  const files: Record<string, string> = {};
  for (const f of result.outputFiles) files[f.path.replace(/^\//, '')] = f.text;
  return { files, inputs: Object.keys(result.metafile.inputs) };
}

async function bundle(): Promise<Record<string, string>> {
  const { files } = await buildClientScripts();
  const uplotCss = readFileSync(createRequire(import.meta.url).resolve('uplot/dist/uPlot.min.css'), 'utf8');
  files['app.css'] = `${uplotCss}\n${readFileSync(join(CLIENT, 'styles.css'), 'utf8')}`;
  files['index.html'] = readFileSync(join(CLIENT, 'index.html'), 'utf8');
  return files;
}

export function registerClient(app: FastifyInstance): void {
  let built: Promise<Record<string, string>> | null = null;
  const file = async (name: string): Promise<string> => {
    built ??= bundle().catch((e: unknown) => {
      built = null; // let a later request try again (after the source is fixed)
      throw e;
    });
    return (await built)[name];
  };
  const types: Record<string, string> = { 'index.html': 'text/html; charset=utf-8', 'app.js': 'text/javascript', 'stream-worker.js': 'text/javascript', 'app.css': 'text/css' };
  app.get('/', async (_req, reply) => reply.type(types['index.html']).send(await file('index.html')));
  for (const name of ['app.js', 'stream-worker.js', 'app.css']) {
    app.get(`/${name}`, async (_req, reply) => reply.type(types[name]).header('cache-control', 'no-cache').send(await file(name)));
  }
}
