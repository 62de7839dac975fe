/** A minimal producer for tests: a real WebSocket client speaking the slipwatch protocol. */
import WebSocket from 'ws';
import { decodeFrame, encodeFrame, type Frame } from '../../../shared/protocol/codec.ts';
export { startFrame } from '../../helpers/frames.ts';

export type ServerFrame = { type: 'ack'; session: string; seq: number; aeSamples?: number } | { type: 'error'; code: string; message: string; seq?: number };

export class TestProducer {
  readonly received: ServerFrame[] = [];
  private waiters: (() => void)[] = [];
  closed: { code: number; reason: string } | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      this.received.push(decodeFrame(new Uint8Array(data)) as ServerFrame);
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async connect(url: string, token: string | null): Promise<TestProducer> {
    const ws = new WebSocket(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    const p = new TestProducer(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return p;
  }

  send(frame: unknown): void {
    this.ws.send(encodeFrame(frame as Frame)); // tests send hostile frames too
  }

  sendRaw(bytes: Uint8Array | string): void {
    this.ws.send(bytes);
  }

  /** Wait until a received frame satisfies pred (or the socket closes, or timeoutMs passes). */
  async waitFor(pred: (f: ServerFrame) => boolean, timeoutMs = 5000): Promise<ServerFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.received.find(pred);
      if (hit) return hit;
      if (this.closed) throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) before the expected frame`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; received ${JSON.stringify(this.received)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async waitForAck(seq: number, timeoutMs = 5000): Promise<void> {
    await this.waitFor((f) => f.type === 'ack' && f.seq >= seq, timeoutMs);
  }

  close(): void {
    this.ws.close();
  }
}

/** Data frame k of a deterministic stream: 1000 AE samples (2 channels) and 100 friction samples. */
export function dataFrame(session: string, k: number) {
  const ae0 = new Int16Array(1000);
  const ae1 = new Int16Array(1000);
  for (let i = 0; i < 1000; i++) {
    ae0[i] = ((k * 1000 + i) % 60000) - 30000;
    ae1[i] = -(((k * 7 + i) % 20000) | 0);
  }
  const mu = Float32Array.from({ length: 100 }, (_, i) => 0.6 + 0.001 * ((k * 100 + i) % 17));
  return { type: 'data', session, seq: k, aeStartIndex: k * 1000, ae: [ae0, ae1], mech: { startIndex: k * 100, values: { mu } } };
}

/** Data frame k as producer `tag` would send it: same shape as dataFrame, different bytes per tag. */
export function taggedFrame(session: string, k: number, tag: number) {
  const f = dataFrame(session, k);
  for (const a of f.ae) for (let i = 0; i < a.length; i += 97) a[i] = tag * 1000 + (k % 1000);
  f.mech.values.mu[0] = tag;
  return f;
}
