import nodemailer from 'nodemailer';
import type { MailContent } from './mail.outbox.js';

export interface MailSender {
  /** Hands the mail to the SMTP server; resolves once it has accepted it, rejects otherwise. */
  send(mail: MailContent & { to: string; messageId: string }): Promise<void>;
  close(): void;
}

/** An SMTP client (nodemailer) for `smtpUrl`, with timeouts so that a stalled server fails an attempt rather than holding it. */
export function createSmtpSender(smtpUrl: string, from: string): MailSender {
  const transport = nodemailer.createTransport(
    {
      url: smtpUrl,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
      // Never write message contents (their links are secrets) to any log.
      logger: false,
      debug: false,
    },
    { from },
  );
  return {
    async send(mail) {
      await transport.sendMail({
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        // Stable across retries: a receiver that got it twice can tell.
        messageId: mail.messageId,
      });
    },
    close: () => transport.close(),
  };
}
