import { Type, type Static } from 'typebox';
import { Email, Nullable, Timestamp } from '../../lib/schemas.js';

export const INVITATION_STATUSES = ['pending', 'accepted', 'revoked', 'expired'] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

export const InvitationSchema = Type.Object(
  {
    id: Type.String({ examples: ['inv_01kjpx72x4rfzg1r1kdh6dz46j'] }),
    tenantId: Type.String(),
    email: Type.String(),
    role: Type.Union([Type.Literal('owner'), Type.Literal('member')]),
    roles: Type.Array(Type.String(), { description: 'Custom roles the user gets on accepting' }),
    status: Type.Unsafe<InvitationStatus>({ type: 'string', enum: [...INVITATION_STATUSES] }),
    expiresAt: Timestamp,
    acceptedAt: Nullable(Timestamp),
    userId: Nullable(Type.String({ description: 'The user it made, once accepted' })),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Invitation' },
);
export type Invitation = Static<typeof InvitationSchema>;

/** The invitation as created or resent: with the link, once, when no mail carries it. */
export const InvitationSentSchema = Type.Object({
  ...InvitationSchema.properties,
  url: Type.Optional(
    Type.String({ description: 'The one-time acceptance link: only when Landlord sends no mail (LANDLORD_SMTP_URL unset), shown only in this response' }),
  ),
});

export const InvitationCreateBody = Type.Object(
  {
    email: Email(),
    role: Type.Optional(
      Type.Unsafe<'owner' | 'member'>({ type: 'string', enum: ['owner', 'member'], description: 'Default member', 'x-error-code': 'BAD_ROLE' }),
    ),
    roles: Type.Optional(Type.Array(Type.String({ maxLength: 63 }), { maxItems: 20, description: 'Custom role keys' })),
    expiresInHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 720, description: 'Default 168 (7 days)' })),
  },
  { additionalProperties: false },
);
export type InvitationCreateInput = Static<typeof InvitationCreateBody>;

export const InvitationListQuery = Type.Object(
  { status: Type.Optional(Type.Unsafe<InvitationStatus>({ type: 'string', enum: [...INVITATION_STATUSES], 'x-error-code': 'BAD_STATUS' })) },
  { additionalProperties: false },
);

export const InvitationParams = Type.Object({ id: Type.String({ maxLength: 64 }), invitationId: Type.String({ maxLength: 64 }) });
