/**
 * npm run worker -- --role conditioning|inference|alerts|archive|dashboard --bus nats://HOST:PORT:
 * one worker of the bus mode (docs/scale-out.md). Any number of each role may run, on any
 * machines; the first four share the sessions (durable claim consumers), dashboards fan out.
 */
import { resolve } from 'node:path';
import { serveAlerts } from '../bus/alerts-worker.ts';
import { serveArchive } from '../bus/archive-worker.ts';
import { serveClaims, type ServeSession } from '../bus/claims.ts';
import { BusClient } from '../bus/client.ts';
import { type ClaimRole, REPLICA_CHOICES, REPLICAS_DOC } from '../bus/config.ts';
import { serveConditioning } from '../bus/conditioning-worker.ts';
import { buildDashboardGateway } from '../bus/dashboard-gateway.ts';
import { manifestsOnly } from '../bus/gateway.ts';
import { serveInference } from '../bus/inference-worker.ts';
import { loadAlertingModel } from '../server/inference/load-alerting.ts';
import { loadServingModels } from '../server/inference/load-models.ts';
import { CliError, numberOption, parseCli, runCli } from './args.ts';

const ROLES = ['conditioning', 'inference', 'alerts', 'archive', 'dashboard'] as const;

const spec = {
  command: 'npm run worker',
  summary: 'A worker of the bus mode: takes sessions from NATS JetStream and serves them (docs/scale-out.md).',
  options: {
    role: { type: 'string', value: 'ROLE', choices: [...ROLES], doc: 'what this worker does' },
    bus: { type: 'string', value: 'URL', doc: 'the bus, nats://HOST:PORT' },
    models: { type: 'string', value: 'DIR', default: 'trained-models', doc: 'trained models (conditioning, inference, alerts, dashboard)' },
    runtime: { type: 'string', value: 'NAME', default: 'auto', doc: 'inference runtime: auto, onnxruntime or tfjs' },
    archive: { type: 'string', value: 'DIR', default: 'data/archive', doc: 'where session recordings are written (archive)' },
    sessions: { type: 'string', value: 'N', default: '4', doc: 'most sessions this worker serves at once' },
    host: { type: 'string', value: 'HOST', default: '127.0.0.1', doc: 'address the dashboard gateway listens on (dashboard)' },
    port: { type: 'string', value: 'N', default: '8090', doc: 'port of the dashboard gateway (dashboard; 0: any free one)' },
    replicas: { type: 'string', value: 'N', doc: `${REPLICAS_DOC} (${REPLICA_CHOICES.join(', ')})` },
  },
} as const;

type Values = ReturnType<typeof parseCli<typeof spec>>['values'];
type Counters = Record<string, number>;

/** The session server of a claiming role, and what to close when it stops. */
async function roleServer(role: ClaimRole, values: Values, bus: BusClient, log: (m: string) => void, counters: Counters): Promise<{ serve: ServeSession; close: () => Promise<void> }> {
  const modelsDir = resolve(values.models);
  const alerting = () => loadAlertingModel(modelsDir);
  if (role === 'conditioning') {
    const models = manifestsOnly(modelsDir);
    if (!models.length) throw new CliError(`no models in ${modelsDir}`);
    const a = alerting();
    return { serve: (s) => serveConditioning(bus, { models, alerting: a }, s, log, counters as never), close: async () => {} };
  }
  if (role === 'inference') {
    const models = await loadServingModels(modelsDir, { runtime: values.runtime });
    if (!models.length) throw new CliError(`no models in ${modelsDir}`);
    return { serve: (s) => serveInference(bus, models, s, log, counters as never), close: async () => void (await Promise.all(models.map((m) => m.close()))) };
  }
  if (role === 'alerts') {
    const a = alerting();
    if (!a) log(`alerts: no failure forecaster in ${modelsDir}/alerting: sessions get no alerts in the bus mode (npm run fit-alerts)`);
    return { serve: (s) => serveAlerts(bus, a, s, log, counters as never), close: async () => {} };
  }
  const dir = resolve(values.archive);
  return { serve: (s) => serveArchive(bus, dir, s, counters as never), close: async () => {} };
}

runCli('worker', async () => {
  const { values } = parseCli(spec);
  if (!values.role) throw new CliError(`--role is required: ${ROLES.join(', ')}`);
  if (!values.bus) throw new CliError('--bus nats://HOST:PORT is required');
  const replicas = values.replicas === undefined ? undefined : numberOption('replicas', values.replicas, { min: 1, max: 5, integer: true });
  const log = (m: string) => console.log(m);
  const counters: Counters = {};
  if (values.role === 'dashboard') {
    const port = numberOption('port', values.port, { min: 0, max: 65535, integer: true });
    const { app, counters: c } = await buildDashboardGateway({ bus: values.bus, modelsDir: resolve(values.models), replicas });
    const address = await app.listen({ host: values.host, port }).catch((e: NodeJS.ErrnoException) => {
      throw new CliError(e.code === 'EADDRINUSE' ? `port ${port} is in use; choose another with --port N` : e.message);
    });
    console.log(`slipwatch worker dashboard ready (pid ${process.pid}) on ${address}`);
    const stop = async () => {
      console.log(`slipwatch worker dashboard stopped: ${JSON.stringify(c)}`);
      await app.close();
      process.exit(0);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    return;
  }
  const role = values.role as ClaimRole;
  const maxSessions = numberOption('sessions', values.sessions, { min: 1, integer: true });
  const bus = await BusClient.connect(values.bus, `slipwatch-${role}-${process.pid}`);
  await bus.ensureStreams(replicas);
  const { serve, close } = await roleServer(role, values, bus, log, counters);
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
