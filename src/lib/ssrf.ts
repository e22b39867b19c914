import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { ipv6Bytes } from './ip.js';

/**
 * Server-side request forgery guard, for every request Landlord makes to an address a customer
 * chose (webhook endpoints, identity providers). A webhook URL is chosen by the customer, and the worker
 * POSTs to it from inside the operator's network: without this, an endpoint could point at
 * 127.0.0.1, the cloud metadata service or an internal admin API, and read the response excerpt
 * back through the delivery log. Two checks:
 *  - at creation, the literal host (`localhost`, an address in a private range) is refused;
 *  - at delivery, the name is resolved once, every resolved address is checked, and the socket
 *    connects to exactly those addresses, so a DNS answer that changes between check and connect
 *    (DNS rebinding) cannot slip a private address through.
 */

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, includes the metadata service 169.254.169.254
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['fc00::', 7], // unique local, includes the AWS metadata service fd00:ec2::254
  ['fe80::', 10], // link-local
  ['fec0::', 10], // deprecated site-local
  ['ff00::', 8], // multicast
  ['64:ff9b:1::', 48], // local-use NAT64: translates to whatever the operator's network holds
  ['100::', 64], // discard-only
  ['2001::', 32], // Teredo: tunnels to an IPv4 address
  ['2001:db8::', 32], // documentation
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

const BLOCKED_NAMES = new Set(['localhost', 'metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data']);

const v4 = (b: number[], at: number) => b.slice(at, at + 4).join('.');
const startsWith = (b: number[], prefix: number[]) => prefix.every((x, i) => b[i] === x);

/**
 * The IPv4 address an IPv6 address carries, when it is one of the forms that reach an IPv4 host:
 * mapped (::ffff:a.b.c.d), translated (::ffff:0:a.b.c.d), compatible (::a.b.c.d), NAT64
 * (64:ff9b::a.b.c.d) and 6to4 (2002:AABB:CCDD::).
 */
export function embeddedIPv4(address: string): string | null {
  const b = ipv6Bytes(address);
  if (!b) return null;
  const zeros = (n: number) => Array(n).fill(0);
  if (startsWith(b, [...zeros(10), 0xff, 0xff])) return v4(b, 12);
  if (startsWith(b, [...zeros(8), 0xff, 0xff, 0, 0])) return v4(b, 12);
  if (startsWith(b, zeros(12))) return v4(b, 12);
  if (startsWith(b, [0, 0x64, 0xff, 0x9b, ...zeros(8)])) return v4(b, 12);
  if (startsWith(b, [0x20, 0x02])) return v4(b, 2);
  return null;
}

/** Whether an IP address is loopback, private, link-local, CGNAT, metadata or otherwise not a public destination. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true; // not an address at all: refuse
  if (blocked.check(address, 'ipv6')) return true;
  const inner = embeddedIPv4(address);
  // ::/96 holds :: and ::1 too, already refused above; any other embedded address is judged as IPv4.
  return inner !== null && blocked.check(inner, 'ipv4');
}

/** The URL's host without brackets or a trailing dot, lower-cased. */
export function hostOf(url: URL): string {
  return url.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
}

/** Why this URL may not be a webhook destination, or null when it may. Checks the literal host only (no DNS). */
export function urlProblem(raw: string, allowPrivate: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https URL';
  if (url.username || url.password) return 'must not contain credentials';
  if (allowPrivate) return null;
  const host = hostOf(url);
  if (BLOCKED_NAMES.has(host) || host.endsWith('.localhost')) return `must not point at ${host}`;
  if (isIP(host) && isPrivateAddress(host)) return 'must not point at a loopback, private, link-local or metadata address';
  return null;
}

export class PrivateAddressError extends Error {
  readonly code = 'ERR_PRIVATE_ADDRESS';
}

export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for `net.connect`/`tls.connect`: resolves once, refuses the connection when any
 * resolved address is private (unless allowed), and hands the socket exactly the addresses it
 * checked. Node calls it with `all: true` when it races IPv4 and IPv6 (autoSelectFamily).
 */
export function guardedLookup(allowPrivate: boolean, resolver: Resolver = systemResolver) {
  return (hostname: string, options: { family?: number | string; all?: boolean }, callback: LookupCallback) => {
    resolver(hostname).then(
      (addresses) => {
        const bad = allowPrivate ? undefined : addresses.find((a) => isPrivateAddress(a.address));
        if (bad) {
          // The address itself stays out of the message: the delivery log must not reveal the operator's internal DNS.
          return callback(new PrivateAddressError(`${hostname} resolves to a loopback, private or link-local address`), []);
        }
        const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : Number(options.family) || 0;
        const usable = family ? addresses.filter((a) => a.family === family) : addresses;
        if (!usable.length) {
          const err: NodeJS.ErrnoException = new Error(`${hostname} has no address`);
          err.code = 'ENOTFOUND';
          return callback(err, []);
        }
        if (options.all) return callback(null, usable);
        return callback(null, usable[0].address, usable[0].family);
      },
      (err: NodeJS.ErrnoException) => callback(err, []),
    );
  };
}
