import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { Database } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import type { SecretBox } from '../../lib/secret-box.js';
import { claimDeliveries, DELIVERIES_DUE_CHANNEL, releaseDeliveries, type ClaimedDelivery, type Outcome } from './delivery.repository.js';
import { createChangeRecorder, type ChangeRecorder } from '../events/outbox.js';
import { createOutcomeRecorder } from './endpoint-health.js';
import { fanOut } from './fan-out.js';
import { isUnavailable } from '../../db/errors.js';
import type { Listen, Listener } from '../../db/listener.js';
import { deliveryBody } from './payload.js';
import { nextRetryDelay } from './retry-schedule.js';
import { createSender, type HttpSender, type SendResult } from './sender.js';
import type { Resolver } from '../../lib/ssrf.js';

/** The subset of pino the worker logs through. */
export interface WorkerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface WorkerOptions {
  db: Kysely<Database>;
  clock: Clock;
  secretBox: SecretBox;
  config: Pick<Config, 'webhooksAllowPrivate' | 'webhookRetrySchedule' | 'webhookDisableAfterMs' | 'webhookTimeoutMs'>;
  /** Records the endpoints it disables (default: a recorder of its own over the same fan-out). */
  changes?: ChangeRecorder;
  log?: WorkerLog;
  /** Sends in flight at once (default 16). */
  concurrency?: number;
  /**
   * Listens for the notification that deliveries were queued (the database's `listen`): the worker
   * then claims them at once instead of at its next poll, and polls only every `listeningPollMs`.
   * Without it, or while its connection is down, the worker polls every `pollIntervalMs`.
   */
  listen?: Listen;
  /** Pause between claims when nothing was due and no listener is live (default 100 ms). */
  pollIntervalMs?: number;
  /**
   * Pause between claims when nothing was due while the listener is live: new deliveries wake the
   * worker, so this poll only finds retries that came due and claims whose lease ran out
   * (default 1 s, or `pollIntervalMs` if that is longer).
   */
  listeningPollMs?: number;
  /** How long a claim is exclusive; a worker that dies holding one frees it after this (default 3 × timeout). */
  leaseMs?: number;
  sender?: HttpSender;
  /** DNS resolution for the default sender (tests). */
  resolver?: Resolver;
}

export interface WorkerStats {
  claimed: number;
  succeeded: number;
  retried: number;
  failed: number;
}

export interface Worker {
  start(): void;
  /** Stops claiming, lets the sends in flight finish and records their outcomes. */
  stop(): Promise<void>;
  readonly stats: Readonly<WorkerStats>;
}

const MAX_FLUSH = 500;
/**
 * A worker woken by notifications claims at most once per this long: every worker hears every
 * notification, and a claim per event from each of them would cost the database far more than
 * the deliveries. An event after a quiet spell is claimed at once; one in a stream waits at most this.
 */
const NOTIFIED_CLAIM_GAP_MS = 20;
const silent: WorkerLog = { info() {}, warn() {}, error() {} };

/**
 * A webhook delivery worker. Claims due deliveries in short statements (never a transaction held
 * across network I/O: PGlite has one connection, and a held row lock would block the API), sends
 * them outside any transaction with up to `concurrency` requests in flight, and writes outcomes in
 * batches. Any number of workers, in any number of processes, may run against one database.
 */
