import { OPERATION_EXAMPLES } from './openapi-example-operations.js';
import { ID, apiKey, event, invitation, owner, plan, role, ssoConnection, tenant, webhook } from './openapi-example-resources.js';

/**
 * Puts the examples in the OpenAPI document: each operation's request body and success
 * response (from OPERATION_EXAMPLES, by operationId), its path parameters (by name), and one
 * event per type in the `webhooks` section.
 */

type Media = Record<string, { example?: unknown }>;
type Parameter = { name?: string; in?: string; example?: unknown };
type Operation = { operationId?: string; parameters?: Parameter[]; requestBody?: { content?: Media }; responses?: Record<string, { content?: Media }> };
type Doc = { paths?: Record<string, Record<string, Operation>>; webhooks?: Record<string, Record<string, Operation>> };

const PATH_PARAMETERS: Record<string, string> = {
  keyId: ID.tenantKey,
  userId: ID.owner,
  invitationId: ID.invitation,
  connectionId: ID.ssoConnection,
  deliveryId: ID.delivery,
};
const QUERY_PARAMETERS: Record<string, Record<string, string>> = {
  'auth.sso_lookup': { email: owner.email },
  'auth.sso_start': { email: owner.email },
  'auth.sso_callback': { state: 'EXAMPLEnotArealState00', code: 'EXAMPLEnotArealCode000' },
};

/** `{id}` and `{key}` name what the path is about. */
function pathParameter(path: string, name: string): string | undefined {
  if (name === 'id') {
    if (path.startsWith('/v1/tenants/')) return ID.tenant;
    if (path.startsWith('/v1/organizations/')) return ID.organization;
    if (path.startsWith('/v1/webhooks/')) return ID.webhook;
  }
  if (name === 'key') return path.startsWith('/v1/roles/') ? role.key : plan.key;
  return PATH_PARAMETERS[name];
}

const OBJECTS: Record<string, unknown> = { tenant, plan, role, user: owner, api_key: apiKey, invitation, sso_connection: ssoConnection, webhook };

function eventExample(type: string) {
  const [kind, change] = type.split('.');
  const object = type === 'webhook.test' ? { webhookId: ID.webhook, message: 'A test event sent from the Landlord API' } : OBJECTS[kind];
  const previous = change === 'updated' ? { data: { object, previous: object } } : { data: { object } };
  return {
    id: event.id,
    type,
    createdAt: event.createdAt,
    organizationId: ID.organization,
    tenantId: kind === 'plan' || kind === 'role' ? null : ID.tenant,
    ...previous,
  };
}

const setExample = (content: Media | undefined, example: unknown, byType: Record<string, unknown> = {}) => {
  for (const [type, media] of Object.entries(content ?? {})) {
    const value = byType[type] ?? example;
    if (value !== undefined) media.example = value;
  }
};

export function addExamples<T extends object>(input: T): T {
  const doc = input as Doc;
  for (const [path, ops] of Object.entries(doc.paths ?? {})) {
    for (const op of Object.values(ops)) {
      const examples = (op.operationId && OPERATION_EXAMPLES[op.operationId]) || {};
      setExample(op.requestBody?.content, examples.request);
      for (const [status, response] of Object.entries(op.responses ?? {}))
        if (status.startsWith('2')) setExample(response.content, examples.response, examples.responses);
      for (const parameter of op.parameters ?? []) {
        const value = parameter.in === 'path' ? pathParameter(path, parameter.name ?? '') : QUERY_PARAMETERS[op.operationId ?? '']?.[parameter.name ?? ''];
        if (value !== undefined) parameter.example = value;
      }
    }
  }
  for (const [type, ops] of Object.entries(doc.webhooks ?? {})) {
    for (const op of Object.values(ops)) setExample(op.requestBody?.content, eventExample(type));
  }
  return input;
}
