/**
 * npm run serve -- [options]: start the slipwatch server (see --help).
 */
import { buildGateway } from '../bus/gateway.ts';
import { buildApp } from '../server/app.ts';
import { parseServerOptions, serverHelp } from '../server/config.ts';
import { CliError, runCli } from './args.ts';

runCli('serve', async () => {
  const opts = parseServerOptions(process.argv.slice(2));
  if (opts === 'help') {
    console.log(serverHelp());
    return;
  }
  // --bus: an ingest gateway (docs/scale-out.md); otherwise the embedded single process
  const app = opts.bus ? await buildGateway(opts) : await buildApp(opts);
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