export function createWorker(options: WorkerOptions): Worker {
  const { db, clock, secretBox, config } = options;
  const changes = options.changes ?? createChangeRecorder({ clock, fanOut });
  const recordOutcomes = createOutcomeRecorder({ db, clock, changes, policy: { disableAfterMs: config.webhookDisableAfterMs } });
  const log = options.log ?? silent;
  const concurrency = options.concurrency ?? 16;
  const pollIntervalMs = options.pollIntervalMs ?? 100;
  const listeningPollMs = options.listeningPollMs ?? Math.max(1000, pollIntervalMs);
  const leaseMs = options.leaseMs ?? Math.max(3 * config.webhookTimeoutMs, 1000);
  const sender =
    options.sender ??
    createSender({ allowPrivate: config.webhooksAllowPrivate, timeoutMs: config.webhookTimeoutMs, resolver: options.resolver, now: () => clock.now() });
  // Claimed deliveries wait in a small queue so that a send never waits for a claim's round trip;
  // the next claim goes out once half of the queue is free: fewer, larger claims.
  const window = 2 * concurrency;
  const claimAtLeast = Math.max(1, Math.floor(concurrency / 2));
  const stats: WorkerStats = { claimed: 0, succeeded: 0, retried: 0, failed: 0 };

  const queue: ClaimedDelivery[] = [];
  const inFlight = new Set<Promise<void>>();
  const outcomes: Outcome[] = [];
  let running: Promise<void> | null = null;
  let stopping = false;
  let flushing: Promise<void> | null = null;
  /** The last write of outcomes failed: claim nothing new until they are written (a reclaim would send them twice). */
  let flushFailing = false;
  /** Ends the current pause now. */
  let wake: (() => void) | null = null;
  /** Ends the current pause (unless it waits for a slot) in `ms`, if that is sooner than it would end. */
  let wakeIn: ((ms: number) => void) | null = null;
  let waitingForSlot = false;
  let listener: Listener | null = null;
  /** The listener said deliveries were queued since the last claim began. */
  let nudged = false;
  let lastClaimAt = 0;
  /** How long until a claim that a notification asks for may begin. */
  const untilNotifiedClaim = () => Math.max(0, lastClaimAt + NOTIFIED_CLAIM_GAP_MS - Date.now());

  /**
   * Sleeps until `ms` pass or stop() is called. `'poll'`: also until the listener says deliveries
   * were queued (no sooner than the gap between claims allows: at once if it said so during the
   * last claim and that began long enough ago). `'slot'`: also until a send finishes. `'backoff'`
   * (after a failed claim): nothing else ends it, however many notifications arrive meanwhile.
   */
  const pause = (ms: number, mode: 'poll' | 'slot' | 'backoff' = 'poll') =>
    new Promise<void>((resolve) => {
      if (stopping) return resolve();
      const forSlot = mode === 'slot';
      if (mode === 'poll' && nudged) ms = Math.min(ms, untilNotifiedClaim());
      waitingForSlot = forSlot;
      let until = Date.now() + ms;
      let timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = null;
        wakeIn = null;
        waitingForSlot = false;
        resolve();
      }
      wake = done;
      wakeIn =
        mode !== 'poll'
          ? null
          : (sooner) => {
              if (Date.now() + sooner >= until) return;
              clearTimeout(timer);
              until = Date.now() + sooner;
              timer = setTimeout(done, sooner);
            };
    });

  // Opened secrets by sealed text: a busy endpoint's secret is decrypted once, not per delivery.
  const opened = new Map<string, string>();
  const open = (sealed: string) => {
    let secret = opened.get(sealed);
    if (secret === undefined) {
      if (opened.size >= 1000) opened.clear();
      secret = secretBox.open(sealed);
      opened.set(sealed, secret);
    }
    return secret;
  };

  function secretsOf(webhook: NonNullable<ClaimedDelivery['webhook']>, now: Date): string[] {
    const secrets = [open(webhook.secretSealed)];
    if (webhook.previousSecretSealed && webhook.previousSecretExpiresAt && webhook.previousSecretExpiresAt > now) {
      secrets.push(open(webhook.previousSecretSealed));
    }
    return secrets;
  }

  async function attempt(delivery: ClaimedDelivery): Promise<{ result: SendResult; sent: boolean }> {
    const { webhook, event } = delivery;
    const skipped = (error: string) => ({
      sent: false,
      result: { ok: false, statusCode: null, durationMs: 0, error, responseExcerpt: null, retryAfterMs: null },
    });
    if (!webhook || !webhook.isEnabled) return skipped('Not sent: the endpoint is disabled');
    if (!event) return skipped('Not sent: the event no longer exists');
    const body = deliveryBody(event);
    const result = await sender.send({ url: webhook.url, id: event.id, body, secrets: secretsOf(webhook, clock.now()) });
    return { result, sent: true };
  }

  async function deliver(delivery: ClaimedDelivery): Promise<void> {
    const attemptedAt = clock.now();
    let outcome: Outcome;
    try {
      const { result, sent } = await attempt(delivery);
      const now = clock.now();
      const delay = result.ok || !sent ? null : nextRetryDelay(delivery.attempts + 1, config.webhookRetrySchedule, result.retryAfterMs);
      const status = result.ok ? 'succeeded' : delay === null ? 'failed' : 'pending';
      stats[status === 'succeeded' ? 'succeeded' : status === 'failed' ? 'failed' : 'retried']++;
      outcome = {
        deliveryId: delivery.id,
        webhookId: delivery.webhook?.id ?? null,
        lockedUntil: delivery.lockedUntil,
        status,
        nextAttemptAt: new Date(now.getTime() + (delay ?? 0)),
        ok: result.ok,
        sent,
        wasFailing: delivery.webhook?.failing ?? false,
        attempt: { attemptedAt, statusCode: result.statusCode, durationMs: result.durationMs, error: result.error, responseExcerpt: result.responseExcerpt },
      };
    } catch (error) {
      // A bug or an unreadable secret: leave the claim to expire and be retried, rather than lose the event.
      log.error({ err: error, deliveryId: delivery.id }, 'webhook delivery failed unexpectedly');
      return;
    }
    if (outcome.sent) {
      log[outcome.ok ? 'info' : 'warn'](
        {
          deliveryId: outcome.deliveryId,
          webhookId: outcome.webhookId,
          attempt: delivery.attempts + 1,
          statusCode: outcome.attempt.statusCode,
          durationMs: outcome.attempt.durationMs,
          error: outcome.attempt.error,
          next: outcome.status,
        },
        outcome.ok ? 'webhook delivered' : 'webhook delivery attempt failed',
      );
    }
    outcomes.push(outcome);
    void flush();
  }

  /**
   * Writes the collected outcomes, one transaction per batch. While the database is away the
   * outcomes are kept and retried with backoff: dropping them would send those events again once
   * their leases ran out. Any other failure is tried three times, then left to the leases (sent
   * again, not lost); so is everything still unwritten when a stopping worker gives up.
   */
  function flush(): Promise<void> {
    flushing ??= (async () => {
      let failures = 0;
      while (outcomes.length) {
        const batch = outcomes.splice(0, MAX_FLUSH);
        try {
          const disabled = await recordOutcomes(batch);
          for (const id of disabled) log.warn({ webhookId: id }, 'webhook endpoint disabled after failing continuously');
          failures = 0;
          flushFailing = false;
        } catch (error) {
          failures++;
          flushFailing = true;
          const keep = (isUnavailable(error) && !(stopping && failures >= 5)) || failures < 3;
          log.error({ err: error, outcomes: batch.length, failures, kept: keep }, 'recording webhook delivery outcomes failed');
          if (keep) outcomes.unshift(...batch);
          else failures = 0;
          await new Promise((r) => setTimeout(r, Math.min(5000, 100 * 2 ** Math.min(failures, 6))));
        }
      }
      flushFailing = false;
    })().finally(() => {
      flushing = null;
    });
    return flushing;
  }

  /** Starts queued deliveries while slots are free. */
  function dispatch() {
    while (inFlight.size < concurrency && queue.length && !stopping) {
      const delivery = queue.shift()!;
      const task: Promise<void> = deliver(delivery).finally(() => {
        inFlight.delete(task);
        dispatch();
        if (waitingForSlot) wake?.();
      });
      inFlight.add(task);
    }
  }

  async function loop(): Promise<void> {
    let errors = 0;
    while (!stopping) {
      if (flushFailing && flushing) {
        await flushing;
        continue;
      }
      const free = window - queue.length - inFlight.size;
      if (free < claimAtLeast) {
        await pause(pollIntervalMs * 10, 'slot');
        continue;
      }
      let claimed: ClaimedDelivery[];
      nudged = false;
      lastClaimAt = Date.now();
      try {
        claimed = await claimDeliveries(db, clock.now(), free, leaseMs);
        errors = 0;
      } catch (error) {
        errors++;
        log.error({ err: error }, 'claiming webhook deliveries failed');
        await pause(Math.min(5000, 100 * 2 ** errors), 'backoff');
        continue;
      }
      stats.claimed += claimed.length;
      queue.push(...claimed);
      dispatch();
      // A full claim means more may be due: claim again at once. Otherwise wait for a notification or the next poll.
      if (claimed.length < free) await pause(listener?.live ? listeningPollMs : pollIntervalMs);
    }
  }

  return {
    stats,
    start() {
      if (running) return;
      stopping = false;
      listener =
        options.listen?.(DELIVERIES_DUE_CHANNEL, {
          wake() {
            nudged = true;
            wakeIn?.(untilNotifiedClaim());
          },
          down: (error) => log.warn({ error, pollIntervalMs }, 'not notified of new webhook deliveries until the database is reachable again: polling'),
          up: () => log.info({}, 'notified of new webhook deliveries again'),
        }) ?? null;
      running = loop();
      log.info({ concurrency, leaseMs }, 'webhook worker started');
    },
    async stop() {
      stopping = true;
      wake?.();
      await listener?.close();
      listener = null;
      await running;
      running = null;
      // Claimed but not started: back to the queue for the next worker, rather than sent late.
      const unsent = queue.splice(0);
      await releaseDeliveries(db, clock.now(), unsent).catch((error) => log.error({ err: error }, 'releasing unsent deliveries failed'));
      await Promise.allSettled([...inFlight]);
      while (flushing || outcomes.length) await flush();
      if (!options.sender) await sender.close();
      log.info({ ...stats }, 'webhook worker stopped');
    },
  };
}
