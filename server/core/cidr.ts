import "server-only";
import { BlockList, isIP } from "node:net";

/* Network addresses as configuration names them (CIDRs): parsing and matching. */

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

