/**
 * A worker's outgoing messages of one session, published one at a time in order, each retried
 * until JetStream stored it (the client reconnects while the server is away; the message id makes
 * a retry of a message that was in fact stored a duplicate JetStream drops).
 */
import type { BusClient, Headers } from './client.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Outbox {
  private chain: Promise<void> = Promise.resolve();
  pending = 0;
  retries = 0;

  constructor(
    private readonly bus: BusClient,
    private readonly log: (m: string) => void,
  ) {}

  send(subject: string, data: Uint8Array, msgID: string, hdrs: Headers = {}): void {
    this.pending++;
    this.chain = this.chain.then(async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          await this.bus.publish(subject, data, msgID, hdrs);
          break;
        } catch (e) {
          this.retries++;
          if (attempt % 20 === 0) this.log(`publishing ${msgID} failed (${(e as Error).message}); retrying`);
          await sleep(Math.min(1000, 50 * 2 ** Math.min(attempt, 5)));
        }
      }
      this.pending--;
    });
  }

  /** Resolves once everything sent so far is stored. */
  drained(): Promise<void> {
    return this.chain;
  }
}
