import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { EventList, EventListQuery } from './event.schemas.js';
import type { EventService } from './event.service.js';
import { operationId } from '../../operations.js';

export const eventRoutes: FastifyPluginAsync<{ events: EventService }> = async (fastify, { events }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/events', {
    schema: {
      operationId: operationId('event.list'),
      tags: ['Events'],
      summary: 'The event stream, oldest first',
      description:
        'Follow `next` to read on; it is present whenever there is a position to continue from, so a consumer can poll it. An empty page means you are caught up.',
      querystring: EventListQuery,
      response: { 200: EventList },
    },
    handler: async (request) => {
      const page = await events.list(request.principal, request.query);
      return { ...page, next: request.pageLink(page.next) };
    },
  });
};
