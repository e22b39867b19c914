import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import type { SecretBox } from '../../lib/secret-box.js';
import { nextRetryDelay } from '../webhooks/retry-schedule.js';
import type { MailContent } from './mail.outbox.js';
import type { MailSender } from './mail.sender.js';

interface ClaimedMail {
  id: string;
  kind: string;
  to_address: string;
  content_sealed: string;
  attempts: number;
  locked_until: Date;
}

export interface MailerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface MailerOptions {
  db: Kysely<Database>;
  clock: Clock;
  secretBox: SecretBox;
  sender: MailSender;
  /** Delays before each retry; once they are spent the mail has failed for good. */
  retrySchedule: readonly number[];
  /** The domain of Message-IDs (the public URL's host). */
  domain: string;
  log?: MailerLog;
  pollMs?: number;
  leaseMs?: number;
  batch?: number;
}

/**
 * Claims due mails (SKIP LOCKED, under a lease, so any number of workers share the queue and a
 * crashed worker's mails come back when its lease runs out), sends each once, and records the
 * outcome fenced by the lease. A mail the SMTP server refuses, or one sent while the server was
 * away, is retried on the schedule. Neither the content nor the link is ever logged.
 */
async function claim(db: Kysely<Database>, now: Date, leaseMs: number, batch: number): Promise<ClaimedMail[]> {
  const lease = new Date(now.getTime() + leaseMs);
  const { rows } = await sql<ClaimedMail>`
    with due as (
      select id from mails
      where next_attempt_at <= ${now} and (status = 'pending' or (status = 'sending' and locked_until <= ${now}))
      order by next_attempt_at
      limit ${batch}
      for update skip locked
    )
    update mails m set status = 'sending', locked_until = ${lease}, next_attempt_at = ${lease}, attempts = m.attempts + 1
    from due where m.id = due.id
    returning m.id, m.kind, m.to_address, m.content_sealed, m.attempts, m.locked_until`.execute(db);
  return rows.map((r) => ({ ...r, attempts: Number(r.attempts), locked_until: new Date(r.locked_until) }));
}

export function createMailer(options: MailerOptions) {
  const { db, clock, secretBox, sender, log } = options;
  const pollMs = options.pollMs ?? 1000;
  const leaseMs = options.leaseMs ?? 60_000;
  const batch = options.batch ?? 10;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;
  let stopped = true;

  async function finish(mail: ClaimedMail, set: { status: 'sent' | 'pending' | 'failed'; next_attempt_at?: Date; last_error: string | null }) {
    const now = clock.now();
    await db
      .updateTable('mails')
      .set({ ...set, next_attempt_at: set.next_attempt_at ?? now, locked_until: null, ...(set.status === 'sent' ? { sent_at: now } : {}) })
      .where('id', '=', mail.id)
      .where('status', '=', 'sending')
      .where('locked_until', '=', mail.locked_until)
      .execute();
  }

  async function deliver(mail: ClaimedMail): Promise<void> {
    const content = JSON.parse(secretBox.open(mail.content_sealed)) as MailContent;
    try {
      await sender.send({ ...content, to: mail.to_address, messageId: `<${mail.id}@${options.domain}>` });
    } catch (error) {
      const reason = (error as { code?: string; responseCode?: number; message?: string }) ?? {};
      const why = reason.responseCode ? `SMTP ${reason.responseCode}` : (reason.code ?? 'send failed');
      const delay = nextRetryDelay(mail.attempts, options.retrySchedule);
      log?.warn(
        { mailId: mail.id, kind: mail.kind, attempt: mail.attempts, error: why, retryInMs: delay },
        delay === null ? 'mail failed for good' : 'mail not sent; retrying',
      );
      await finish(
        mail,
        delay === null
          ? { status: 'failed', last_error: why }
          : { status: 'pending', next_attempt_at: new Date(clock.now().getTime() + delay), last_error: why },
      );
      return;
    }
    await finish(mail, { status: 'sent', last_error: null });
    log?.info({ mailId: mail.id, kind: mail.kind, attempt: mail.attempts }, 'mail sent');
  }

  /** One pass: claims what is due and sends it; the number of mails tried. */
  async function runOnce(): Promise<number> {
    const claimed = await claim(db, clock.now(), leaseMs, batch);
    await Promise.all(claimed.map((m) => deliver(m).catch((error) => log?.warn({ mailId: m.id, err: error }, 'recording a mail outcome failed'))));
    return claimed.length;
  }

  const pass = () => {
    running ??= runOnce()
      .catch((error: unknown) => {
        log?.warn({ err: error }, 'sending mails failed; retrying at the next pass');
        return 0;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };

  const loop = async () => {
    if (stopped) return;
    const tried = await pass();
    if (stopped) return;
    // A full batch: there may be more due now.
    timer = setTimeout(() => void loop(), tried >= batch ? 0 : pollMs);
    timer.unref();
  };

  return {
    runOnce,
    start() {
      if (!stopped) return;
      stopped = false;
      void loop();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await running;
      sender.close();
    },
  };
}

export type Mailer = ReturnType<typeof createMailer>;
