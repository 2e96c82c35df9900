import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import { BlockList, isIP } from "node:net";

/*
 * Who may scrape GET /api/metrics: a request with the configured bearer
 * token (RXWATCH_METRICS_TOKEN), or one from an allow-listed network
 * (RXWATCH_METRICS_ALLOW, CIDRs). Either suffices.
 *
 * The source address is the last X-Forwarded-For entry: Next.js sets the
 * header from the socket when a request arrives without one, and a reverse
 * proxy that appends its peer (nginx's $proxy_add_x_forwarded_for, Caddy,
 * Traefik) puts the address it saw last. A client can forge the header when
 * it reaches the Node port directly, so the allow-list only means something
 * when that port is reachable from the proxy or a private network alone —
 * otherwise configure the token and an empty allow-list (docs/operations.md).
 */

export type MetricsAccess = { kind: "allowed"; via: "token" | "network" } | { kind: "denied"; status: 401 | 403 };

export interface MetricsAccessPolicy {
  token: string | undefined;
  allow: BlockList;
}

/** Parses "10.0.0.0/8", "::1/128" or a bare address (a single host); null when it is not one. */
export function parseCidr(text: string): { address: string; prefix: number; family: "ipv4" | "ipv6" } | null {
  const [rawAddress = "", rawPrefix, ...rest] = text.trim().split("/");
  if (rest.length > 0) return null;
  const address = normalizeAddress(rawAddress);
  const version = isIP(address);
  if (version === 0) return null;
  const max = version === 4 ? 32 : 128;
  if (rawPrefix !== undefined && !/^\d{1,3}$/.test(rawPrefix)) return null;
  const prefix = rawPrefix === undefined ? max : Number(rawPrefix);
  if (prefix > max) return null;
  return { address, prefix, family: version === 4 ? "ipv4" : "ipv6" };
}

/** An IPv4 address seen through an IPv6 socket (::ffff:a.b.c.d) as plain IPv4, so IPv4 CIDRs match it. */
export function normalizeAddress(address: string): string {
  const trimmed = address.trim().replace(/^\[(.*)\]$/, "$1");
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(trimmed);
  return mapped?.[1] ?? trimmed;
}

/** A block list of the given CIDRs; throws on one that is not a CIDR (env validation reports it first). */
export function allowList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const parsed = parseCidr(cidr);
    if (!parsed) throw new Error(`not a CIDR: ${cidr}`);
    list.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  return list;
}

export function isAddressAllowed(list: BlockList, address: string | null): boolean {
  if (address === null) return false;
  const normalized = normalizeAddress(address);
  const version = isIP(normalized);
  if (version === 0) return false;
  return list.check(normalized, version === 4 ? "ipv4" : "ipv6");
}

/** The last X-Forwarded-For hop (see the note at the top of this file), or null. */
export function sourceAddress(headers: Headers): string | null {
  const hops = headers.get("x-forwarded-for")?.split(",") ?? [];
  const last = hops.at(-1)?.trim();
  return last ? last : null;
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

function bearerToken(headers: Headers): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.get("authorization") ?? "");
  return match?.[1] ?? null;
}

/**
 * Decides a scrape: the right token or an allowed network lets it in;
 * otherwise 401 when a token is configured and none was sent (so the
 * scraper knows to send one), 403 else.
 */
export function checkMetricsAccess(headers: Headers, policy: MetricsAccessPolicy): MetricsAccess {
  const presented = bearerToken(headers);
  // Compared as digests: equal length, constant time, and the token's length is not revealed.
  if (policy.token !== undefined && presented !== null && timingSafeEqual(digest(presented), digest(policy.token))) {
    return { kind: "allowed", via: "token" };
  }
  if (isAddressAllowed(policy.allow, sourceAddress(headers))) return { kind: "allowed", via: "network" };
  if (policy.token !== undefined && presented === null) return { kind: "denied", status: 401 };
  return { kind: "denied", status: 403 };
}
