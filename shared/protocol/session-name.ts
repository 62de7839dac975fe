/**
 * Session names become directory names in the archive, so one rule decides which are safe, and
 * one function turns a name into a path: a safe character set and length, never `.` or `..`, no
 * separators or NUL, and the path it gives always lies inside the archive root.
 */
import { resolve, sep } from 'node:path';
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

/** The directory of a session under `root`; refuses any name that would leave it. */
export function sessionPath(root: string, name: string): string {
  checkSessionName(name);
  const base = resolve(root);
  const dir = resolve(base, name);
  if (!dir.startsWith(base + sep) || dir.slice(base.length + 1).includes(sep)) throw new ProtocolError('bad-frame', `session ${JSON.stringify(name)} is not a plain directory name`);
  return dir;
}
