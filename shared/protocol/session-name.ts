/**
 * Session names become directory names in the archive, so one rule decides which are safe, and
 * server/ingest/session-path.ts turns a name into a path: a safe character set and length, never
 * `.` or `..`, no separators or NUL, and the path always lies inside the archive root.
 */
import { ProtocolError } from './frames.ts';

/** 1-64 characters of [A-Za-z0-9_.-], the first a letter or digit (so never `.`, `..` or `-x`). */
export const SESSION_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const SESSION_NAME_RULE = '1-64 characters of A-Z a-z 0-9 _ . -, starting with a letter or digit';

export function isSessionName(name: unknown): name is string {
  return typeof name === 'string' && SESSION_NAME_RE.test(name);
}

/** Throws a ProtocolError (bad-frame) naming the rule when `name` is not a safe session name. */
export function checkSessionName(name: unknown, field = 'session'): string {
  if (!isSessionName(name)) {
    const shown = typeof name === 'string' ? JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}...` : name) : typeof name;
    throw new ProtocolError('bad-frame', `${field} must be ${SESSION_NAME_RULE}; got ${shown}`);
  }
  return name;
}
