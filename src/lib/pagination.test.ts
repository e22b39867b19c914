import { describe, it } from 'node:test';
import { expect } from 'expect';
import { decodeCursor, encodeCursor, pageUrl, readKeyset } from './pagination.js';

describe('cursors', () => {
  it('reads back the position it was given, and nothing its reader refuses', () => {
    const keyset = { o: '-created_at', v: '2026-01-01T00:00:00.000Z', i: 'tnt_1', a: true };
    expect(decodeCursor(encodeCursor(keyset), readKeyset)).toEqual(keyset);
    // A cursor of another list (an endpoint id) is no keyset cursor.
    expect(decodeCursor(encodeCursor({ i: 'whk_1' }), readKeyset)).toBeNull();
    for (const garbage of ['garbage', '', '%%%', Buffer.from('[1,2]').toString('base64url'), Buffer.from('null').toString('base64url')]) {
      expect([garbage, decodeCursor(garbage, readKeyset)]).toEqual([garbage, null]);
    }
  });
});

describe('page links', () => {
  it('keeps the query in place, replaces or removes what changes and adds what is new', () => {
    const query = { limit: 20, ordering: 'name', cursor: 'old', page: 3, search: undefined };
    expect(pageUrl('https://api.example', '/v1/tenants', query, { cursor: 'new', page: undefined })).toBe(
      'https://api.example/v1/tenants?limit=20&ordering=name&cursor=new',
    );
    expect(pageUrl('https://api.example', '/v1/events', {}, { after: 'abc' })).toBe('https://api.example/v1/events?after=abc');
    expect(pageUrl('https://api.example', '/v1/webhooks', {}, {})).toBe('https://api.example/v1/webhooks');
  });
});
