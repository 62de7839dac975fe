/** A real nats-server with JetStream on a free loopback port and a temporary store, and worker processes. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once the child printed a line matching `ready` (stdout or stderr); rejects if it exits first. */
export function waitForLine(child: ChildProcess, ready: RegExp, what: string, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${what} not ready within ${timeoutMs} ms:\n${seen.slice(-2000)}`)), timeoutMs);
    const on = (d: Buffer) => {
      seen += d.toString();
      const m = seen.match(ready);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    };
    child.stdout?.on('data', on);
    child.stderr?.on('data', on);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}) before it was ready:\n${seen.slice(-2000)}`));
    });
  });
}

export class NatsServer {
  child: ChildProcess | null = null;
  private constructor(
    readonly port: number,
    readonly storeDir: string,
    private readonly extraArgs: string[],
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  static async start(storeDir: string, extraArgs: string[] = []): Promise<NatsServer> {
    const s = new NatsServer(await freePort(), storeDir, extraArgs);
    await s.run();
    return s;
  }

  private async run(): Promise<void> {
    this.child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir, ...this.extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    await waitForLine(this.child, /Server is ready/, 'nats-server');
  }

  /** SIGKILL the server and start it again on the same port and store. */
  async restart(): Promise<void> {
    await this.stop('SIGKILL');
    await this.run();
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((r) => {
      c.once('exit', () => r());
      c.kill(signal);
    });
    this.child = null;
  }
}

/** A worker process (npm run worker) with its output kept for failure messages. */
export class WorkerProcess {
  child: ChildProcess;
  output = '';
  constructor(readonly args: string[]) {
    this.child = spawn(process.execPath, ['--import', 'tsx', 'cli/worker.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
  }

  /** Resolves once the worker said it is ready (also when it said so before this was called). */
  async ready(timeoutMs = 60_000): Promise<string> {
    const ready = /slipwatch worker \w+ ready.*/;
    for (const t0 = Date.now(); !ready.test(this.output); await new Promise((r) => setTimeout(r, 50))) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`worker ${this.args.join(' ')} exited before it was ready:\n${this.output.slice(-2000)}`);
      if (Date.now() - t0 > timeoutMs) throw new Error(`worker ${this.args.join(' ')} not ready within ${timeoutMs} ms:\n${this.output.slice(-2000)}`);
    }
    return this.output.match(ready)![0];
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((r) => {
      this.child.once('exit', () => r());
      this.child.kill(signal);
    });
  }
}
