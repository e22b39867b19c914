import type { FastifyRequest } from 'fastify';

// Query parameters that may carry a credential (sign-in links, OAuth clients that misuse GET, the
// authorization code and state an identity provider sends back to the SSO callback).
const SECRET_PARAMS = /([?&](?:token|access_token|client_secret|secret|password|api_key|key|code|state)=)[^&#]*/gi;

/** The URL as it may be logged: values of credential-bearing parameters are replaced. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAMS, '$1[redacted]');
}

/** Request serializer for the access log: no headers (credentials live there), a redacted URL. */
export function serializeRequest(request: FastifyRequest) {
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    requestId: request.id,
  };
}
