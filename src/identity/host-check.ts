import { isLoopbackHost } from '../core/hosts.js';

/**
 * True when a Host header names this machine's loopback: `localhost`,
 * `127.0.0.0/8` or `[::1]`, with or without a port.
 */
export function isLoopbackHostHeader(host: string | undefined): boolean {
  if (!host) return false;
  // Clients send the same few Host values on every request; remember them.
  if (acceptedHosts.has(host)) return true;
  const accepted = parseAndCheck(host);
  if (accepted && acceptedHosts.size < MAX_REMEMBERED_HOSTS) acceptedHosts.add(host);
  return accepted;
}

const MAX_REMEMBERED_HOSTS = 32;
const acceptedHosts = new Set<string>();

function parseAndCheck(host: string): boolean {
  let name: string;
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    if (end < 0) return false;
    name = host.slice(1, end);
    const rest = host.slice(end + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return false;
  } else {
    const parts = host.split(':');
    if (parts.length > 2) return false;
    name = parts[0] ?? '';
    if (parts.length === 2 && !/^\d{1,5}$/.test(parts[1] ?? '')) return false;
  }
  return isLoopbackHost(name);
}
