import { Type, type Static } from 'typebox';
import { MANAGEMENT_SCOPES } from '../../operations.js';
import { Nullable, Timestamp } from '../../lib/schemas.js';
import { ScopeString } from '../access/scope.schemas.js';

export const ROLE_KEY_PATTERN = '^[a-z][a-z0-9_-]{0,62}$';

export const RoleKey = Type.String({
  pattern: ROLE_KEY_PATTERN,
  maxLength: 63,
  'x-error-code': 'BAD_ROLE_KEY',
  'x-pattern-message': 'must be 1-63 characters of a-z, 0-9, _ and -, starting with a letter',
});

const Permission = ScopeString({
  maxLength: 128,
  description: `A Landlord scope (${MANAGEMENT_SCOPES.map((s) => `\`${s}\``).join(', ')}) or an application permission (\`^[a-z][a-z0-9._:-]{0,127}$\`, outside those namespaces, such as \`content:post\`)`,
});
const Permissions = Type.Array(Permission, { maxItems: 100, description: 'Landlord scopes and application permissions the role grants' });

export const RoleSchema = Type.Object(
  {
    key: Type.String({ examples: ['editor'] }),
    organizationId: Type.String(),
    name: Type.String(),
    description: Nullable(Type.String()),
    permissions: Type.Array(ScopeString()),
    userCount: Type.Integer({ description: 'Users holding this role' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Role' },
);
export type Role = Static<typeof RoleSchema>;

const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S', 'x-pattern-message': 'must not be blank' });
const Description = Type.String({ maxLength: 1000 });

export const RoleCreateBody = Type.Object(
  {
    key: Type.Unsafe<string>({ ...RoleKey, description: 'Unique in the organization; never changes' }),
    name: Name,
    description: Type.Optional(Nullable(Description)),
    permissions: Permissions,
    organizationId: Type.Optional(Type.String({ maxLength: 64, description: "Superadmins only; defaults to the caller's organization" })),
  },
  { additionalProperties: false, 'x-read-only': ['userCount', 'createdAt', 'updatedAt'] },
);
export type RoleCreateInput = Static<typeof RoleCreateBody>;

export const RolePatchBody = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Nullable(Description)),
    permissions: Type.Optional(Type.Unsafe<string[]>({ ...Permissions, description: 'Replaces the current list' })),
  },
  { additionalProperties: false, 'x-read-only': ['key', 'organizationId', 'userCount', 'createdAt', 'updatedAt'] },
);
export type RolePatchInput = Static<typeof RolePatchBody>;

export const RoleKeyParams = Type.Object({ key: Type.String({ maxLength: 63 }) });
export const RoleOrganizationQuery = Type.Object(
  { organizationId: Type.Optional(Type.String({ maxLength: 64, description: "Superadmins: the role's organization (default: the caller's)" })) },
  { additionalProperties: false },
);

export const RoleList = Type.Object({ results: Type.Array(Type.Ref('Role'), { description: "The organization's roles, by key" }) });

/** A user's custom roles in a create or update: role keys of the user's organization. */
export const USER_ROLES_DESCRIPTION =
  "Keys of the organization's custom roles (`/v1/roles`), beside the base `role` (422 `ROLE_NOT_FOUND` for an unknown key); an owner may grant only permissions it holds itself (403)";
export const UserRolesField = Type.Array(RoleKey, { maxItems: 50, description: USER_ROLES_DESCRIPTION });
