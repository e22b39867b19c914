import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { createTestApp, json, type TestApp } from './helpers.js';
import { EVENT_TYPES, MANAGEMENT_SCOPES } from '../src/operations.js';
import { isId, type IdPrefix } from '../src/lib/ids.js';

describe('the served OpenAPI document', () => {
  let t: TestApp;
  let doc: any;
  before(async () => {
    t = await createTestApp('pglite');
    doc = json(await t.call('GET', '/openapi.json', { key: null }));
  });
  after(async () => {
    await t?.close();
  });

  const schema = (name: string) => doc.components.schemas[name];
  const parameter = (path: string, method: string, name: string) => doc.paths[path][method].parameters.find((p: any) => p.name === name);

  it('lists the scopes, event types and orderings as enums, and still answers bad ones with the services own codes', async () => {
    const scopes = schema('TenantApiKeyCreateRequest').properties.scopes.items;
    const [management, application] = scopes.anyOf;
    expect(management.enum).toEqual([...MANAGEMENT_SCOPES]);
    // An application scope is documented as what the service accepts: its pattern, outside Landlord's namespaces.
    expect(new RegExp(application.pattern).test('content:post')).toBe(true);
    expect(new RegExp(application.pattern).test('tenants:admin')).toBe(false);
    expect(schema('ApiKey').properties.scopes.items.anyOf[0].enum).toEqual([...MANAGEMENT_SCOPES]);
    expect(schema('RoleCreateRequest').properties.permissions.items.anyOf[0].enum).toEqual([...MANAGEMENT_SCOPES]);

    for (const name of ['WebhookCreateRequest', 'TenantWebhookCreateRequest', 'WebhookUpdateRequest', 'Webhook']) {
      expect([name, schema(name).properties.events.items.enum]).toEqual([name, ['*', ...EVENT_TYPES]]);
    }
    expect(schema('TenantCreateRequest').properties.webhook.properties.events.items.enum).toEqual(['*', ...EVENT_TYPES]);
    const typeFilter = parameter('/v1/events', 'get', 'type').schema;
    expect(typeFilter.anyOf[0].enum).toEqual([...EVENT_TYPES]);
    expect(new RegExp(typeFilter.anyOf[1].pattern).test('tenant.created,user.deleted')).toBe(true);

    const ordering = parameter('/v1/tenants', 'get', 'ordering').schema.enum;
    for (const value of ['name', '-name', 'slug', 'createdAt', '-createdAt', 'created_at', '-updated_at']) expect(ordering).toContain(value);
    expect(JSON.stringify(doc)).not.toContain('x-document-only');

    // The enums are the document's: requests are still checked by the services, with their codes.
    const tenant = json(await t.call('POST', '/v1/tenants', { body: { name: 'Enum Checked' } }));
    const badScope = await t.call('POST', `/v1/tenants/${tenant.id}/api-keys`, { body: { scopes: ['Not A Scope'] } });
    expect([badScope.statusCode, json(badScope).errors]).toEqual([422, [expect.objectContaining({ field: 'scopes.0', code: 'BAD_SCOPE' })]]);
    const badEvent = await t.call('POST', `/v1/tenants/${tenant.id}/webhooks`, { body: { url: 'https://hooks.example.com/', events: ['tenant.exploded'] } });
    expect([badEvent.statusCode, json(badEvent).errors]).toEqual([
      422,
      [expect.objectContaining({ field: 'events', code: 'BAD_FORMAT', message: expect.stringContaining('tenant.created') })],
    ]);
    const badOrdering = await t.call('GET', '/v1/tenants?ordering=color');
    expect([badOrdering.statusCode, json(badOrdering).errors]).toEqual([422, [expect.objectContaining({ field: 'ordering', code: 'BAD_FORMAT' })]]);
    expect(json(await t.call('GET', '/v1/events?type=tenant.exploded')).results).toEqual([]);
  });

  it('has an example on every operation, each valid against its schema, with real-looking ids and placeholder secrets', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    (addFormatsModule as unknown as typeof addFormatsModule.default)(ajv);
    for (const format of ['http-url', 'timezone', 'locale']) ajv.addFormat(format, true);
    ajv.addSchema(doc, 'openapi');
    const valid = (where: unknown[], media: any) => {
      // A binary body (the backup) has no example to show.
      if ((media.schema.$ref ? schema(media.schema.$ref.split('/').pop()) : media.schema).contentMediaType) return undefined;
      expect([...where, media.example !== undefined]).toEqual([...where, true]);
      const validate = ajv.compile(media.schema.$ref ? { $ref: `openapi${media.schema.$ref}` } : media.schema);
      expect([...where, validate(media.example), validate.errors ?? null]).toEqual([...where, true, null]);
      return media.example;
    };
    const resolve = (p: any) => (p.$ref ? doc.components.parameters[p.$ref.split('/').pop()] : p);
    const examples: unknown[] = [];
    for (const [path, ops] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(ops)) {
        let shown = 0;
        for (const [type, media] of Object.entries<any>(op.requestBody?.content ?? {})) examples.push(valid([path, method, 'request', type], media), ++shown);
        for (const [status, response] of Object.entries<any>(op.responses)) {
          if (!status.startsWith('2')) continue;
          for (const [type, media] of Object.entries<any>(response.content ?? {})) examples.push(valid([path, method, status, type], media), ++shown);
        }
        // Operations with no body either way show their parameters.
        const parameters = (op.parameters ?? []).map(resolve).filter((p: any) => p.example !== undefined);
        examples.push(...parameters.map((p: any) => p.example));
        expect([path, method, shown + parameters.length > 0]).toEqual([path, method, true]);
        for (const p of (op.parameters ?? []).map(resolve).filter((p: any) => p.in === 'path')) {
          expect([path, method, p.name, p.example]).toEqual([path, method, p.name, expect.any(String)]);
        }
      }
    }
    for (const [type, ops] of Object.entries<any>(doc.webhooks)) examples.push(valid(['webhook', type], ops.post.requestBody.content['application/json']));

    const strings: [string, string][] = [];
    const walk = (value: unknown, key: string) => {
      if (typeof value === 'string') strings.push([key, value]);
      else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, Array.isArray(value) ? key : k);
    };
    walk(examples, '');
    const ids = strings.filter(([, v]) => /^(org|tnt|usr|key|whk|evt|dlv|aud|ses|msg|inv|sso)_[0-9a-z]{20,}$/.test(v));
    expect(ids.length).toBeGreaterThan(50);
    for (const [key, id] of ids) expect([key, id, isId(id, id.slice(0, 3) as IdPrefix)]).toEqual([key, id, true]);
    const secrets = strings.filter(([key]) => key === 'secret' || key === 'client_secret');
    expect(secrets.length).toBeGreaterThan(5);
    // Shaped like real ones, and saying they are not.
    for (const [, secret] of secrets) {
      const placeholder = secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64').toString() : secret;
      expect([secret, /^(lk_[A-Za-z0-9]{43}|whsec_[A-Za-z0-9+/]{43}=)$/.test(secret), /example/i.test(placeholder)]).toEqual([secret, true, true]);
    }
  });
});
