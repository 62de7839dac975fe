/**
 * npm run worker -- --role inference|archive --bus nats://HOST:PORT: one worker of the bus mode
 * (docs/scale-out.md). Any number of each role may run, on any machines; they share the sessions.
 */
import { resolve } from 'node:path';
import { serveArchive } from '../bus/archive-worker.ts';
import { serveClaims, type ServeSession } from '../bus/claims.ts';
import { BusClient } from '../bus/client.ts';
import type { ClaimRole } from '../bus/config.ts';
import { serveInference } from '../bus/inference-worker.ts';
import { loadAlertingModel } from '../server/inference/load-alerting.ts';
import { loadServingModels } from '../server/inference/load-models.ts';
import { CliError, numberOption, parseCli, runCli } from './args.ts';

/** Roles of the issue not built yet; named so that asking for one says so plainly. */
const NOT_YET = ['conditioning', 'alerts', 'dashboard'];

const spec = {
  command: 'npm run worker',
  summary: 'A worker of the bus mode: takes sessions from NATS JetStream and serves them (docs/scale-out.md).',
  options: {
    role: { type: 'string', value: 'ROLE', choices: ['inference', 'archive', ...NOT_YET], doc: 'what this worker does' },
    bus: { type: 'string', value: 'URL', doc: 'the bus, nats://HOST:PORT' },
    models: { type: 'string', value: 'DIR', default: 'trained-models', doc: 'trained models (inference)' },
    runtime: { type: 'string', value: 'NAME', default: 'auto', doc: 'inference runtime: auto, onnxruntime or tfjs' },
    archive: { type: 'string', value: 'DIR', default: 'data/archive', doc: 'where session recordings are written (archive)' },
    sessions: { type: 'string', value: 'N', default: '4', doc: 'most sessions this worker serves at once' },
  },
} as const;

runCli('worker', async () => {
  const { values } = parseCli(spec);
  if (!values.role) throw new CliError('--role is required: inference or archive');
  if (NOT_YET.includes(values.role)) throw new CliError(`--role ${values.role} is not built yet: the inference role conditions, predicts and raises alerts; see docs/scale-out.md`);
  if (!values.bus) throw new CliError('--bus nats://HOST:PORT is required');
  const role = values.role as ClaimRole;
  const maxSessions = numberOption('sessions', values.sessions, { min: 1, integer: true });
  const bus = await BusClient.connect(values.bus, `slipwatch-${role}-${process.pid}`);
  await bus.ensureStreams();
  const log = (m: string) => console.log(m);
  let serve: ServeSession;
  let close = async () => {};
  const counters = { framesIn: 0, predictionsOut: 0, skipped: 0, framesArchived: 0, predictionRows: 0 };
  if (role === 'inference') {
    const models = await loadServingModels(resolve(values.models), { runtime: values.runtime });
    if (!models.length) throw new CliError(`no models in ${resolve(values.models)}`);
    const alerting = loadAlertingModel(resolve(values.models));
    serve = (session) => serveInference(bus, { models, alerting }, session, log, counters);
    close = async () => void (await Promise.all(models.map((m) => m.close())));
  } else {
    const dir = resolve(values.archive);
    serve = (session) => serveArchive(bus, dir, session, counters);
  }
  const claims = await serveClaims(bus, role, maxSessions, serve, log);
  // one machine-readable line, so scripts and tests know it is serving
  console.log(`slipwatch worker ${role} ready (pid ${process.pid})`);
  const stop = async () => {
    await claims.stop();
    console.log(`slipwatch worker ${role} stopped: ${JSON.stringify({ sessions: claims.served(), ...counters })}`);
    await close();
    await bus.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
});
