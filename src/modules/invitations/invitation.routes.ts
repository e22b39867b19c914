import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { IdParams } from '../../lib/schemas.js';
import { operationId } from '../../operations.js';
import { InvitationCreateBody, InvitationListQuery, InvitationParams, InvitationSentSchema } from './invitation.schemas.js';
import type { InvitationService } from './invitation.service.js';

const tags = ['Invitations'];

export const invitationRoutes: FastifyPluginAsync<{ invitations: InvitationService }> = async (fastify, { invitations }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post('/tenants/:id/invitations', {
    schema: {
      operationId: operationId('invitation.create'),
      tags,
      summary: 'Invite someone to the tenant',
      description:
        'Mails a one-time link to `/dashboard/accept-invitation` when LANDLORD_SMTP_URL is set; otherwise the response carries the link as `url`, once. A pending invitation holds a seat of `limits.users` (409 `QUOTA_EXCEEDED`); 409 `EMAIL_OCCUPIED` when a user has the email, 409 `INVITATION_PENDING` when one is pending for it already.',
      params: IdParams,
      body: InvitationCreateBody,
      response: { 201: InvitationSentSchema },
    },
    handler: async (request, reply) => {
      const sent = await invitations.create(request.principal, request.params.id, request.body);
      return reply.code(201).header('location', `/v1/tenants/${request.params.id}/invitations/${sent.id}`).send(sent);
    },
  });

  app.get('/tenants/:id/invitations', {
    schema: {
      operationId: operationId('invitation.list'),
      tags,
      summary: "The tenant's invitations, newest first",
      description: 'Pending, accepted, revoked and expired invitations, newest first (`status` filters). Never a link.',
      params: IdParams,
      querystring: InvitationListQuery,
      response: { 200: Type.Object({ results: Type.Array(Type.Ref('Invitation'), { description: 'At most 100' }) }) },
    },
    handler: async (request) => ({ results: await invitations.list(request.principal, request.params.id, request.query.status) }),
  });

  app.delete('/tenants/:id/invitations/:invitationId', {
    schema: {
      operationId: operationId('invitation.revoke'),
      tags,
      summary: 'Revoke a pending invitation',
      description: 'Its link stops working at once. 409 `INVITATION_NOT_PENDING` for one accepted, revoked or expired.',
      params: InvitationParams,
      response: { 204: Type.Null({ description: 'Revoked' }) },
    },
    handler: async (request, reply) => {
      await invitations.revoke(request.principal, request.params.id, request.params.invitationId);
      return reply.code(204).send(null);
    },
  });

  app.post('/tenants/:id/invitations/:invitationId/resend', {
    schema: {
      operationId: operationId('invitation.resend'),
      tags,
      summary: 'Send a pending (or expired) invitation again',
      description: 'A new link with a new expiry, as long as the first; the old link stops working. Mailed, or returned as `url` once when no mail is sent.',
      params: InvitationParams,
      response: { 200: InvitationSentSchema },
    },
    handler: async (request) => invitations.resend(request.principal, request.params.id, request.params.invitationId),
  });
};
