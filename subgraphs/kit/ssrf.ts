import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

/**
 * Webhook targets are checked against server-side request forgery (DESIGN §6): a consumer's URL
 * must not make our servers call into our own networks. A URL is accepted when it is https, has no
 * credentials, and every address its host resolves to is public unicast — not private, loopback,
 * link-local, unspecified, carrier-grade NAT, multicast, broadcast, reserved, IPv6 unique-local or
 * link-local, nor an IPv4-mapped or IPv4-embedding IPv6 form (anything ipaddr.js does not class as
 * `unicast` is refused). The operator's allow-list (`WEBHOOK_ALLOWED_TARGETS`) lets through
 * addresses inside its CIDRs, and hosts it names (every address they resolve to; listing a name
 * trusts its DNS, so prefer CIDRs). Plain http is accepted only for a target the allow-list names:
 * its hostname, or an IP literal inside one of its CIDRs.
 *
 * Registration checks the URL; the delivery worker checks it again before every delivery (a name
 * may resolve elsewhere by then: DNS rebinding) and should connect to the addresses returned.
 */

export interface WebhookAllowList {
  /** Lowercase hostnames without a trailing dot. */
  hosts: readonly string[];
  cidrs: readonly [ipaddr.IPv4 | ipaddr.IPv6, number][];
}

export const EMPTY_ALLOW_LIST: WebhookAllowList = { hosts: [], cidrs: [] };

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;
const MAX_URL_LENGTH = 2048;

/** Parses `WEBHOOK_ALLOWED_TARGETS`: comma-separated hostnames and CIDRs (e.g. `127.0.0.1/32,localhost`). */
export function parseWebhookAllowList(text: string | undefined): WebhookAllowList {
  const hosts: string[] = [];
  const cidrs: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];
  for (const raw of (text ?? '').split(',')) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry.includes('/')) {
      if (!ipaddr.IPv4.isValidCIDRFourPartDecimal(entry) && !ipaddr.IPv6.isValidCIDR(entry))
        throw new Error(`"${entry}" is not a CIDR`);
      cidrs.push(ipaddr.parseCIDR(entry));
    } else if (ipaddr.IPv4.isValidFourPartDecimal(entry) || ipaddr.IPv6.isValid(entry)) {
      const ip = ipaddr.parse(entry);
      cidrs.push([ip, ip.kind() === 'ipv4' ? 32 : 128]);
    } else {
      const host = entry.replace(/\.$/, '');
      // a numeric name is an IPv4 address in another spelling: list it as an address
      if (!HOSTNAME.test(host) || /^[0-9.]+$/.test(host))
        throw new Error(`"${entry}" is neither a hostname nor a CIDR`);
      hosts.push(host);
    }
  }
  return { hosts, cidrs };
}

export type WebhookUrlCheck =
  { ok: true; url: URL; addresses: string[] } | { ok: false; reason: string; url?: undefined; addresses?: undefined };

/** Resolves a hostname to every address (A and AAAA); injectable for tests. */
export type HostResolver = (hostname: string) => Promise<string[]>;

const LOOKUP_TIMEOUT_MS = 5_000;

export const resolveHost: HostResolver = async (hostname) => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('lookup timed out')), LOOKUP_TIMEOUT_MS);
  });
  try {
    const found = await Promise.race([lookup(hostname, { all: true, verbatim: true }), timeout]);
    return found.map((a) => a.address);
  } finally {
    clearTimeout(timer);
  }
};

function inCidrs(ip: ipaddr.IPv4 | ipaddr.IPv6, list: WebhookAllowList): boolean {
  return list.cidrs.some(([net, bits]) => ip.kind() === net.kind() && ip.match(net, bits));
}

function parseIp(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  return ipaddr.isValid(text) ? ipaddr.parse(text) : null;
}

/**
 * Checks a webhook URL (see the module comment). Never throws for a bad URL: the reason says what
 * is wrong, without echoing the URL.
 */
export async function checkWebhookUrl(
  input: string,
  allowList: WebhookAllowList,
  resolve: HostResolver = resolveHost,
): Promise<WebhookUrlCheck> {
  if (input.length > MAX_URL_LENGTH) return { ok: false, reason: `must be at most ${MAX_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, reason: 'must be an absolute URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, reason: 'must use https' };
  if (url.username || url.password) return { ok: false, reason: 'must not contain credentials' };
  const hostname = url.hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
  if (!hostname) return { ok: false, reason: 'must name a host' };
  const literal = parseIp(hostname);
  const namedOnList = literal === null && allowList.hosts.includes(hostname);
  if (url.protocol === 'http:' && !namedOnList && !(literal && inCidrs(literal, allowList))) {
    return { ok: false, reason: 'must use https (plain http only to a target on the allow-list)' };
  }

  let addresses: string[];
  if (literal) {
    addresses = [literal.toString()];
  } else {
    try {
      addresses = await resolve(hostname);
    } catch {
      return { ok: false, reason: 'host does not resolve' };
    }
    if (!addresses.length) return { ok: false, reason: 'host does not resolve' };
  }
  if (namedOnList) return { ok: true, url, addresses };
  for (const text of addresses) {
    const ip = parseIp(text.replace(/%.*$/, ''));
    if (!ip) return { ok: false, reason: 'host resolves to an address that is not an IP address' };
    if (inCidrs(ip, allowList)) continue;
    // an IPv4-mapped address (::ffff:a.b.c.d) reaches the IPv4 address: judge that one too
    if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) {
      const v4 = (ip as ipaddr.IPv6).toIPv4Address();
      if (inCidrs(v4, allowList)) continue;
      return { ok: false, reason: `host resolves to a non-public address (IPv4-mapped ${v4.range()})` };
    }
    const range = ip.range();
    if (range !== 'unicast') return { ok: false, reason: `host resolves to a non-public address (${range})` };
  }
  return { ok: true, url, addresses };
}
