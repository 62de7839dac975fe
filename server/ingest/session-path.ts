/**
 * A session's archive directory: the one place a session name becomes a path (Node-only; the
 * name rule itself is shared/protocol/session-name.ts, which producers and the dashboard use too).
 */
import { resolve, sep } from 'node:path';
import { ProtocolError } from '../../shared/protocol/frames.ts';
import { checkSessionName } from '../../shared/protocol/session-name.ts';

/** The directory of a session under `root`; refuses any name that would leave it. */
export function sessionPath(root: string, name: string): string {
  checkSessionName(name);
  const base = resolve(root);
  const dir = resolve(base, name);
  if (!dir.startsWith(base + sep) || dir.slice(base.length + 1).includes(sep)) throw new ProtocolError('bad-frame', `session ${JSON.stringify(name)} is not a plain directory name`);
  return dir;
}
