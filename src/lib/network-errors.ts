/**
 * What went wrong when a request to another server (a webhook receiver, an identity provider)
 * failed before any answer: one plain sentence, or null when it was not a network failure.
 * Looks through `cause` chains, since fetch and undici wrap the socket's error.
 */
export function networkFailure(error: unknown, options: { timeoutMs?: number; peer?: string } = {}): string | null {
  const { timeoutMs, peer = 'the server' } = options;
  const seen = new Set<unknown>();
  for (let e = error as { name?: string; code?: string; message?: string; cause?: unknown } | undefined; e && !seen.has(e); e = e.cause as typeof e) {
    seen.add(e);
    if (e.name === 'TimeoutError' || e.name === 'AbortError' || /TIMEOUT/.test(e.code ?? '')) {
      return timeoutMs === undefined ? 'Timed out' : `Timed out after ${timeoutMs} ms`;
    }
    switch (e.code) {
      case 'ECONNREFUSED':
        return 'Connection refused';
      case 'ECONNRESET':
      case 'UND_ERR_SOCKET':
      case 'EPIPE':
        return `Connection closed by ${peer} before a response`;
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return 'The host name could not be resolved';
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
        return 'The host is unreachable';
      case 'ERR_PRIVATE_ADDRESS':
        return e.message ?? 'The address is not allowed';
    }
    if (typeof e.code === 'string' && e.code.startsWith('UND_ERR')) return `Connection failed (${e.code})`;
    if (e.name === 'TypeError' && /fetch failed/.test(String(e.message))) return 'Connection failed';
  }
  return null;
}

/** Whether a request failed before any answer (rather than being answered wrongly). */
export const isNetworkFailure = (error: unknown): boolean => networkFailure(error) !== null;
