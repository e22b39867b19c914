import { Type, type Static } from 'typebox';
import { Nullable, Timestamp } from '../../lib/schemas.js';

export const PLAN_KEY_PATTERN = '^[a-z0-9][a-z0-9_.-]{0,62}$';
const FEATURE_KEY_PATTERN = '^[A-Za-z][A-Za-z0-9_.:-]{0,63}$';

/** The resources a limit counts; `requestsPerMinute` is a rate, not a count. */
export const COUNTED_LIMITS = ['users', 'apiKeys', 'webhooks'] as const;
export type CountedLimit = (typeof COUNTED_LIMITS)[number];

const featureMap = (nullable: boolean) =>
  Type.Unsafe<Record<string, boolean | number | string | null>>({
    type: 'object',
    maxProperties: 100,
    'x-error-code': 'BAD_FEATURES',
    propertyNames: { pattern: FEATURE_KEY_PATTERN, not: { enum: ['__proto__', 'constructor', 'prototype'] }, 'x-error-code': 'BAD_FEATURES' },
    additionalProperties: {
      type: nullable ? ['boolean', 'number', 'string', 'null'] : ['boolean', 'number', 'string'],
      maxLength: 500,
      'x-error-code': 'BAD_FEATURES',
    },
    description: `Feature flags: at most 100 keys (a letter, then up to 63 of A-Z, a-z, 0-9, \`_ . : -\`), each a boolean, a number or a string of at most 500 characters${nullable ? '; a key set to null is removed' : ''}`,
  });

const limit = (description: string, nullable: boolean) => {
  const schema = Type.Integer({ minimum: 0, maximum: 1_000_000_000, description, 'x-error-code': 'BAD_LIMITS' });
  return Type.Optional(nullable ? Nullable(schema) : schema);
};

const limitFields = (nullable: boolean) => ({
  users: limit('Users of the tenant', nullable),
  apiKeys: limit('Unrevoked, unexpired API keys of the tenant', nullable),
  webhooks: limit('Webhook endpoints of the tenant', nullable),
  requestsPerMinute: limit('Requests per minute of all credentials of the tenant together, across every node', nullable),
});

const limitMap = (nullable: boolean) =>
  Type.Object(limitFields(nullable), {
    additionalProperties: false,
    'x-error-code': 'BAD_LIMITS',
    description: `Integers ≥ 0; a limit that is absent is unlimited${nullable ? '; a limit set to null is removed' : ''}`,
  });

export const FeatureMapSchema = Type.Unsafe<FeatureMap>(featureMap(false));
export const FeaturePatchSchema = featureMap(true);
export const LimitMapSchema = limitMap(false);
export const LimitPatchSchema = limitMap(true);
export type FeatureMap = Record<string, boolean | number | string>;
export type LimitMap = Static<typeof LimitMapSchema>;
export type FeaturePatch = Record<string, boolean | number | string | null>;
export type LimitPatch = Static<typeof LimitPatchSchema>;

export const EntitlementsSchema = Type.Object(
  {
    plan: Nullable(Type.String({ description: 'The plan key, or null' })),
    features: FeatureMapSchema,
    limits: LimitMapSchema,
  },
  { $id: 'Entitlements', description: "The plan's features and limits with the tenant's own on top, key by key" },
);
export type Entitlements = Static<typeof EntitlementsSchema>;

export const PlanSchema = Type.Object(
  {
    key: Type.String({ examples: ['pro'] }),
    organizationId: Type.String(),
    name: Type.String(),
    features: FeatureMapSchema,
    limits: LimitMapSchema,
    tenantCount: Type.Integer({ description: 'Tenants on this plan (deleted ones too, until they are purged)' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Plan' },
);
export type Plan = Static<typeof PlanSchema>;

const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S', 'x-pattern-message': 'must not be blank' });

export const PlanCreateBody = Type.Object(
  {
    key: Type.String({
      pattern: PLAN_KEY_PATTERN,
      maxLength: 63,
      'x-error-code': 'BAD_PLAN_KEY',
      'x-pattern-message': 'must be 1-63 characters of a-z, 0-9, _, . and -, starting with a letter or digit',
      description: 'Unique in the organization; never changes',
    }),
    name: Name,
    features: Type.Optional(FeatureMapSchema),
    limits: Type.Optional(LimitMapSchema),
    organizationId: Type.Optional(Type.String({ maxLength: 64, description: "Superadmins only; defaults to the caller's organization" })),
  },
  { additionalProperties: false },
);
export type PlanCreateInput = Static<typeof PlanCreateBody>;

export const PlanPatchBody = Type.Object(
  {
    name: Type.Optional(Name),
    features: Type.Optional(FeaturePatchSchema),
    limits: Type.Optional(LimitPatchSchema),
  },
  { additionalProperties: false, description: '`features` and `limits` are merged into the current ones; a key set to null is removed' },
);
export type PlanPatchInput = Static<typeof PlanPatchBody>;

export const PlanKeyParams = Type.Object({ key: Type.String({ maxLength: 63 }) });
export const PlanOrganizationQuery = Type.Object(
  { organizationId: Type.Optional(Type.String({ maxLength: 64, description: "Superadmins: the plan's organization (default: the caller's)" })) },
  { additionalProperties: false },
);

export const PlanList = Type.Object({ results: Type.Array(Type.Ref('Plan'), { description: "The organization's plans, by key" }) });
