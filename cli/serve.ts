/**
 * npm run serve -- [options]: start the slipwatch server (see --help).
 */
import { buildGateway } from '../bus/gateway.ts';
import { REPLICA_CHOICES, REPLICAS_DOC } from '../bus/config.ts';
import { buildApp } from '../server/app.ts';
import { parseServerOptions, serverHelp } from '../server/config.ts';
import { CliError, numberOption, runCli } from './args.ts';

/** --replicas N (env SLIPWATCH_BUS_REPLICAS): the bus's stream replicas, taken out before the server's own options. */
function takeReplicas(argv: string[]): { rest: string[]; replicas: number | undefined } {
  const i = argv.indexOf('--replicas');
  const raw = i >= 0 ? argv[i + 1] : process.env.SLIPWATCH_BUS_REPLICAS;
  if (i >= 0 && raw === undefined) throw new CliError('--replicas needs a value');
  const rest = i >= 0 ? [...argv.slice(0, i), ...argv.slice(i + 2)] : argv;
  return { rest, replicas: raw === undefined ? undefined : numberOption('replicas', raw, { min: 1, max: 5, integer: true }) };
}

runCli('serve', async () => {
  const { rest, replicas } = takeReplicas(process.argv.slice(2));
  const opts = parseServerOptions(rest);
  if (opts === 'help') {
    console.log(`${serverHelp()}\n  ${'--replicas N'.padEnd(24)} with --bus: ${REPLICAS_DOC} (${REPLICA_CHOICES.join(', ')}; env SLIPWATCH_BUS_REPLICAS)`);
    return;
  }
  if (replicas !== undefined && !opts.bus) throw new CliError('--replicas is for the bus mode: give --bus nats://HOST:PORT too');
  // --bus: an ingest gateway (docs/scale-out.md); otherwise the embedded single process
  const app = opts.bus ? await buildGateway(opts, { replicas }) : await buildApp(opts);
  const address = await app.listen({ host: opts.host, port: opts.port }).catch((e: NodeJS.ErrnoException) => {
    throw new CliError(e.code === 'EADDRINUSE' ? `port ${opts.port} is in use; choose another with --port N` : e.message);
  });
  // one machine-readable line, so scripts and tests can find the port
  console.log(`slipwatch${opts.bus ? ' gateway' : ''} listening on ${address}`);
  const stop = async () => {
    await app.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
});
