import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { problemBody } from './error-handler.js';
import { errors } from '../lib/errors.js';
import { HttpProblem, statusOf } from './errors.js';

/**
 * Errors Node's HTTP parser raises before Fastify sees a request (headers too large, a malformed
 * request line, a timeout) as problem+json like every other error. Node attaches the raw bytes it
 * read (`rawPacket`) to these errors, credentials included; they are never logged.
 */
export function clientErrorHandler(this: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const error =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? new HttpProblem(431, 'HEADERS_TOO_LARGE', 'The request headers are too large')
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new HttpProblem(408, 'REQUEST_TIMEOUT', 'The request was not received in time')
        : errors.badRequest('The request is not valid HTTP');
  const status = statusOf(error);
  this.log.debug({ code: err.code, status }, 'refused a malformed request');
  if (socket.writable) {
    const body = JSON.stringify(problemBody(error, 'none'));
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** The error serializer for every log line: pino's, minus the raw request bytes Node may attach. */
export function serializeError(error: unknown) {
  const out = pino.stdSerializers.err(error as Error) as unknown as Record<string, unknown>;
  if (out && typeof out === 'object') delete out.rawPacket;
  return out;
}
