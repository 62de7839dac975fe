/**
 * Fan-out to dashboards. Every subscriber has a bounded queue measured in bytes waiting in its
 * socket; a slow one is first decimated (every other prediction frame is skipped), and dropped with
 * a reason (close code 4008) if it still cannot keep up; dashboards that stop answering pings are
 * dropped too. Publishing never waits for a subscriber, so a slow one
 * slows neither ingest nor the others.
 */
import type { WebSocket } from 'ws';
import { encodeFrame } from '../../shared/protocol/codec.ts';
import { CLOSE_CODES, type HelloFrame, type StreamFrame } from '../../shared/protocol/frames.ts';
import { DEFAULT_PING_INTERVAL_MS, keepAlive } from './keepalive.ts';

export interface HubLimits {
  /** bytes buffered in a socket beyond which its predictions are decimated */
  decimateAboveBytes: number;
  /** bytes buffered beyond which the subscriber is dropped */
  dropAboveBytes: number;
  /** keepalive ping interval, ms (0: none); a dashboard must answer a ping within it */
  pingIntervalMs?: number;
  /** a dropped dashboard gets this long to read what is queued and the close frame, ms */
  closeGraceMs?: number;
}

export const DEFAULT_HUB_LIMITS: HubLimits = { decimateAboveBytes: 1 << 20, dropAboveBytes: 8 << 20, pingIntervalMs: DEFAULT_PING_INTERVAL_MS, closeGraceMs: 10_000 };

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
    // no pong in time: a dashboard with data waiting is too slow (it gets the reason), else gone
    keepAlive(socket, this.limits.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS, undefined, () => {
      if (socket.bufferedAmount > 0) this.drop(s, 'too-slow', `too slow: no answer to a ping, ${socket.bufferedAmount} bytes waiting`);
      else this.drop(s, 'no-pong', 'no answer to a ping', true);
    });
    socket.send(encodeFrame(hello));
  }

  /**
   * Drop a subscriber with the documented close code and reason. The close frame queues behind
   * what is already buffered, so a slow dashboard that still reads sees it; one that never reads
   * is cut off after the grace period (or at once, `now`, when it is gone).
   */
  private drop(s: Subscriber, why: string, reason: string, now = false): void {
    this.stats.dropped[why] = (this.stats.dropped[why] ?? 0) + 1;
    this.subs.delete(s);
    this.stats.subscribers = this.subs.size;
    if (now) return s.socket.terminate();
    s.socket.close(CLOSE_CODES.tooSlow, reason.slice(0, 120)); // close reasons are at most 123 bytes
    setTimeout(() => s.socket.terminate(), this.limits.closeGraceMs ?? 10_000).unref();
  }

  /** Send a frame to every subscriber; `droppable` frames may be skipped for slow ones. */
  publish(frame: StreamFrame, droppable = true): void {
    if (this.subs.size === 0) return;
    const bytes = encodeFrame(frame);
    for (const s of this.subs) {
      const buffered = s.socket.bufferedAmount;
      if (buffered > this.limits.dropAboveBytes) {
        this.drop(s, 'too-slow', `too slow: ${buffered} bytes waiting`);
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
    for (const s of this.subs) s.socket.close(CLOSE_CODES.shuttingDown, 'server shutting down');
    this.subs.clear();
  }
}
