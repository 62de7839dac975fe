/**
 * Keepalive for both WebSockets: the server pings every interval; a peer that has not answered
 * the previous ping by the next one has vanished (a cable pulled, a laptop asleep) and is dropped,
 * so its session or subscription is released within two intervals instead of never.
 */
import type { WebSocket } from 'ws';

/** Ping interval, ms; a peer must answer a ping within it (the server option pingIntervalMs). */
export const DEFAULT_PING_INTERVAL_MS = 15_000;

/**
 * Start pinging `socket`. `exempt()` true: we are not reading from the peer ourselves (flow
 * control), so a missing pong is our doing and does not count. `onTimeout` (default: terminate)
 * runs once when the peer fails to answer.
 */
export function keepAlive(socket: WebSocket, intervalMs: number, exempt: () => boolean = () => false, onTimeout: () => void = () => socket.terminate()): void {
  if (!(intervalMs > 0)) return;
  let answered = true;
  socket.on('pong', () => (answered = true));
  const timer = setInterval(() => {
    if (socket.readyState !== socket.OPEN) return clearInterval(timer);
    if (exempt()) answered = true;
    else if (!answered) {
      clearInterval(timer);
      return onTimeout();
    }
    answered = false;
    socket.ping();
  }, intervalMs);
  timer.unref();
  socket.once('close', () => clearInterval(timer));
}
