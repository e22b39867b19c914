import { Type, type Static } from 'typebox';
import { DocumentedAs, Email, HttpUrl, ListEnvelope, ListQuery, MapOf, Nullable, Timestamp } from '../../lib/schemas.js';
import { ScopeString } from '../access/scope.schemas.js';
import { SubscribedEvent } from '../webhooks/webhook.schemas.js';
import {
  type Entitlements,
  type FeatureMap,
  FeatureMapSchema,
  FeaturePatchSchema,
  type LimitMap,
  LimitMapSchema,
  LimitPatchSchema,
  PLAN_KEY_PATTERN,
} from '../plans/plan.schemas.js';

export const SLUG_PATTERN = '^[a-z0-9][a-z0-9_-]{0,62}$';
export const EXTERNAL_ID_PATTERN = '^[A-Za-z0-9_-]{1,255}$';

export const READ_ONLY_TENANT_FIELDS = ['id', 'depth', 'ancestorIds', 'userCount', 'owner', 'deletedAt', 'purgeAt', 'entitlements', 'createdAt', 'updatedAt'];

/** How deep tenants nest: a root is 0. */
export const MAX_TENANT_DEPTH = 5;

export const TENANT_STATUSES = ['active', 'suspended', 'pending_deletion'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];
const statusSchema = (description: string) =>
  Type.Unsafe<TenantStatus>({ type: 'string', enum: [...TENANT_STATUSES], description, 'x-error-code': 'BAD_STATUS' });

const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S', 'x-pattern-message': 'must not be blank' });
const Slug = Type.String({
  pattern: SLUG_PATTERN,
  maxLength: 63,
  'x-error-code': 'BAD_SLUG',
  'x-pattern-message': 'must be 1-63 characters of a-z, 0-9, - and _, starting with a letter or digit',
});
const ExternalId = Type.String({
  pattern: EXTERNAL_ID_PATTERN,
  maxLength: 255,
  'x-error-code': 'BAD_EXTERNAL_ID',
  'x-pattern-message': 'must be 1-255 characters of A-Z, a-z, 0-9, - and _',
});

export const LegalEntitySchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    registrationNumber: Type.String({ minLength: 1, maxLength: 100, description: 'VAT or company registration number' }),
  },
  { additionalProperties: false },
);

const SettingsFields = {
  timezone: Type.String({ format: 'timezone', maxLength: 64, description: 'IANA time zone name' }),
  weekStart: Type.Integer({ minimum: 0, maximum: 6, description: '0 = Sunday … 6 = Saturday' }),
  locale: Type.String({ format: 'locale', maxLength: 35, description: 'BCP 47 language tag' }),
};

export const SettingsSchema = Type.Object(SettingsFields);
const SettingsInput = Type.Object(
  {
    timezone: Type.Optional(SettingsFields.timezone),
    weekStart: Type.Optional(SettingsFields.weekStart),
    locale: Type.Optional(SettingsFields.locale),
  },
  { additionalProperties: false },
);

const metadataSchema = (nullableValues: boolean) =>
  Type.Unsafe<Record<string, string | null>>({
    type: 'object',
    maxProperties: 50,
    'x-error-code': 'BAD_METADATA',
    // Keys that name JavaScript's object machinery are refused rather than silently lost.
    propertyNames: { minLength: 1, maxLength: 40, not: { enum: ['__proto__', 'constructor', 'prototype'] }, 'x-error-code': 'BAD_METADATA' },
    additionalProperties: {
      type: nullableValues ? ['string', 'null'] : 'string',
      maxLength: 500,
      'x-error-code': 'BAD_METADATA',
    },
    description: `At most 50 keys of 1-40 characters (not \`__proto__\`, \`constructor\` or \`prototype\`); string values of at most 500 characters${nullableValues ? '; a key set to null is removed' : ''}`,
  });

export const OwnerSummary = Type.Object({ id: Type.String(), name: Type.String(), email: Type.String() });

