/**
 * The server's options: one table, each with its flag, environment variable, default and doc.
 * `npm run serve -- --help` prints it.
 */
import { resolve } from 'node:path';

export interface ServerOptions {
  host: string;
  port: number;
  /** producers must present it (Authorization: Bearer TOKEN, or ?token=TOKEN); dashboards need none */
  producerToken: string;
  /** where producer sessions are archived, one recording per session */
  archiveDir: string;
  /** trained models to predict with, one subdirectory each (trained-models/friction, trained-models/ttf) */
  modelsDir: string;
  /** recordings the server can replay (POST /replay) */
  recordingsDir: string;
  /** acknowledged data is fsynced at least this often; acks follow each flush */
  flushIntervalMs: number;
  /** the largest WebSocket message accepted, bytes */
  maxFrameBytes: number;
  /** an HTTP request (headers and body) must arrive within this time */
  requestTimeoutMs: number;
  /** flow control: a session whose pipeline has more AE than this waiting for inference gets no acks until it catches up, s */
  maxBacklogS: number;
  /** keepalive pings on both WebSockets; a peer that misses one is dropped, ms */
  pingIntervalMs: number;
  /** ended sessions whose scores and alerts /status and /alerts keep (their archives stay on disk) */
  keepEndedSessions: number;
  /** live normalisation: each session's own statistics over its first N s of AE and friction (0: the models' manifests') */
  liveNormalisationS: number;
  /** live adaptation (issue 13): cross-train each session's models on its own cycles once it has measured friction */
  liveAdaptation: boolean;
  /** live adaptation starts once a session has seen this many complete cycles of measured friction */
  adaptAfterCycles: number;
  /** live adaptation: adapt again after this many new cycles (0: once per session) */
  readaptEveryCycles: number;
  /** live adaptation: most epochs of latent-space cross-training */
  adaptEpochs: number;
  /** keep the archives of server-run replays (copies of recordings the server already has) */
  keepReplayArchives: boolean;
  /** archive retention: sessions older than this are deleted, days (0: no age limit) */
  archiveMaxAgeDays: number;
  /** archive retention: the oldest sessions are deleted while the archive is larger, MB (0: no size limit) */
  archiveMaxMB: number;
  /** inference runtime of the models: auto (onnxruntime if installed, else tfjs), onnxruntime, tfjs */
  runtime: string;
  /** log requests and events to stdout */
  log: boolean;
  /** '' (the default): one process does everything; nats://HOST:PORT: this process is an ingest gateway of the bus mode */
  bus: string;
}

interface OptionSpec<K extends keyof ServerOptions> {
  key: K;
  flag: string;
  env: string;
  default: ServerOptions[K];
  doc: string;
}

