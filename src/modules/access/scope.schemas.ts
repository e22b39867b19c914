import { Type } from 'typebox';
import { DocumentedAs } from '../../lib/schemas.js';
import { MANAGEMENT_SCOPES } from '../../operations.js';
import { APPLICATION_SCOPE_PATTERN } from './principal.js';

/**
 * A scope (or role permission): one of Landlord's management scopes, or an application scope of
 * the platform's. The services check it (422 `BAD_SCOPE`), so the vocabulary is the document's only.
 */
export const ScopeString = (options: { maxLength?: number; description?: string } = {}) =>
  DocumentedAs(Type.String(options), {
    anyOf: [
      { type: 'string', enum: [...MANAGEMENT_SCOPES], description: "One of Landlord's management scopes" },
      {
        type: 'string',
        pattern: APPLICATION_SCOPE_PATTERN,
        description:
          'An application scope, carried to tokens for the platform: 1-128 of a-z, 0-9 and `._:-`, starting with a letter, outside the namespaces of the management scopes',
      },
    ],
  });
