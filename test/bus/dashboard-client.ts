/** A dashboard's /stream socket as the browser's worker opens it, keeping what each session got. */
import WebSocket from 'ws';
import { decodeFrame } from '../../shared/protocol/codec.ts';
import type { StreamFrame } from '../../shared/protocol/frames.ts';

export class DashboardClient {
  /** per session and target: the prediction sample indices received, in order, and their means */
  readonly predictions = new Map<string, { index: number[]; mean: number[] }>();
  readonly alerts = new Map<string, string[]>();
  readonly kinds = new Map<string, number>();
  hello = false;
  private socket: WebSocket | null = null;

  connect(url: string): Promise<void> {
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.on('message', (data: Buffer) => this.take(decodeFrame(new Uint8Array(data)) as StreamFrame));
    return new Promise((resolve, reject) => {
      socket.once('message', () => resolve()); // the hello frame
      socket.once('error', reject);
    });
  }

  private take(f: StreamFrame): void {
    this.kinds.set(f.type, (this.kinds.get(f.type) ?? 0) + 1);
    if (f.type === 'hello') this.hello = true;
    else if (f.type === 'prediction') {
      const key = `${f.session}/${f.target}`;
      const s = this.predictions.get(key) ?? { index: [], mean: [] };
      this.predictions.set(key, s);
      f.mean.forEach((v, k) => (s.index.push(f.startIndex + k), s.mean.push(v)));
    } else if (f.type === 'alert') this.alerts.set(f.session, [...(this.alerts.get(f.session) ?? []), `${f.alert.id}:${f.event}`]);
  }

  /** Resolves once the socket closed (the gateway went away). */
  closed(): Promise<void> {
    const s = this.socket;
    if (!s || s.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((r) => s.once('close', () => r()));
  }

  close(): void {
    this.socket?.terminate();
  }
}
