/**
 * The archive's retention policy: sessions older than maxAgeDays are deleted, then the oldest go
 * until the archive fits maxMB (0 turns a limit off). A session's age is its newest file's mtime,
 * so a session being written is the youngest and is never the one removed. Runs when the server
 * starts, before each server-run replay, and every 10 minutes.
 */
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isSessionName } from '../../shared/protocol/session-name.ts';

export interface RetentionPolicy {
  /** delete sessions older than this, days (0: keep whatever their age) */
  archiveMaxAgeDays: number;
  /** delete the oldest sessions while the archive is larger, MB (0: no size limit) */
  archiveMaxMB: number;
}

function sizeAndAge(dir: string): { bytes: number; mtimeMs: number } {
  let bytes = 0;
  let mtimeMs = 0;
  for (const f of readdirSync(dir)) {
    const s = statSync(join(dir, f));
    bytes += s.size;
    mtimeMs = Math.max(mtimeMs, s.mtimeMs);
  }
  return { bytes, mtimeMs };
}

/** Apply the policy to archiveDir, sparing the sessions in `inUse`; returns the sessions removed. */
export function pruneArchive(archiveDir: string, policy: RetentionPolicy, inUse: ReadonlySet<string> = new Set(), nowMs = Date.now()): string[] {
  if (!existsSync(archiveDir)) return [];
  const sessions = readdirSync(archiveDir)
    .filter((d) => isSessionName(d) && !inUse.has(d))
    .map((d) => ({ d, ...sizeAndAge(join(archiveDir, d)) }))
    .sort((a, b) => a.mtimeMs - b.mtimeMs);
  const removed: string[] = [];
  let total = sessions.reduce((s, x) => s + x.bytes, 0);
  for (const s of sessions) {
    const tooOld = policy.archiveMaxAgeDays > 0 && nowMs - s.mtimeMs > policy.archiveMaxAgeDays * 86_400_000;
    const tooBig = policy.archiveMaxMB > 0 && total > policy.archiveMaxMB * 1_048_576;
    if (!tooOld && !tooBig) continue;
    rmSync(join(archiveDir, s.d), { recursive: true, force: true });
    total -= s.bytes;
    removed.push(s.d);
  }
  return removed;
}
