import type { FastifyInstance, FastifyRequest } from 'fastify';
import { pageUrl, type PageLink } from '../lib/pagination.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The public URL of this request with some query parameters changed (another page); null stays null. */
    pageLink(changes: PageLink | null): string | null;
    /** An absolute URL of this deployment for a path (and query) of it. */
    publicUrl(pathAndQuery: string): string;
  }
}

/** Public URLs are built here, at the edge: services say which page or path, never the deployment's address. */
export function registerPageLinks(app: FastifyInstance, publicUrl: string) {
  app.decorateRequest('pageLink', function (this: FastifyRequest, changes: PageLink | null) {
    if (changes === null) return null;
    const path = this.url.split('?')[0];
    return pageUrl(publicUrl, path, (this.query ?? {}) as Record<string, unknown>, changes);
  });
  app.decorateRequest('publicUrl', (pathAndQuery: string) => `${publicUrl}${pathAndQuery}`);
}
