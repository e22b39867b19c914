import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const LOCK_FILE = 'landlord.pid';

/** A second process tried to open a data dir that a running one owns. */
export class DataDirBusyError extends Error {}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Makes this process the only owner of an embedded data dir: two PGlite instances writing one
 * directory corrupt it. The lock is a file holding the owner's pid, created exclusively; a lock
 * whose process is gone (a crash, SIGKILL) is taken over. Returns the release function.
 */
export function lockDataDir(dir: string): () => void {
  const file = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, `${process.pid} ${hostname()}\n`);
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(file, 'utf8').trim().split(' ')[0] === String(process.pid)) rmSync(file, { force: true });
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const [pidText = '', host = ''] = readFileSync(file, 'utf8').trim().split(' ');
      const pid = Number.parseInt(pidText, 10);
      // Another host (a container sharing the volume) cannot be asked whether its process lives:
      // refuse, and let the operator remove the file once that host is gone. So is a lock that is
      // being written at this very moment (no pid yet, and only just created).
      const young = Date.now() - statSync(file).mtimeMs < 5000;
      if (host && host !== hostname()) {
        throw new DataDirBusyError(
          `The data directory ${dir} is locked by a Landlord process on host ${host} (pid ${pidText}). ` +
            `If that host no longer runs it, remove ${file} and start again.`,
        );
      }
      if ((!Number.isInteger(pid) && young) || (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid))) {
        throw new DataDirBusyError(
          `The data directory ${dir} is in use by another Landlord process (pid ${Number.isInteger(pid) ? pid : 'starting'}). ` +
            'The embedded database belongs to one process at a time: stop that one first, or run on PostgreSQL (DATABASE_URL) to share a database.',
        );
      }
      // A lock left by a process that no longer runs.
      rmSync(file, { force: true });
    }
  }
  throw new DataDirBusyError(`Could not lock the data directory ${dir}`);
}

function flush(path: string) {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Owner-only access to the data dir: the directory 0700 (which alone keeps everyone else out of
 * whatever is inside), every directory in it 0700 and every file 0600. PGlite's file system creates
 * its files world-writable, so this runs when the store is opened and again when it is closed.
 *
 * With `sync`, every file is also flushed to the disk: PGlite runs PostgreSQL with fsync off and
 * its file system never calls fsync, so a clean stop is the one moment the store is known to be
 * on the disk rather than in the OS page cache.
 */
export function secureDataDir(dir: string, options: { sync?: boolean } = {}): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const visit = (path: string) => {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      if ((stat.mode & 0o777) !== 0o700) chmodSync(path, 0o700);
      for (const entry of readdirSync(path)) visit(join(path, entry));
      if (options.sync) flush(path); // the entries of new files
    } else if (stat.isFile()) {
      if ((stat.mode & 0o077) !== 0) chmodSync(path, stat.mode & 0o700);
      if (options.sync) flush(path);
    }
  };
  visit(dir);
}
