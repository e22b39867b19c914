import { Type, type Static } from 'typebox';
import { Email, Nullable, Timestamp } from '../../lib/schemas.js';
import { ScopeString } from '../access/scope.schemas.js';
import { USER_ROLES_DESCRIPTION, UserRolesField } from '../roles/role.schemas.js';

export const UserSchema = Type.Object(
  {
    id: Type.String(),
    organizationId: Type.String(),
    tenantId: Nullable(Type.String()),
    email: Type.String(),
    name: Type.String(),
    role: Type.String({ description: '`owner` or `member` in a tenant; `admin` (or `superadmin`) in an organization' }),
    roles: Type.Array(Type.String(), { description: "Keys of the organization's custom roles the user holds beside `role`" }),
    permissions: Type.Array(ScopeString(), {
      description:
        "What the user may do: its base role's scopes plus every permission of its custom roles (Landlord scopes and application permissions). Its sessions and session tokens carry exactly these",
    }),
    isActive: Type.Boolean(),
    lastSignInAt: Nullable(Timestamp),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'User' },
);

const READ_ONLY = ['id', 'organizationId', 'tenantId', 'permissions', 'lastSignInAt', 'createdAt', 'updatedAt'];
const Password = Type.String({
  maxLength: 128,
  description: 'Write-only. 8-128 characters with an upper case letter, a lower case letter and a digit',
});
const Name = Type.String({ minLength: 1, maxLength: 200 });

export const TenantUserCreateBody = Type.Object(
  {
    email: Email(),
    name: Name,
    role: Type.Optional(Type.Unsafe<'owner' | 'member'>({ type: 'string', enum: ['owner', 'member'], description: 'Default `member`' })),
    roles: Type.Optional(UserRolesField),
    password: Type.Optional(Password),
  },
  { additionalProperties: false, 'x-read-only': READ_ONLY },
);

export const OrganizationUserCreateBody = Type.Object(
  {
    email: Email(),
    name: Name,
    role: Type.Optional(
      Type.Unsafe<'admin' | 'superadmin'>({ type: 'string', enum: ['admin', 'superadmin'], description: 'Default `admin`; `superadmin` only by a superadmin' }),
    ),
    roles: Type.Optional(UserRolesField),
    password: Type.Optional(Password),
  },
  { additionalProperties: false, 'x-read-only': READ_ONLY },
);

export const UserPatchBody = Type.Object(
  {
    email: Type.Optional(Email()),
    name: Type.Optional(Name),
    role: Type.Optional(Type.Unsafe<string>({ type: 'string', enum: ['owner', 'member', 'admin', 'superadmin'] })),
    roles: Type.Optional(Type.Unsafe<string[]>({ ...UserRolesField, description: `${USER_ROLES_DESCRIPTION}. Replaces the current list` })),
    isActive: Type.Optional(Type.Boolean()),
    password: Type.Optional(Password),
  },
  { additionalProperties: false, 'x-read-only': READ_ONLY },
);

export const SignInLinkSchema = Type.Object({
  url: Type.Optional(Type.String({ description: 'Single use; opens a dashboard session. Only when Landlord sends no mail (LANDLORD_SMTP_URL unset)' })),
  sentTo: Type.Optional(Type.String({ description: 'Where the link was mailed, when Landlord sends mail' })),
  expiresAt: Timestamp,
});

export type User = Static<typeof UserSchema>;
export type UserCreateInput = Static<typeof TenantUserCreateBody> | Static<typeof OrganizationUserCreateBody>;
export type UserPatchInput = Static<typeof UserPatchBody>;
