import { Type, type Static } from 'typebox';
import { Timestamp } from '../../lib/schemas.js';

export const OrganizationSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    slug: Type.String(),
    tenantCount: Type.Integer(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Organization' },
);
const Slug = Type.String({
  pattern: '^[a-z0-9][a-z0-9_-]{0,62}$',
  'x-error-code': 'BAD_SLUG',
  'x-pattern-message': 'must be 1-63 characters of a-z, 0-9, - and _, starting with a letter or digit',
});
const Name = Type.String({ minLength: 1, maxLength: 200 });
const readOnly = { additionalProperties: false, 'x-read-only': ['id', 'tenantCount', 'createdAt', 'updatedAt'] };

export const OrganizationCreateBody = Type.Object({ name: Name, slug: Type.Optional(Slug) }, readOnly);
export const OrganizationPatchBody = Type.Object({ name: Type.Optional(Name), slug: Type.Optional(Slug) }, readOnly);

export type Organization = Static<typeof OrganizationSchema>;
