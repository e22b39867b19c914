import { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { operationId } from '../../operations.js';
import { AuditListQuery, type AuditEntry } from './audit.schemas.js';
import type { AuditService } from './audit.service.js';

const { cursor: _cursor, limit: _limit, ...filters } = AuditListQuery.properties;
const AuditExportQuery = Type.Object(
  {
    ...filters,
    format: Type.Optional(
      Type.Unsafe<'ndjson' | 'csv'>({ type: 'string', enum: ['ndjson', 'csv'], description: 'Default `ndjson`', 'x-error-code': 'BAD_FORMAT' }),
    ),
  },
  { additionalProperties: false },
);

const COLUMNS = [
  'occurredAt',
  'id',
  'organizationId',
  'tenantId',
  'actorType',
  'actorId',
  'credentialId',
  'action',
  'targetType',
  'targetId',
  'ip',
  'userAgent',
  'requestId',
  'changes',
];

/**
 * One CSV field. Quoted when it holds a separator, a quote or a line break; one that a
 * spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR) is prefixed with `'`.
 */
function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvRow(e: AuditEntry): string {
  const values = [
    e.occurredAt,
    e.id,
    e.organizationId,
    e.tenantId,
    e.actor.type,
    e.actor.id,
    e.credentialId,
    e.action,
    e.target?.type,
    e.target?.id,
    e.ip,
    e.userAgent,
    e.requestId,
    e.changes,
  ];
  return `${values.map(csvField).join(',')}\r\n`;
}

export const auditExportRoutes: FastifyPluginAsync<{ audit: AuditService }> = async (fastify, { audit }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/audit-logs/export', {
    schema: {
      operationId: operationId('audit.export'),
      tags: ['Audit log'],
      summary: 'Export the audit log, streamed',
      description:
        "Every entry the filters match (those of `GET /v1/audit-logs`), newest first, streamed as it is read: `ndjson` (one entry per line, as the list returns it) or `csv` (a header row, then one row per entry; `changes` as JSON; fields a spreadsheet would run as a formula are prefixed with `'`). The same visibility as the list: owners their tenant and its descendants, admins their organization.",
      querystring: AuditExportQuery,
      response: {
        200: {
          description: 'The entries, streamed: one JSON object per line, or CSV rows after a header row',
          content: {
            'application/x-ndjson': { schema: Type.Unsafe({ type: 'string', description: 'One entry (as `GET /v1/audit-logs` lists it) per line' }) },
            'text/csv': { schema: Type.Unsafe({ type: 'string', description: `Columns: ${COLUMNS.join(', ')}` }) },
          },
        },
      },
    },
    handler: async (request, reply) => {
      const { format = 'ndjson', ...query } = request.query;
      // The first page is read before anything is sent, so a refusal is still a problem answer.
      let page = await audit.list(request.principal, { ...query, limit: 200 });
      const caller = request.principal;
      async function* lines() {
        if (format === 'csv') yield `${COLUMNS.join(',')}\r\n`;
        for (;;) {
          for (const entry of page.results) yield format === 'csv' ? csvRow(entry) : `${JSON.stringify(entry)}\n`;
          if (!page.next) return;
          page = await audit.list(caller, { ...query, limit: 200, cursor: page.next.cursor });
        }
      }
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      return reply
        .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
        .header('content-disposition', `attachment; filename="audit-log-${stamp}.${format === 'csv' ? 'csv' : 'ndjson'}"`)
        .header('cache-control', 'no-store')
        .send(Readable.from(lines()));
    },
  });
};