export const TenantSchema = Type.Object(
  {
    id: Type.String({ examples: ['tnt_01kjpx731wwb3jtpgsnaj8t6yq'] }),
    organizationId: Type.String(),
    parentId: Nullable(Type.String({ description: 'The parent tenant, in the same organization; null for a root' })),
    depth: Type.Integer({ minimum: 0, maximum: 5, description: '0 for a root' }),
    ancestorIds: Type.Array(Type.String(), { description: 'Root first; empty for a root' }),
    name: Type.String(),
    slug: Type.String(),
    externalId: Nullable(Type.String()),
    displayName: Type.String(),
    email: Nullable(Type.String()),
    url: Nullable(Type.String()),
    description: Nullable(Type.String()),
    isActive: Type.Boolean({ description: 'True exactly when `status` is `active`' }),
    status: statusSchema('`suspended`: its keys, tokens and sessions are refused; `pending_deletion`: deleted, restorable until `purgeAt`'),
    suspendedReason: Nullable(Type.String({ description: 'Why it is suspended, when it is' })),
    deletedAt: Nullable(Timestamp),
    purgeAt: Nullable(Type.String({ format: 'date-time', description: 'When a deleted tenant is removed for good' })),
    deletionProtection: Type.Boolean({ description: 'While true, DELETE is refused with 409 DELETION_PROTECTED. Admins only' }),
    plan: Nullable(Type.String({ description: 'The key of its plan, or null' })),
    features: Type.Unsafe<FeatureMap>({ ...FeatureMapSchema, description: "Its own feature flags, over the plan's" }),
    limits: Type.Unsafe<LimitMap>({ ...LimitMapSchema, description: "Its own limits, over the plan's" }),
    entitlements: Type.Unsafe<Entitlements>(Type.Ref('Entitlements')),
    legalEntities: Type.Array(LegalEntitySchema),
    settings: SettingsSchema,
    metadata: MapOf(Type.String()),
    owner: Nullable(OwnerSummary),
    userCount: Type.Integer(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Tenant' },
);
export type Tenant = Static<typeof TenantSchema>;

const writable = {
  slug: Slug,
  externalId: Nullable(ExternalId),
  parentId: Nullable(
    Type.String({ maxLength: 64, description: 'Admins only: the parent tenant (same organization; no cycles; depth at most 5); null makes it a root' }),
  ),
  displayName: Type.String({ minLength: 1, maxLength: 200 }),
  email: Nullable(Email()),
  url: Nullable(HttpUrl()),
  description: Nullable(Type.String({ maxLength: 2000 })),
  isActive: Type.Boolean({ description: 'Admins only: false suspends the tenant, true reactivates it' }),
  status: Type.Unsafe<'active' | 'suspended'>({
    type: 'string',
    enum: ['active', 'suspended'],
    description: 'Admins only: `suspended` suspends, `active` reactivates (DELETE is how a tenant is deleted)',
    'x-error-code': 'BAD_STATUS',
  }),
  suspendedReason: Nullable(Type.String({ maxLength: 500, description: 'Admins only: why the tenant is suspended (cleared on reactivation)' })),
  deletionProtection: Type.Boolean({ description: 'Admins only (default false): while true, DELETE is refused with 409 DELETION_PROTECTED' }),
  legalEntities: Type.Array(LegalEntitySchema, { maxItems: 20 }),
  plan: Nullable(
    Type.String({
      pattern: PLAN_KEY_PATTERN,
      maxLength: 63,
      'x-error-code': 'BAD_PLAN_KEY',
      'x-pattern-message': 'must be the key of a plan',
      description: 'Admins only: the key of a plan of its organization (422 PLAN_NOT_FOUND otherwise); null for none',
    }),
  ),
};

const objectOptions = { additionalProperties: false, 'x-read-only': READ_ONLY_TENANT_FIELDS };

/** The writable fields every create, replace and update body shares, each optional; a PATCH may set metadata keys to null. */
const optionalWritable = (patch: boolean) => ({
  slug: Type.Optional(writable.slug),
  externalId: Type.Optional(writable.externalId),
  parentId: Type.Optional(writable.parentId),
  displayName: Type.Optional(writable.displayName),
  email: Type.Optional(writable.email),
  url: Type.Optional(writable.url),
  description: Type.Optional(writable.description),
  isActive: Type.Optional(writable.isActive),
  status: Type.Optional(writable.status),
  suspendedReason: Type.Optional(writable.suspendedReason),
  deletionProtection: Type.Optional(writable.deletionProtection),
  legalEntities: Type.Optional(writable.legalEntities),
  settings: Type.Optional(SettingsInput),
  metadata: Type.Optional(metadataSchema(patch)),
  plan: Type.Optional(writable.plan),
  features: Type.Optional(
    patch
      ? Type.Unsafe<Record<string, boolean | number | string | null>>({
          ...FeaturePatchSchema,
          description: "Admins only: merged into its own (a key set to null is removed); they override the plan's, key by key",
        })
      : Type.Unsafe<Record<string, boolean | number | string>>({
          ...FeatureMapSchema,
          description: "Admins only: its own feature flags, which override the plan's, key by key",
        }),
  ),
  limits: Type.Optional(
    patch
      ? Type.Unsafe<Static<typeof LimitPatchSchema>>({
          ...LimitPatchSchema,
          description: "Admins only: merged into its own (a limit set to null is removed); they override the plan's, key by key",
        })
      : Type.Unsafe<Static<typeof LimitMapSchema>>({ ...LimitMapSchema, description: "Admins only: its own limits, which override the plan's, key by key" }),
  ),
});

export const TenantCreateBody = Type.Object(
  {
    name: Name,
    ...optionalWritable(false),
    organizationId: Type.Optional(Type.String({ maxLength: 64, description: "Superadmins only; defaults to the caller's organization" })),
    owner: Type.Optional(
      Type.Object(
        {
          name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Defaults to the part of the email before `@`' })),
          email: Email(),
          password: Type.Optional(Type.String({ maxLength: 128 })),
        },
        { additionalProperties: false, description: 'Creates the tenant owner; the response adds a one-time `signInUrl`' },
      ),
    ),
    ownerId: Type.Optional(Type.String({ maxLength: 64, description: 'Makes an existing user of the organization who has no tenant yet the owner' })),
    apiKey: Type.Optional(
      Type.Object(
        {
          name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          scopes: Type.Optional(Type.Array(ScopeString({ maxLength: 128 }), { maxItems: 64 })),
        },
        { additionalProperties: false, description: 'Issues a tenant API key; the secret is returned once' },
      ),
    ),
    webhook: Type.Optional(
      Type.Object(
        { url: HttpUrl(), events: Type.Optional(Type.Array(SubscribedEvent({ maxLength: 64 }), { maxItems: 50 })) },
        {
          additionalProperties: false,
          description: 'Subscribes an endpoint to this tenant\'s events (`events` defaults to `["*"]`); the response adds `webhook` with its one-time `secret`',
        },
      ),
    ),
  },
  objectOptions,
);
export type TenantCreateInput = Static<typeof TenantCreateBody>;

export const TenantPutBody = Type.Object(
  {
    name: Name,
    ...optionalWritable(false),
  },
  { ...objectOptions, 'x-read-only': [...READ_ONLY_TENANT_FIELDS, 'organizationId'] },
);
export type TenantPutInput = Static<typeof TenantPutBody>;

export const TenantPatchBody = Type.Object(
  {
    name: Type.Optional(Name),
    ...optionalWritable(true),
  },
  { ...objectOptions, 'x-read-only': [...READ_ONLY_TENANT_FIELDS, 'organizationId'] },
);
export type TenantPatchInput = Static<typeof TenantPatchBody>;

export const TenantCreatedSchema = Type.Object({
  ...TenantSchema.properties,
  dashboardUrl: Type.String({ description: "The tenant's page in the dashboard" }),
  signInUrl: Type.Optional(Type.String({ description: 'One-time dashboard sign-in link for the new owner (15 minutes)' })),
  apiKey: Type.Optional(
    Type.Object({
      id: Type.String(),
      secret: Type.String({ description: 'Shown only in this response' }),
      scopes: Type.Array(ScopeString()),
    }),
  ),
  webhook: Type.Optional(
    Type.Object({
      id: Type.String(),
      url: Type.String(),
      events: Type.Array(SubscribedEvent()),
      secret: Type.String({ description: 'The signing secret (`whsec_…`): shown only in this response' }),
    }),
  ),
});

/** What `ordering` may name (snake_case aliases too), and the column each sorts on. */
export const TENANT_ORDERINGS = {
  name: 'name',
  slug: 'slug',
  createdAt: 'created_at',
  created_at: 'created_at',
  updatedAt: 'updated_at',
  updated_at: 'updated_at',
} as const;

export const TenantListQuery = Type.Object(
  {
    ...ListQuery,
    search: Type.Optional(Type.String({ maxLength: 200, description: 'Case-insensitive substring of name, slug, email, externalId or displayName' })),
    isActive: Type.Optional(Type.Boolean()),
    is_active: Type.Optional(Type.Boolean({ description: 'Alias of `isActive`' })),
    status: Type.Optional(statusSchema('Deleted tenants are listed only with `pending_deletion` (admins)')),
    externalId: Type.Optional(Type.String({ maxLength: 255 })),
    parentId: Type.Optional(Type.String({ maxLength: 64, description: 'Only the children of this tenant' })),
    ancestorId: Type.Optional(Type.String({ maxLength: 64, description: 'Only the descendants of this tenant, at any depth (its whole subtree but itself)' })),
    plan: Type.Optional(Type.String({ maxLength: 63, description: 'Only the tenants on this plan (its key)' })),
    organizationId: Type.Optional(Type.String({ maxLength: 64, description: 'Superadmins: only this organization' })),
    createdAfter: Type.Optional(Type.String({ format: 'date-time' })),
    createdBefore: Type.Optional(Type.String({ format: 'date-time' })),
    ordering: Type.Optional(
      // The list checks it (422 `BAD_FORMAT` naming the fields), so the enum is the document's only.
      DocumentedAs(
        Type.String({
          description:
            '`name`, `slug`, `createdAt`, `updatedAt` (snake_case aliases `created_at`, `updated_at`), `-` prefix for descending; default `-createdAt`',
        }),
        { enum: Object.keys(TENANT_ORDERINGS).flatMap((field) => [field, `-${field}`]) },
      ),
    ),
  },
  {
    patternProperties: { '^metadata\\[.{1,40}\\]$': { type: 'string', maxLength: 500 } },
    additionalProperties: false,
    description: 'Also `metadata[key]=value` to filter on a metadata entry',
  },
);
export type TenantListQueryInput = Static<typeof TenantListQuery>;

export const TenantList = ListEnvelope(Type.Ref('Tenant'));

export const TenantBatchBody = Type.Object(
  {
    items: Type.Array(Type.Object({}, { additionalProperties: true, description: 'A tenant create body' }), {
      minItems: 1,
      maxItems: 100,
    }),
    atomic: Type.Optional(Type.Boolean({ description: 'All or nothing: when one item fails, none is created' })),
  },
  { additionalProperties: false },
);

export const TenantBatchResult = Type.Object({
  results: Type.Array(
    Type.Object({
      status: Type.Integer({ description: '201 when created; otherwise the error status. 424 marks items rolled back in an atomic batch' }),
      tenant: Type.Optional(TenantCreatedSchema),
      error: Type.Optional(Type.Ref('Problem')),
    }),
  ),
});

export const TenantExportSchema = Type.Object({
  exportedAt: Timestamp,
  tenant: Type.Ref('Tenant'),
  users: Type.Array(Type.Ref('User')),
  apiKeys: Type.Array(Type.Ref('ApiKey'), { description: 'Active keys, never their secrets' }),
  webhooks: Type.Array(Type.Ref('Webhook'), { description: "The tenant's own endpoints, never their secrets" }),
});
