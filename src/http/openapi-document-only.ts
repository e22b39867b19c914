import { DOCUMENT_ONLY } from '../lib/schemas.js';

/**
 * Merges what a schema declares for the document only (`DocumentedAs`: the enums of scopes,
 * event types and orderings, which the services check themselves) into the schema it sits on,
 * wherever it appears in the OpenAPI document.
 */
export function mergeDocumentOnly<T extends object>(doc: T): T {
  const seen = new Set<object>();
  const visit = (value: unknown) => {
    if (!value || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    const node = value as Record<string, unknown>;
    const documented = node[DOCUMENT_ONLY];
    if (documented && typeof documented === 'object') {
      delete node[DOCUMENT_ONLY];
      Object.assign(node, documented);
    }
    for (const child of Object.values(node)) visit(child);
  };
  visit(doc);
  return doc;
}
