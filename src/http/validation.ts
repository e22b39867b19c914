import type { FastifySchemaCompiler } from 'fastify';
import { compileBodyValidator, compileParamsValidator } from '../lib/validation.js';

/** Fastify's validator: bodies strict, query strings and path parameters coerced from text. */
export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) =>
  httpPart === 'body' ? compileBodyValidator(schema) : compileParamsValidator(schema);