export const SERVER_OPTIONS: OptionSpec<keyof ServerOptions>[] = [
  { key: 'host', flag: '--host', env: 'SLIPWATCH_HOST', default: '127.0.0.1', doc: 'address to listen on' },
  { key: 'port', flag: '--port', env: 'SLIPWATCH_PORT', default: 8080, doc: 'port to listen on (0: any free port)' },
  { key: 'producerToken', flag: '--token', env: 'SLIPWATCH_TOKEN', default: 'slipwatch-dev-token', doc: 'token producers must present (change it in any shared lab network)' },
  { key: 'archiveDir', flag: '--archive', env: 'SLIPWATCH_ARCHIVE', default: resolve('data/archive'), doc: 'directory of session archives' },
  { key: 'modelsDir', flag: '--models', env: 'SLIPWATCH_MODELS', default: resolve('trained-models'), doc: 'directory of trained models (one per subdirectory)' },
  { key: 'recordingsDir', flag: '--recordings', env: 'SLIPWATCH_RECORDINGS', default: resolve('data/recordings'), doc: 'recordings the server can replay' },
  { key: 'flushIntervalMs', flag: '--flush-ms', env: 'SLIPWATCH_FLUSH_MS', default: 20, doc: 'fsync and acknowledge at least every N ms' },
  { key: 'maxFrameBytes', flag: '--max-frame-bytes', env: 'SLIPWATCH_MAX_FRAME_BYTES', default: 16 * 1024 * 1024, doc: 'largest WebSocket message accepted' },
  { key: 'requestTimeoutMs', flag: '--request-timeout-ms', env: 'SLIPWATCH_REQUEST_TIMEOUT_MS', default: 10_000, doc: 'an HTTP request must arrive whole within N ms' },
  { key: 'maxBacklogS', flag: '--max-backlog-s', env: 'SLIPWATCH_MAX_BACKLOG_S', default: 5, doc: 'withhold acks while a session has more than N s of AE waiting for inference' },
  { key: 'pingIntervalMs', flag: '--ping-ms', env: 'SLIPWATCH_PING_MS', default: 15_000, doc: 'keepalive ping interval on /ingest and /stream (a peer must answer within it)' },
  { key: 'keepEndedSessions', flag: '--keep-ended-sessions', env: 'SLIPWATCH_KEEP_ENDED_SESSIONS', default: 8, doc: 'ended sessions kept in /status and /alerts (archives stay on disk)' },
  { key: 'liveNormalisationS', flag: '--live-normalisation-s', env: 'SLIPWATCH_LIVE_NORMALISATION_S', default: 0, doc: "normalise each session by its own first N s (0: the models' manifest statistics)" },
  { key: 'liveAdaptation', flag: '--live-adaptation', env: 'SLIPWATCH_LIVE_ADAPTATION', default: true, doc: "cross-train each session's models (latent space) on its own cycles in a worker and hot-swap them when they score better on the newest cycle; only sessions with measured friction (true/false)" },
  { key: 'adaptAfterCycles', flag: '--adapt-after-cycles', env: 'SLIPWATCH_ADAPT_AFTER_CYCLES', default: 6, doc: 'live adaptation starts after N complete cycles (N >= 2: the newest validates, the rest train)' },
  { key: 'readaptEveryCycles', flag: '--readapt-every-cycles', env: 'SLIPWATCH_READAPT_EVERY_CYCLES', default: 6, doc: 'live adaptation: adapt again after N new cycles, on the newest --adapt-after-cycles, from the model served then (follows a friction level that moves, e.g. with the load; 0: once per session)' },
  { key: 'adaptEpochs', flag: '--adapt-epochs', env: 'SLIPWATCH_ADAPT_EPOCHS', default: 15, doc: "live adaptation: most epochs of latent-space training (the cross-train strategy's 15)" },
  { key: 'keepReplayArchives', flag: '--keep-replay-archives', env: 'SLIPWATCH_KEEP_REPLAY_ARCHIVES', default: false, doc: 'archive server-run replays too (true/false; by default their archive is deleted when they end)' },
  { key: 'archiveMaxAgeDays', flag: '--archive-max-age-days', env: 'SLIPWATCH_ARCHIVE_MAX_AGE_DAYS', default: 30, doc: 'delete archived sessions older than N days (0: no age limit)' },
  { key: 'archiveMaxMB', flag: '--archive-max-mb', env: 'SLIPWATCH_ARCHIVE_MAX_MB', default: 4096, doc: 'delete the oldest archived sessions while the archive exceeds N MB (0: no size limit)' },
  { key: 'runtime', flag: '--runtime', env: 'SLIPWATCH_RUNTIME', default: 'auto', doc: 'inference runtime: auto, onnxruntime or tfjs' },
  { key: 'bus', flag: '--bus', env: 'SLIPWATCH_BUS', default: '', doc: 'nats://HOST:PORT: run as an ingest gateway on NATS JetStream (docs/scale-out.md); empty: the embedded single process' },
  { key: 'log', flag: '--log', env: 'SLIPWATCH_LOG', default: false, doc: 'log requests to stdout (true/false)' },
];

/** Every option at its default (tests and benches override what they need). */
export function defaultServerOptions(): ServerOptions {
  return Object.fromEntries(SERVER_OPTIONS.map((o) => [o.key, o.default])) as unknown as ServerOptions;
}

/** Options from flags, then environment, then defaults; an unknown flag or bad value throws. */
export function parseServerOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): ServerOptions | 'help' {
  if (argv.includes('--help') || argv.includes('-h')) return 'help';
  const out: Record<string, unknown> = { ...defaultServerOptions() };
  const set = (o: OptionSpec<keyof ServerOptions>, raw: string, where: string) => {
    if (typeof o.default === 'number') {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${where} must be a whole number >= 0, got ${raw}`);
      out[o.key] = n;
    } else if (typeof o.default === 'boolean') {
      if (raw !== 'true' && raw !== 'false') throw new Error(`${where} must be true or false, got ${raw}`);
      out[o.key] = raw === 'true';
    } else {
      out[o.key] = o.key.endsWith('Dir') ? resolve(raw) : raw;
    }
  };
  for (const o of SERVER_OPTIONS) if (env[o.env] !== undefined) set(o, env[o.env]!, o.env);
  for (let i = 0; i < argv.length; i++) {
    const o = SERVER_OPTIONS.find((x) => x.flag === argv[i]);
    if (!o) throw new Error(`unknown option ${argv[i]}; see --help`);
    if (i + 1 >= argv.length) throw new Error(`${o.flag} needs a value`);
    set(o, argv[++i], o.flag);
  }
  return out as unknown as ServerOptions;
}

export function serverHelp(): string {
  const rows = SERVER_OPTIONS.map((o) => `  ${`${o.flag} VALUE`.padEnd(24)} ${o.doc} (default ${JSON.stringify(o.default)}; env ${o.env})`);
  return `slipwatch server: ingest AE from producers, archive it, serve dashboards.\n\nUsage: npm run serve -- [options]\n\n${rows.join('\n')}\n  -h, --help               this help`;
}
