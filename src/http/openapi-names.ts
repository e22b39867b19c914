/**
 * Names every request and success-response body of the OpenAPI document: a schema written
 * inline in a route becomes `components.schemas.<OperationId>Request` / `…Response`, so that
 * generated clients get named types instead of anonymous ones. Bodies that already refer to a
 * named schema are left as they are.
 */

type Media = Record<string, { schema?: Record<string, unknown> }>;
type Operation = { operationId?: string; requestBody?: { content?: Media }; responses?: Record<string, { content?: Media }> };
type Doc = { paths?: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, unknown> } };

const pascal = (id: string) =>
  id
    .split(/[._-]/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');

function hoist(content: Media | undefined, name: string, schemas: Record<string, unknown>) {
  for (const media of Object.values(content ?? {})) {
    const schema = media.schema;
    if (!schema || '$ref' in schema || Object.keys(schema).length === 0) continue;
    // One body under two media types (JSON and a form) is one schema.
    schemas[name] ??= schema;
    media.schema = { $ref: `#/components/schemas/${name}` };
  }
}

export function nameSchemas<T extends object>(input: T): T {
  const doc = input as Doc;
  const schemas = (doc.components ??= {}).schemas ?? (doc.components.schemas = {});
  for (const ops of Object.values(doc.paths ?? {})) {
    for (const op of Object.values(ops)) {
      if (!op.operationId) continue;
      const base = pascal(op.operationId);
      hoist(op.requestBody?.content, `${base}Request`, schemas);
      const ok = Object.entries(op.responses ?? {}).filter(([status, r]) => status.startsWith('2') && r.content);
      for (const [status, response] of ok) hoist(response.content, ok.length > 1 ? `${base}Response${status}` : `${base}Response`, schemas);
    }
  }
  return input;
}

const STATUS_TEXT: Record<string, string> = {
  '200': 'The result',
  '201': 'Created',
  '202': 'Accepted: the work happens after the answer',
  '204': 'Done; no body',
};

/** A success response the route described only as "Default Response" gets what its status means. */
export function describeResponses<T extends object>(input: T): T {
  for (const ops of Object.values((input as Doc).paths ?? {})) {
    for (const op of Object.values(ops)) {
      for (const [status, response] of Object.entries(op.responses ?? {}) as [string, { description?: string }][]) {
        if (response.description === 'Default Response' && STATUS_TEXT[status]) response.description = STATUS_TEXT[status];
      }
    }
  }
  return input;
}
