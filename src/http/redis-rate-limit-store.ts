import { Redis } from 'ioredis';
import { describeBucket, type RateLimitStore } from './rate-limit-store.js';

/** Every key this store writes starts with this, so a Redis shared with other software stays readable. */
export const REDIS_KEY_PREFIX = 'landlord:rl:';

/**
 * The token buckets of one request in one round trip. KEYS are the buckets; ARGV holds each one's
 * capacity and refill per minute. A token is taken from every bucket or, when any is empty, from
 * none. The time is the Redis server's, so the API nodes' clocks never matter. A bucket expires
 * once it would be full again, which is the same as no bucket at all.
 * Returns {allowed (1 or 0), tokens left in each bucket in thousandths...}.
 */
const TAKE_SCRIPT = `
if redis.replicate_commands then redis.replicate_commands() end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local levels = {}
local allowed = 1
for i, key in ipairs(KEYS) do
  local capacity = tonumber(ARGV[2 * i - 1])
  local perMs = tonumber(ARGV[2 * i]) / 60000
  local state = redis.call('HMGET', key, 'tokens', 'at')
  local tokens = tonumber(state[1])
  local at = tonumber(state[2])
  if tokens == nil or at == nil then
    tokens = capacity
  else
    tokens = math.min(capacity, tokens + math.max(0, now - at) * perMs)
  end
  levels[i] = tokens
  if tokens < 1 then allowed = 0 end
end
local result = {allowed}
for i, key in ipairs(KEYS) do
  local tokens = levels[i]
  if allowed == 1 then
    tokens = tokens - 1
    local capacity = tonumber(ARGV[2 * i - 1])
    local perMs = tonumber(ARGV[2 * i]) / 60000
    redis.call('HSET', key, 'tokens', tostring(tokens), 'at', tostring(now))
    redis.call('PEXPIRE', key, math.ceil((capacity - tokens) / perMs) + 1000)
  end
  result[i + 1] = math.floor(tokens * 1000)
end
return result
`;

type TakeCommand = (numberOfKeys: number, ...keysAndArgs: (string | number)[]) => Promise<number[]>;

/**
 * Token buckets in Redis, shared by every API process that points at it. The client fails fast
 * rather than queueing: no offline queue, a short command timeout, and reconnects forever in the
 * background; the caller decides what a failed take means (see rate-limit-fail-open.ts).
 */
export function createRedisRateLimitStore(url: string, options: { commandTimeoutMs?: number } = {}): RateLimitStore {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    commandTimeout: options.commandTimeoutMs ?? 250,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 1,
    // Forever, backing off to one attempt every 2 s: limits become shared again soon after Redis returns.
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2_000),
    connectionName: 'landlord-rate-limit',
  });
  let lastError: Error | null = null;
  // Without a listener an unreachable Redis would be an unhandled 'error' event; the failed takes report the outage.
  client.on('error', (error: Error) => {
    lastError = error;
  });
  client.on('ready', () => {
    lastError = null;
  });
  client.defineCommand('landlordTakeTokens', { lua: TAKE_SCRIPT });
  const takeTokens = (client as unknown as { landlordTakeTokens: TakeCommand }).landlordTakeTokens.bind(client);

  return {
    async take(buckets) {
      // Not connected: fail at once instead of waiting for a reconnect.
      if (client.status !== 'ready') throw new Error(`Redis is not connected (${client.status}${lastError ? `: ${lastError.message}` : ''})`);
      const keys = buckets.map((b) => REDIS_KEY_PREFIX + b.key);
      const args = buckets.flatMap((b) => [b.capacity, b.perMinute]);
      const [allowed, ...milliTokens] = await takeTokens(keys.length, ...keys, ...args);
      return buckets.map((bucket, i) => {
        const tokens = milliTokens[i]! / 1000;
        // With the request allowed every bucket had a token; refused, those below one did not.
        return describeBucket(bucket, tokens, allowed === 1 || tokens >= 1);
      });
    },
    // Connecting at start (not at the first request) keeps the first requests from counting as an outage.
    ready() {
      if (client.status === 'wait') client.connect().catch(() => {});
      if (client.status === 'ready') return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          client.off('ready', done);
          resolve();
        };
        const timer = setTimeout(done, 1_000);
        client.once('ready', done);
      });
    },
    async close() {
      client.disconnect();
    },
  };
}
