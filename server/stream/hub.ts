/**
 * Fan-out to dashboards. Every subscriber has a bounded queue measured in bytes waiting in its
 * socket; a slow one is first decimated (every other prediction frame is skipped), and dropped with
 * a reason if it still cannot keep up. Publishing never waits for a subscriber, so a slow one
 * slows neither ingest nor the others.
 */
import type { WebSocket } from 'ws';
import { encodeFrame } from '../../shared/protocol/codec.ts';
import type { HelloFrame, StreamFrame } from '../../shared/protocol/frames.ts';

export interface HubLimits {
  /** bytes buffered in a socket beyond which its predictions are decimated */
  decimateAboveBytes: number;
  /** bytes buffered beyond which the subscriber is dropped */
  dropAboveBytes: number;
}

export const DEFAULT_HUB_LIMITS: HubLimits = { decimateAboveBytes: 1 << 20, dropAboveBytes: 8 << 20 };

interface Subscriber {
  socket: WebSocket;
  skipped: number;
  decimating: boolean;
  toggle: boolean;
}

export interface HubStats {
  subscribers: number;
  framesSent: number;
  framesSkipped: number;
  dropped: Record<string, number>;
}

export class Hub {
  private readonly subs = new Set<Subscriber>();
  readonly stats: HubStats = { subscribers: 0, framesSent: 0, framesSkipped: 0, dropped: {} };

  constructor(private readonly limits: HubLimits = DEFAULT_HUB_LIMITS) {}

  add(socket: WebSocket, hello: HelloFrame): void {
    const s: Subscriber = { socket, skipped: 0, decimating: false, toggle: false };
    this.subs.add(s);
    this.stats.subscribers = this.subs.size;
    socket.on('close', () => {
      this.subs.delete(s);
      this.stats.subscribers = this.subs.size;
    });
    socket.send(encodeFrame(hello));
  }

  /** Send a frame to every subscriber; `droppable` frames may be skipped for slow ones. */
  publish(frame: StreamFrame, droppable = true): void {
    if (this.subs.size === 0) return;
    const bytes = encodeFrame(frame);
    for (const s of this.subs) {
      const buffered = s.socket.bufferedAmount;
      if (buffered > this.limits.dropAboveBytes) {
        this.stats.dropped['too-slow'] = (this.stats.dropped['too-slow'] ?? 0) + 1;
        this.subs.delete(s);
        this.stats.subscribers = this.subs.size;
        // 4008: an application close code; the reason is for the dashboard to show
        s.socket.close(4008, `too slow: ${buffered} bytes waiting`);
        s.socket.terminate();
        continue;
      }
      s.decimating = buffered > this.limits.decimateAboveBytes;
      if (s.decimating && droppable) {
        s.toggle = !s.toggle;
        if (s.toggle) {
          s.skipped++;
          this.stats.framesSkipped++;
          continue;
        }
      }
      s.socket.send(bytes);
      this.stats.framesSent++;
    }
  }

  closeAll(): void {
    for (const s of this.subs) s.socket.close(1001, 'server shutting down');
    this.subs.clear();
  }
}
