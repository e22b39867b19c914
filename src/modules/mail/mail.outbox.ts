import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { SecretBox } from '../../lib/secret-box.js';
import { newId } from '../../lib/ids.js';

/** What a mail says: the subject, and the same message as plain text and as HTML. */
export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

export interface OutgoingMail extends MailContent {
  organizationId: string | null;
  tenantId: string | null;
  /** What it is for (`invitation`, `password_reset`, `sign_in_link`): metrics and the worker's log. */
  kind: string;
  to: string;
}

/**
 * Queues a mail in the caller's transaction: it exists exactly when what asked for it committed,
 * and the worker sends it, retrying until the SMTP server takes it. The content is sealed, since
 * the link it carries is a secret. Returns the mail's id.
 */
export async function enqueueMail(trx: Kysely<Database>, secretBox: SecretBox, now: Date, mail: OutgoingMail): Promise<string> {
  const id = newId('msg', now.getTime());
  const content: MailContent = { subject: mail.subject, text: mail.text, html: mail.html };
  await trx
    .insertInto('mails')
    .values({
      id,
      organization_id: mail.organizationId,
      tenant_id: mail.tenantId,
      kind: mail.kind,
      to_address: mail.to,
      content_sealed: secretBox.seal(JSON.stringify(content)),
      next_attempt_at: now,
      created_at: now,
    })
    .execute();
  return id;
}

/** Mails not yet sent (pending or being sent), and when the oldest was queued: the backlog gauges. */
export async function mailBacklog(db: Kysely<Database>): Promise<{ count: number; oldestCreatedAt: Date | null }> {
  const row = await db
    .selectFrom('mails')
    .select([sql<number>`count(*)::int`.as('count'), sql<Date | null>`min(created_at)`.as('oldest')])
    .where('status', 'in', ['pending', 'sending'])
    .executeTakeFirstOrThrow();
  return { count: row.count, oldestCreatedAt: row.oldest ? new Date(row.oldest) : null };
}
