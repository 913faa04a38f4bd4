import dns from 'node:dns';
import net from 'node:net';

/**
 * Addresses the server must never be made to call on someone's behalf (SSRF): loopback, private
 * networks, link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, multicast,
 * documentation and reserved ranges, and their IPv6 counterparts.
 */
const NOT_PUBLIC = new net.BlockList();
for (const [address, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NOT_PUBLIC.addSubnet(address, prefix, 'ipv4');
}
for (const [address, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  NOT_PUBLIC.addSubnet(address, prefix, 'ipv6');
}

/** True for an IP address on the public internet. */
export function isPublicAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 0) return false;
  if (family === 6) {
    // IPv4 written as IPv6 (::ffff:10.0.0.1, ::ffff:a00:1) is that IPv4 address.
    const mapped = /^::ffff:(?:0:)?([\d.]+)$/i.exec(address)?.[1];
    if (mapped) return isPublicAddress(mapped);
    const hex = /^::ffff:([\da-f]{1,4}):([\da-f]{1,4})$/i.exec(address);
    if (hex) {
      const n = (Number.parseInt(hex[1]!, 16) << 16) | Number.parseInt(hex[2]!, 16);
      return isPublicAddress([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.'));
    }
    return !NOT_PUBLIC.check(address, 'ipv6');
  }
  return !NOT_PUBLIC.check(address, 'ipv4');
}

export class PrivateAddressError extends Error {
  readonly code = 'ENOTPUBLIC';
}

/**
 * A `lookup` for http(s).request that refuses names resolving to any non-public address. Used
 * for the connection itself, so a name that was public when checked and private when called
 * (DNS rebinding) is still refused.
 */
export function publicOnlyLookup(allowPrivate: boolean): net.LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as dns.LookupAddress[];
      const bad = list.find((a) => !isPublicAddress(a.address));
      if (list.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
      if (bad && !allowPrivate) return callback(new PrivateAddressError(`${hostname} resolves to a non-public address`), '', 0);
      if ((options as dns.LookupOptions).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

/**
 * Why `url` may not be called from the server, or null when it may: it must be https (http only
 * with `allowPrivate`, for tests), carry no credentials, and its host must be (or resolve only to)
 * public addresses unless `allowPrivate`.
 */
export async function whyNotPublicUrl(url: string, allowPrivate: boolean): Promise<string | null> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'must be a URL';
  }
  if (u.protocol !== 'https:' && !(allowPrivate && u.protocol === 'http:')) return 'must be an https:// address';
  if (u.username || u.password) return 'must not carry a user name or password';
  if (allowPrivate) return null;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host)) return isPublicAddress(host) ? null : 'must be a public address';
  let addresses: dns.LookupAddress[];
  try {
    addresses = await dns.promises.lookup(host, { all: true });
  } catch {
    return 'must be a host name that resolves';
  }
  if (addresses.length === 0 || addresses.some((a) => !isPublicAddress(a.address))) return 'must be a public address';
  return null;
}
