/** Name of the unique constraint a statement violated, or null for any other error. Works for pg and PGlite. */
export function uniqueViolation(error: unknown): string | null {
  const e = error as { code?: string; constraint?: string; detail?: string; message?: string } | null;
  if (!e || e.code !== '23505') return null;
  if (e.constraint) return e.constraint;
  const match = /unique constraint "([^"]+)"/.exec(e.message ?? '');
  return match ? match[1] : 'unknown';
}

/** The code of the error a guarded pool raises at once while the database is known to be away. */
export const DATABASE_DOWN = 'LANDLORD_DATABASE_DOWN';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  DATABASE_DOWN,
]);
// A new connection that cannot connect says "Connection terminated due to connection timeout".
const CONNECTION_MESSAGES = /Connection terminated|Query read timeout|not queryable|connection error/i;

/** Whether an error means the connection to the database failed (as opposed to a statement failing on a live connection). */
export function isConnectionFailure(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | null;
  if (!e) return false;
  if (e.code && CONNECTION_CODES.has(e.code)) return true;
  return CONNECTION_MESSAGES.test(e.message ?? '');
}

// 57014: a statement ran past its timeout; 53300: too many connections; 25P03: idle in transaction too long.
const BUSY_CODES = new Set(['57014', '53300', '25P03']);
// pg-pool's words when a wait for a free connection runs out: the pool is busy, the database may be fine.
const POOL_BUSY = /timeout exceeded when trying to connect/i;

/** Whether an error means the database cannot serve this request right now (503, not 500). */
export function isUnavailable(error: unknown): boolean {
  if (isConnectionFailure(error)) return true;
  const e = error as { code?: string; message?: string } | null;
  if (!e) return false;
  if (e.code && BUSY_CODES.has(e.code)) return true;
  return POOL_BUSY.test(e.message ?? '') || /PGlite is closed|driver has already been destroyed/i.test(e.message ?? '');
}

/** Whether a statement failed on text PostgreSQL cannot hold (U+0000 in a query string or path, say): the client's input, not a server fault. */
export function isUnstorableText(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === '22021' || code === '22P05';
}

/** Name of the foreign-key constraint a statement violated, or null for any other error. */
export function foreignKeyViolation(error: unknown): string | null {
  const e = error as { code?: string; constraint?: string; message?: string } | null;
  if (!e || e.code !== '23503') return null;
  if (e.constraint) return e.constraint;
  const match = /foreign key constraint "([^"]+)"/.exec(e.message ?? '');
  return match ? match[1] : 'unknown';
}
