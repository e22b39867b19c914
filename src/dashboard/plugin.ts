import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { sendProblem } from '../http/error-handler.js';
import { errors } from '../lib/errors.js';

/**
 * The dashboard: a static single-page app under /dashboard that talks only to the public /v1 API
 * with the session cookie, so it can never show or do more than the signed-in person may.
 * Every path under /dashboard serves the shell, so `dashboardUrl` and `signInUrl` open directly.
 */
const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
};

// No inline script or style anywhere: the app sets styles through CSSOM, which CSP allows.
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CSP,
  'x-frame-options': 'DENY',
  // The sign-in link's token sits in the URL until the app removes it; it must never travel on as a Referer.
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

/** Reads every file of the public folder once; only these paths can ever be served (no traversal). */
function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (CONTENT_TYPES[extname(entry.name)]) {
        const body = readFileSync(path);
        const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
        assets.set(relative(dir, path).split(sep).join('/'), { body, type: CONTENT_TYPES[extname(entry.name)], etag });
      }
    }
  };
  walk(dir);
  return assets;
}

export const dashboardPlugin: FastifyPluginAsync = async (app) => {
  const assets = loadAssets(PUBLIC_DIR);
  const shell = assets.get('index.html');
  if (!shell) throw new Error('The dashboard shell (index.html) is missing');

  app.addHook('onSend', async (_request, reply, payload) => {
    reply.headers(SECURITY_HEADERS);
    return payload;
  });

  const send = (reply: FastifyReply, asset: Asset, ifNoneMatch: string | undefined, cacheControl: string) => {
    reply.header('etag', asset.etag).header('cache-control', cacheControl).type(asset.type);
    if (ifNoneMatch === asset.etag) return reply.code(304).send();
    return reply.send(asset.body);
  };

  const hide = { schema: { hide: true } };

  app.get('/assets/*', hide, async (request, reply) => {
    const path = (request.params as { '*': string })['*'];
    const asset = path === 'index.html' ? undefined : assets.get(path);
    if (!asset) return sendProblem(reply, errors.notFound('No such dashboard file'));
    // Revalidated on every load: file names carry no content hash, so a deploy must show at once.
    return send(reply, asset, request.headers['if-none-match'], 'no-cache');
  });

  // The shell for every other dashboard path; the client-side router takes it from there.
  const serveShell = async (request: { headers: { 'if-none-match'?: string } }, reply: FastifyReply) =>
    send(reply, shell, request.headers['if-none-match'], 'no-cache');
  app.get('/', hide, serveShell);
  app.get('/*', hide, serveShell);
};
