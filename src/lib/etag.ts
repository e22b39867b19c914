import { sha256Base64Url } from './crypto.js';

/** A strong ETag of a representation: a hash of exactly what the client receives. */
export function etagOf(representation: unknown): string {
  return `"${sha256Base64Url(JSON.stringify(representation)).slice(0, 27)}"`;
}

/** RFC 9110 If-Match: absent, `*`, or a list of entity tags one of which is current; weak tags never match. */
export function ifMatchSatisfied(header: string | undefined, etag: string): boolean {
  if (header === undefined) return true;
  const trimmed = header.trim();
  if (trimmed === '*') return true;
  return trimmed.split(',').some((tag) => tag.trim() === etag);
}
