import { createMailer } from '../../src/modules/mail/mail.worker.js';
import { createSmtpSender } from '../../src/modules/mail/mail.sender.js';
import type { TestApp } from '../helpers.js';

// Test apps run no mail worker: a test sends what is queued itself, when it is ready to read it.

/** Sends every mail queued so far to the SMTP server at `smtpUrl`, once, as the worker would. */
export async function sendQueuedMails(t: TestApp, smtpUrl: string) {
  const mailer = createMailer({
    db: t.deps.database.db,
    clock: t.deps.clock,
    secretBox: t.deps.secretBox,
    sender: createSmtpSender(smtpUrl, t.deps.config.mailFrom),
    retrySchedule: [50],
    domain: 'landlord.test',
  });
  await mailer.runOnce();
  await mailer.stop();
}

/** Waits until a mail to `to` is queued: some are written after the request that asks for them is answered. */
export async function mailQueuedFor(t: TestApp, to: string, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await t.deps.database.db.selectFrom('mails').select('id').where('to_address', '=', to).where('status', '=', 'pending').executeTakeFirst();
    if (row) return;
    if (Date.now() > deadline) throw new Error(`No mail to ${to} was queued within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
