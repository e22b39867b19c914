/**
 * When to try a failed delivery again. The schedule (default 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
 * 10 h) grows roughly exponentially; each delay is spread by ±20 % so that the deliveries of an
 * endpoint that came back do not all return in the same instant (thundering herd).
 */

const JITTER = 0.2;
/** A receiver may ask for a pause with Retry-After, but cannot park a delivery forever. */
const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/**
 * Delay before the next attempt, after `attemptsMade` attempts (the last one failed); null when
 * the schedule is exhausted and the delivery has failed for good.
 */
export function nextRetryDelay(
  attemptsMade: number,
  schedule: readonly number[],
  retryAfterMs: number | null = null,
  random: () => number = Math.random,
): number | null {
  if (attemptsMade < 1 || attemptsMade > schedule.length) return null;
  const base = schedule[attemptsMade - 1];
  const delay = Math.round(base * (1 + JITTER * (2 * random() - 1)));
  // Retry-After is honoured when it asks for longer than the schedule would wait.
  if (retryAfterMs !== null && retryAfterMs > delay) return Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
  return delay;
}

/** Retry-After as milliseconds from `now`: delta-seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or invalid. */
export function parseRetryAfter(value: string | string[] | undefined, now: Date): number | null {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return null;
  if (/^\d+$/.test(text)) return Math.min(Number(text), MAX_RETRY_AFTER_MS / 1000) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now.getTime());
}
