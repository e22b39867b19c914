/** Name of the unique constraint a statement violated, or null for any other error. Works for pg and PGlite. */
export function uniqueViolation(error: unknown): string | null {
  const e = error as { code?: string; constraint?: string; detail?: string; message?: string } | null;
  if (!e || e.code !== '23505') return null;
  if (e.constraint) return e.constraint;
  const match = /unique constraint "([^"]+)"/.exec(e.message ?? '');
  return match ? match[1] : 'unknown';
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08003', '08006', '53300']);

/** Whether an error means the database cannot be reached right now (503, not 500). */
export function isUnavailable(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | null;
  if (!e) return false;
  if (e.code && UNAVAILABLE_CODES.has(e.code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|PGlite is closed|driver has already been destroyed/i.test(e.message ?? '');
}

/** Whether a statement failed on text PostgreSQL cannot hold (U+0000 in a query string or path, say): the client's input, not a server fault. */
export function isUnstorableText(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === '22021' || code === '22P05';
}
