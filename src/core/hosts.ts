import { BlockList, isIP } from 'node:net';

// 127.0.0.0/8 and ::1; BlockList also recognises IPv4-mapped forms such as
// ::ffff:127.0.0.1, so those count as loopback too.
const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/**
 * True for the hosts a credentials listener may bind without
 * `listen.allowNonLoopback`: any 127.0.0.0/8 address, `::1`, or `localhost`.
 * Anything else (including `0.0.0.0` and `::`) exposes vended keys to the network.
 */
export function isLoopbackHost(host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true;
  const family = isIP(host);
  if (family === 0) return false;
  return loopback.check(host, family === 6 ? 'ipv6' : 'ipv4');
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** True for an IPv4 or IPv6 address (without brackets) or a DNS host name. */
export function isHost(value: string): boolean {
  return isIP(value) !== 0 || HOSTNAME.test(value);
}

/** An address as a URL or `Host` header names it: an IPv6 literal in brackets (`::1` → `[::1]`). */
export function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** A URL's host without the brackets of an IPv6 literal (`[::1]` → `::1`). */
export function urlHostname(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/**
 * True for a URL lfcs may fetch keys or discovery from: `https://`, or
 * `http://` on a loopback host (tests, a local proxy), with no credentials
 * in it.
 */
export function isHttpsOrLoopbackUrl(url: URL): boolean {
  if (url.username !== '' || url.password !== '') return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(urlHostname(url)));
}
