import type { FastifyPluginAsync } from 'fastify';
import type { OAuthService } from './oauth.service.js';

export const oauthRoutes: FastifyPluginAsync<{ oauth: OAuthService }> = async () => {};
