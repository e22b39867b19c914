export interface CursorPayload {
  /** The ordering the cursor was made for; a cursor is only valid with the same ordering. */
  o: string;
  /** Sort value and id of the boundary row. */
  v: string;
  i: string;
  /** true: rows after the boundary (next page); false: rows before it (previous page). */
  a: boolean;
}

export function encodeCursor(payload: CursorPayload): string {
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

/** Returns null for anything that is not a cursor we made. */
export function decodeCursor(cursor: string): CursorPayload | null {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      value &&
      typeof value.o === 'string' &&
      typeof value.v === 'string' &&
      typeof value.i === 'string' &&
      typeof value.a === 'boolean'
    ) {
      return value as CursorPayload;
    }
  } catch {
    // fall through
  }
  return null;
}

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
