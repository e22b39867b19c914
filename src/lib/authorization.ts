/** Extracts the credential from an `Authorization: Bearer <x>` header or its alias `Token <x>`. */
export function parseAuthorization(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^(?:Bearer|Token)\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}
