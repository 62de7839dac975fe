/**
 * Storage errors (disk full, read-only, I/O errors) told apart from bugs, described by their real
 * cause without the server's paths, and directories made so that the real cause surfaces: Node's
 * recursive mkdir reports ENOENT on a read-only file system, hiding the EROFS.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const WHAT: Record<string, string> = {
  ENOSPC: 'no space left on the archive device',
  EDQUOT: 'disk quota exceeded on the archive device',
  EROFS: 'the archive is on a read-only file system',
  EIO: 'I/O error on the archive device',
  EACCES: 'permission denied in the archive directory',
  EPERM: 'operation not permitted in the archive directory',
  EMFILE: 'too many open files in the server',
  ENFILE: 'too many open files in the system',
  EFBIG: 'file too large for the archive device',
};

/** An error from the file system (it has an errno code such as ENOSPC), not a bug. */
export function isStorageError(e: unknown): e is NodeJS.ErrnoException & { code: string } {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && /^E[A-Z]+$/.test((e as NodeJS.ErrnoException).code!) && typeof (e as NodeJS.ErrnoException).syscall === 'string';
}

/** "ENOSPC: no space left on the archive device (write)": the cause, never a path. */
export function describeStorageError(e: NodeJS.ErrnoException & { code: string }): string {
  return `${e.code}: ${WHAT[e.code] ?? 'storage error'} (${e.syscall})`;
}

/**
 * mkdir -p, one level at a time from the deepest existing ancestor, so that a failure reports
 * the real cause (EROFS, EACCES, ENOSPC) rather than recursive mkdir's ENOENT.
 */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}
