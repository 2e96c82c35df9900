import "server-only";
import type { BlockList } from "node:net";
import { allowList, isAddressAllowed, normalizeAddress } from "@/server/core/cidr";
import { env } from "@/server/core/env";

/*
 * Who sent a request: the one answer for the sign-in rate limit, audit entries,
 * delivery records, the metrics allow-list and the same-origin check. The
 * socket peer, unless that peer is a proxy named in RXWATCH_TRUSTED_PROXIES;
 * only then do X-Forwarded-* headers count. See docs/operations.md#behind-a-proxy
 */

/**
 * The socket peer's address, stamped on every request by
 * server/core/peer-address.ts (overwriting any a client sent): Next.js gives
 * route handlers no socket, and fills X-Forwarded-For from it only when absent.
 */
export const PEER_ADDRESS_HEADER = "x-rxwatch-peer-address";

/** Header the auth route sets to {@link clientAddress} for better-auth's rate limit (its `ipAddressHeaders`). */
export const CLIENT_ADDRESS_HEADER = "x-rxwatch-client-address";

/** Built per call: a handful of CIDRs, and tests may change the configuration between requests. */
function trustedProxies(): BlockList {
  return allowList(env().RXWATCH_TRUSTED_PROXIES);
}

function peerOf(headers: Headers): string | null {
  const peer = headers.get(PEER_ADDRESS_HEADER)?.trim();
  return peer ? normalizeAddress(peer) : null;
}

/** Entries of a comma-separated forwarding header, left (client) to right (nearest proxy). */
function hops(value: string | null): string[] {
  return (value ?? "").split(",").map((hop) => hop.trim()).filter(Boolean);
}

/**
 * The client's address: the socket peer, unless the peer is a trusted proxy;
 * then the right-most X-Forwarded-For entry that is not itself a trusted proxy
 * (entries left of it were written by the client and prove nothing). Null when
 * the peer is unknown (no server stamped it): nothing is trusted then.
 */
export function clientAddress(headers: Headers, trusted: BlockList = trustedProxies()): string | null {
  const peer = peerOf(headers);
  if (peer === null || !isAddressAllowed(trusted, peer)) return peer;
  let address = peer;
  for (const hop of hops(headers.get("x-forwarded-for")).reverse()) {
    address = normalizeAddress(hop);
    if (!isAddressAllowed(trusted, address)) break;
  }
  return address;
}

/** Whether the request reached RxWatch through a trusted proxy, whose X-Forwarded-Host/-Proto then count. */
function isFromTrustedProxy(headers: Headers, trusted: BlockList): boolean {
  const peer = peerOf(headers);
  return peer !== null && isAddressAllowed(trusted, peer);
}

/** The host the client asked for: X-Forwarded-Host's last entry from a trusted proxy, else the Host header. */
export function clientHost(headers: Headers, trusted: BlockList = trustedProxies()): string | null {
  const forwarded = isFromTrustedProxy(headers, trusted) ? hops(headers.get("x-forwarded-host")).at(-1) : undefined;
  return forwarded ?? headers.get("host");
}

/** The protocol the client used: X-Forwarded-Proto's last entry from a trusted proxy, else `fallback` (the server's own). */
export function clientProtocol(headers: Headers, fallback: string, trusted: BlockList = trustedProxies()): string {
  const forwarded = isFromTrustedProxy(headers, trusted) ? hops(headers.get("x-forwarded-proto")).at(-1)?.toLowerCase() : undefined;
  return forwarded === "http" || forwarded === "https" ? forwarded : fallback;
}
