/**
 * Every cursor the API hands out is a position as JSON, base64url-encoded: opaque to clients, and
 * read back only through `decodeCursor` with the reader of its list, so a cursor of one list is
 * refused by another.
 */
export function encodeCursor(position: object): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** The position in a cursor, or null for anything that is not a cursor `read` accepts. */
export function decodeCursor<T>(cursor: string, read: (value: Record<string, unknown>) => T | null): T | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? read(value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A keyset position: the ordering it was made for (only valid with the same one), the boundary row's sort value and id, and the direction. */
export interface KeysetCursor {
  o: string;
  v: string;
  i: string;
  /** true: rows after the boundary (next page); false: rows before it (previous page). */
  a: boolean;
}

export const readKeyset = (v: Record<string, unknown>): KeysetCursor | null =>
  typeof v.o === 'string' && typeof v.v === 'string' && typeof v.i === 'string' && typeof v.a === 'boolean' ? (v as unknown as KeysetCursor) : null;

/** The query parameters that lead from one page to another (undefined removes one); the edge makes them a URL. */
export type PageLink = Record<string, string | undefined>;

/** The same URL with some query parameters replaced in place, added, or removed (undefined removes). */
export function pageUrl(base: string, path: string, query: Record<string, unknown>, changes: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (key in changes) {
      if (changes[key] !== undefined) params.append(key, changes[key]!);
    } else if (value !== undefined) {
      params.append(key, String(value));
    }
  }
  for (const [key, value] of Object.entries(changes)) {
    if (value !== undefined && !(key in query)) params.set(key, value);
  }
  const qs = params.toString();
  return `${base}${path}${qs ? `?${qs}` : ''}`;
}
