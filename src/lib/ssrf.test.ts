import { describe, it } from 'node:test';
import { expect } from 'expect';
import { guardedLookup, isPrivateAddress } from './ssrf.js';

describe('outbound destinations (webhooks, SSO)', () => {
  it('refuses at delivery a name resolving to IPv4 hidden in IPv6, and names no address in the error', async () => {
    const hidden = ['64:ff9b::7f00:1', '::7f00:1', '::ffff:0:7f00:1', '2002:7f00:1::', '::ffff:a00:1', '2002:a9fe:a9fe::1', '64:ff9b:1::1'];
    for (const address of hidden) {
      expect([address, isPrivateAddress(address)]).toEqual([address, true]);
      const lookup = guardedLookup(false, async () => [{ address, family: 6 }]);
      const error = await new Promise<Error | null>((resolve) => lookup('internal.example', { all: true }, (err) => resolve(err)));
      expect(error?.message).toBe('internal.example resolves to a loopback, private or link-local address');
    }
    // Public destinations, IPv4 inside IPv6 included, still pass.
    for (const address of ['2606:4700:4700::1111', '64:ff9b::808:808', '2002:808:808::1', '::ffff:8.8.8.8'])
      expect([address, isPrivateAddress(address)]).toEqual([address, false]);
  });
});
