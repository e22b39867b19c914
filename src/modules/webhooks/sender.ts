import { isIP } from 'node:net';
import { Agent, request } from 'undici';
import { parseRetryAfter } from './retry-schedule.js';
import { signatureHeader } from './signature.js';
import { PrivateAddressError, guardedLookup, hostOf, isPrivateAddress, systemResolver, type Resolver } from '../../lib/ssrf.js';
import { networkFailure } from '../../lib/network-errors.js';

export const USER_AGENT = 'Landlord-Webhooks/1';
/** What the delivery log keeps of a response body. */
export const EXCERPT_BYTES = 1024;
/** A larger response is not read to its end; the connection is dropped instead. */
const DRAIN_LIMIT = 64 * 1024;

export interface Message {
  url: string;
  /** The event id: `webhook-id`, the same on every retry so receivers can deduplicate. */
  id: string;
  /** The serialized event; these exact bytes are signed and sent. */
  body: string;
  /** Active signing secrets, newest first (two during a rotation overlap). */
  secrets: readonly string[];
}

export interface SendResult {
  ok: boolean;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  responseExcerpt: string | null;
  retryAfterMs: number | null;
}

/** The narrow interface the worker needs; tests and benches may pass their own. */
export interface HttpSender {
  send(message: Message): Promise<SendResult>;
  close(): Promise<void>;
}

export interface SenderOptions {
  allowPrivate: boolean;
  timeoutMs: number;
  /** DNS resolution (tests map names to addresses with it). */
  resolver?: Resolver;
  now?: () => Date;
}

// PostgreSQL text cannot hold U+0000; an excerpt is for people, so it is dropped.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what must go (the database cannot store it)
const clean = (text: string) => text.replace(/\u0000/g, '');

function describeError(error: unknown, timeoutMs: number): string {
  if (error instanceof PrivateAddressError) return clean(error.message);
  return clean((networkFailure(error, { timeoutMs, peer: 'the receiver' }) ?? `${(error as Error)?.message ?? String(error)}`).slice(0, 500));
}

/**
 * Sends webhook messages with undici. Redirects are never followed (a 3xx is a failure: following
 * one would let an endpoint bounce the request to an address the SSRF check never saw). One
 * keep-alive pool per destination keeps a busy endpoint from paying a handshake per event.
 */
export function createSender(options: SenderOptions): HttpSender {
  const { allowPrivate, timeoutMs } = options;
  const now = options.now ?? (() => new Date());
  const agent = new Agent({
    connect: { lookup: guardedLookup(allowPrivate, options.resolver ?? systemResolver) as never, timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    keepAliveTimeout: 4_000,
    connections: 64,
  });

  async function send(message: Message): Promise<SendResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const url = new URL(message.url);
      // A literal address never reaches the lookup above; check it here.
      const host = hostOf(url);
      if (!allowPrivate && isIP(host) && isPrivateAddress(host)) throw new PrivateAddressError(`${host} is a private address`);
      const timestamp = Math.floor(now().getTime() / 1000);
      const response = await request(url, {
        dispatcher: agent,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': USER_AGENT,
          'webhook-id': message.id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signatureHeader(message.secrets, message.id, timestamp, message.body),
        },
        body: message.body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const chunks: Buffer[] = [];
      let kept = 0;
      let read = 0;
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        if (kept < EXCERPT_BYTES) {
          chunks.push(chunk.subarray(0, EXCERPT_BYTES - kept));
          kept += Math.min(chunk.length, EXCERPT_BYTES - kept);
        }
        read += chunk.length;
        if (read > DRAIN_LIMIT) break; // leaving the loop destroys the body and its connection
      }
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      const redirect = response.statusCode >= 300 && response.statusCode < 400;
      return {
        ok,
        statusCode: response.statusCode,
        durationMs: elapsed(),
        error: ok ? null : redirect ? 'Redirects are not followed' : `HTTP ${response.statusCode}`,
        responseExcerpt: chunks.length ? clean(new TextDecoder().decode(Buffer.concat(chunks))) : null,
        retryAfterMs: ok ? null : parseRetryAfter(response.headers['retry-after'], now()),
      };
    } catch (error) {
      return { ok: false, statusCode: null, durationMs: elapsed(), error: describeError(error, timeoutMs), responseExcerpt: null, retryAfterMs: null };
    }
  }

  return { send, close: () => agent.close() };
}
